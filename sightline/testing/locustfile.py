"""Simulated practitioners for ``sightline bench-load`` (locust).

Each simulated user signs in as one benchmark practitioner through the real pages (the
sign-in form with its CSRF token, then the authentication code from the practitioner's
authenticator key), then goes round a journey, thinking 2 to 5 seconds between steps:
the home page, "Find a child", a search for one of the children they work with (name
and date of birth), the child's page from the results (with the panels htmx loads
after it), then two to four steps through the chronology: another page, or a filter
(an agency, a category, high significance, newest first). Every address is taken from
the page the user is on (links, forms, ``hx-get``), never built from an id.

Run by ``sightline bench-load``, which writes the accounts to the file named by
``SIGHTLINE_LOAD_CREDENTIALS`` and reads each request's figures back from
``SIGHTLINE_LOAD_RESULTS``. It refuses any host but this machine's loopback.
"""

import itertools
import json
import logging
import os
import random
import time
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any
from urllib.parse import urljoin, urlsplit

from locust import HttpUser, between, events, task
from locust.env import Environment
from locust.exception import StopUser

from sightline.testing import load

CREDENTIALS_ENV = "SIGHTLINE_LOAD_CREDENTIALS"
RESULTS_ENV = "SIGHTLINE_LOAD_RESULTS"

logger = logging.getLogger(__name__)

# Every request's figures, written to SIGHTLINE_LOAD_RESULTS when locust quits.
SAMPLES: list[load.Sample] = []
_accounts: list[dict[str, Any]] = []
_next_account = itertools.count()


class JourneyBrokenError(Exception):
    """A page was not what a practitioner could go on from (already counted a failure)."""


@events.init.add_listener
def _loopback_only(environment: Environment, **_: Any) -> None:
    """Refuse to start against anything but this machine."""
    try:
        load.loopback_host(environment.host or "")
    except load.NotLoopbackError as error:
        logger.error("sightline load run refused: %s", error)
        raise SystemExit(2) from error


@events.request.add_listener
def _record(
    name: str,
    response_time: float,
    response: Any,
    context: dict[str, Any],
    exception: BaseException | None,
    start_time: float | None = None,
    **_: Any,
) -> None:
    status = int(getattr(response, "status_code", 0) or 0)
    SAMPLES.append(
        load.Sample(
            name=name,
            kind=str(context.get("kind", load.OTHER)),
            ms=float(response_time),
            ok=exception is None,
            status=status,
            error="" if exception is None else str(exception)[:300],
            at=start_time if start_time is not None else time.time() - response_time / 1000,
        )
    )


@events.quitting.add_listener
def _write_results(environment: Environment, **_: Any) -> None:
    path = os.environ.get(RESULTS_ENV)
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump([asdict(sample) for sample in SAMPLES], out)


def _account() -> dict[str, Any]:
    if not _accounts:
        path = os.environ.get(CREDENTIALS_ENV)
        if not path:
            raise StopUser(f"set {CREDENTIALS_ENV} to the accounts file bench-load writes")
        with open(path, encoding="utf-8") as source:
            _accounts.extend(json.load(source)["accounts"])
    return _accounts[next(_next_account) % len(_accounts)]


class Practitioner(HttpUser):
    """One practitioner: signs in once, then goes round the journey until the run ends."""

    wait_time = between(2, 5)

    def on_start(self) -> None:
        load.loopback_host(self.host or "")
        self.account = _account()
        # Which child and which filter: a simulation's choices, not a secret.
        self.rng = random.Random(self.account["username"])  # noqa: S311
        self.current = "/"
        self._journey: Iterator[None] | None = None
        try:
            self.home = self._sign_in()
        except JourneyBrokenError as error:
            raise StopUser(f"{self.account['username']} could not sign in") from error

    @task
    def step(self) -> None:
        """One step of the journey; locust waits (the thinking) between steps."""
        if self._journey is None:
            self._journey = self.journey()
        try:
            next(self._journey)
        except JourneyBrokenError:
            self._journey = None  # start again from the home page

    # -- the journey ----------------------------------------------------------------------------

    def journey(self) -> Iterator[None]:
        home = self.home
        while True:
            search = self.get(load.SEARCH_FORM, load.OTHER, self.link(home, "Find a child"))
            yield
            child = self.rng.choice(self.account["children"])
            form = load.form_with_id(search, "search-form")
            if form is None:
                raise self.broken("no search form")
            params = []
            for name, value in form.values():
                if name == "name":
                    value = child["name"]
                elif name.endswith("_day"):
                    value = str(int(child["date_of_birth"][8:10]))
                elif name.endswith("_month"):
                    value = str(int(child["date_of_birth"][5:7]))
                elif name.endswith("_year"):
                    value = child["date_of_birth"][:4]
                params.append((name, value))
            results = self.get(
                load.SEARCH_RESULTS, load.SEARCH, form.attrs.get("action") or self.current, params
            )
            yield
            page = self.open_child(self.link(results, child["name"]))
            yield
            filters = load.form_with_id(page, "chronology-filters")
            if filters is None:
                raise self.broken("no chronology filters")
            fragment = page
            for _ in range(self.rng.randint(2, 4)):
                fragment = self.browse(fragment, filters)
                yield
            home = self.get(load.HOME, load.OTHER, self.link(page, "Home"))
            yield

    def open_child(self, href: str) -> str:
        """The child's page, then the panels htmx loads straight after it."""
        page = self.get(load.CHILD_PAGE, load.READ, href)
        child_url = self.current
        for panel in load.load_triggered(page):
            slug = [part for part in urlsplit(panel).path.split("/") if part][-1]
            self.get(load.panel_page(slug), load.READ, panel, htmx=True)
        self.current = child_url
        return page

    def browse(self, fragment: str, filters: load.Form) -> str:
        """Another page of the chronology, or a filter, as htmx asks for them."""
        links = load.pagination_links(fragment)
        onward = [key for key in ("next", "prev") if key in links]
        if onward and self.rng.random() < 0.5:
            return self.get(load.CHRONOLOGY_PAGE, load.READ, links[onward[0]], htmx=True)
        chosen = self.rng.choice(["agency", "category", "significance", "order"])
        params = [(k, v) for k, v in filters.values() if k not in {"agency", "category"}]
        if chosen in {"agency", "category"} and filters.choices(chosen):
            params.append((chosen, self.rng.choice(filters.choices(chosen))))
        elif chosen == "significance" and "high" in filters.choices("significance"):
            params = [(k, v) for k, v in params if k != "significance"] + [("significance", "high")]
        else:
            params = [(k, v) for k, v in params if k != "order"] + [("order", "desc")]
        action = filters.attrs.get("hx-get") or filters.attrs.get("action") or self.current
        return self.get(load.CHRONOLOGY_FILTER, load.READ, action, params, htmx=True)

    # -- signing in -------------------------------------------------------------------------------

    def _sign_in(self) -> str:
        page = self.get(load.SIGN_IN_PAGE, load.OTHER, "/login/")
        form = load.form_with_field(page, "password")
        if form is None:
            raise self.broken("no sign-in form")
        data = dict(form.values())
        data.update(username=self.account["username"], password=self.account["password"])
        after_password = self.post(load.SIGN_IN_PASSWORD, form, data)
        code_url = self.redirect(load.SIGN_IN_REDIRECT, after_password)
        page = self.get(load.SIGN_IN_CODE_PAGE, load.OTHER, code_url)
        form = load.form_with_field(page, "code")
        if form is None:
            raise self.broken("no authentication code form")
        data = dict(form.values())
        data["code"] = load.totp(self.account["totp_key"])
        home_url = self.post(load.SIGN_IN_CODE, form, data)
        return self.get(load.HOME, load.OTHER, home_url)

    # -- requests -------------------------------------------------------------------------------

    def link(self, html: str, text: str) -> str:
        href = load.link_named(html, text)
        if href is None:
            raise self.broken(f"no link {text!r} on {self.current}")
        return href

    def broken(self, why: str) -> JourneyBrokenError:
        logger.warning("%s: %s", self.account["username"], why)
        # Counted as a failed request of its own, so the run cannot pass.
        self.environment.events.request.fire(
            request_type="JOURNEY",
            name="journey broken",
            response_time=0,
            response_length=0,
            response=None,
            context={"kind": load.OTHER},
            exception=JourneyBrokenError(why),
            start_time=time.time(),
        )
        return JourneyBrokenError(why)

    def get(
        self,
        name: str,
        kind: str,
        url: str,
        params: list[tuple[str, str]] | None = None,
        *,
        htmx: bool = False,
    ) -> str:
        """GET a page that must answer 200; its HTML."""
        url = urljoin(self.current, url)
        headers = (
            {"HX-Request": "true", "HX-Current-URL": (self.host or "") + self.current}
            if htmx
            else {}
        )
        with self.client.get(
            url,
            params=params,
            headers=headers,
            name=name,
            allow_redirects=False,
            catch_response=True,
            context={"kind": kind},
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} from {url}")
                raise JourneyBrokenError(name)
            if not htmx:
                where = urlsplit(response.url or url)
                self.current = where.path + (f"?{where.query}" if where.query else "")
            return str(response.text)

    def redirect(self, name: str, url: str) -> str:
        """GET an address that must redirect; where to."""
        with self.client.get(
            urljoin(self.current, url),
            name=name,
            allow_redirects=False,
            catch_response=True,
            context={"kind": load.OTHER},
        ) as response:
            if response.status_code != 302:
                response.failure(f"{response.status_code}, not a redirect, from {url}")
                raise JourneyBrokenError(name)
            return str(response.headers["Location"])

    def post(self, name: str, form: load.Form, data: dict[str, str]) -> str:
        """Send a form that must redirect on success; where to."""
        url = urljoin(self.current, form.attrs.get("action") or self.current)
        with self.client.post(
            url,
            data=data,
            headers={"Referer": (self.host or "") + self.current},
            name=name,
            allow_redirects=False,
            catch_response=True,
            context={"kind": load.OTHER},
        ) as response:
            if response.status_code != 302:
                response.failure(f"{response.status_code} from {url} (form refused)")
                raise JourneyBrokenError(name)
            return str(response.headers["Location"])
