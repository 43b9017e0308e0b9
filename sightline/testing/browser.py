"""Browser-test fixtures shared by every app: Playwright with Debian's Chromium against a
live server on plain HTTP (loopback).

Registered for the whole suite by ``pytest_plugins`` in ``sightline/conftest.py``; a
browser test asks for ``live_server`` and ``browser`` (or ``page``) and is marked
``pytest.mark.browser``. Screenshots of failing tests that use ``page`` go to
``test-artifacts/`` at the repository root (``ARTIFACTS``).

Every context the ``browser`` fixture opens checks each page it loads with axe-core
(``testing/accessibility.py``); a browser test fails if any page it loaded had a serious
or critical violation.

``DJANGO_ALLOW_ASYNC_UNSAFE`` is set only while a browser is open: Playwright's sync API
runs an event loop in the test's thread, and the test's own ORM calls (fixtures, the
database flush after each test) are still plain synchronous code. Nothing is set at
import time, so the variable leaks into no other test.
"""

import contextlib
import os
import re
import threading
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.test import override_settings
from pytest_django import live_server_helper

from sightline.testing import accessibility

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"

_failed = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Remember whether a test's own call failed, for ``page``'s screenshot."""
    report = yield
    if report.when == "call":
        item.stash[_failed] = report.failed
    return report


@pytest.fixture(scope="module")
def live_server(
    django_db_setup: None, django_db_blocker: Any
) -> Iterator[live_server_helper.LiveServer]:
    """pytest-django's live server, started here with plain-HTTP settings.

    The server loads its middleware (which reads SECURE_SSL_REDIRECT) when it starts, and
    pytest-django's own fixture is session-wide, so each module starts its own, after
    the settings for plain HTTP on loopback are in place.
    """
    plain_http = override_settings(
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        SECURE_HSTS_SECONDS=0,
        SECURE_PROXY_SSL_HEADER=None,
    )
    with plain_http, django_db_blocker.unblock():
        server = live_server_helper.LiveServer("localhost", start=False)
        if server.thread.connections_override:
            server.thread.static_handler = _OneRequestAtATime
        server.start()
        try:
            yield server
        finally:
            server.stop()


class _OneRequestAtATime(StaticFilesHandler):
    """The live server's handler (static files, then the app), answering one request at
    a time.

    With SQLite in memory, every thread of the live server shares the test's one
    connection. Two pages loading at once (a second signed-in user while the first
    page's htmx panels still load) then began a transaction inside another's: "cannot
    start a transaction within a transaction", a 500 and a test failing for nothing.
    PostgreSQL gives each thread its own connection, so it is left concurrent.
    """

    lock = threading.Lock()

    def __call__(self, environ: Any, start_response: Any) -> Any:
        with self.lock:
            response = super().__call__(environ, start_response)
            try:
                return list(response)  # the body is read, and the request ended, in the lock
            finally:
                close = getattr(response, "close", None)
                if close is not None:
                    close()


@pytest.fixture(scope="module")
def browser() -> Generator[Any, None, None]:
    """Debian's Chromium through Playwright, one per test module."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        setattr(chromium, "new_context", _watched(chromium.new_context))  # noqa: B010
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Generator[Any, None, None]:
    """A fresh browser context and page; a screenshot is saved if the test fails.

    ``page.console_errors`` collects errors the page's JavaScript reports. Every page it
    loads is checked with axe-core, as in every context the ``browser`` fixture opens
    (``_no_serious_accessibility_violations``); the last page is checked once more as
    it is at the end.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    findings = context.accessibility_findings
    page = context.new_page()
    page.accessibility_findings = findings
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    try:
        yield page
        if not request.node.stash.get(_failed, False):
            accessibility.check(page, findings)  # the last page, as it is now
    finally:
        if request.node.stash.get(_failed, False):
            ARTIFACTS.mkdir(exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        context.close()


# The findings of every browser context opened through the ``browser`` fixture.
_WATCHED: list[accessibility.Findings] = []


def _content_once_loaded(page: Any) -> None:
    """``page.content()`` read once the page has loaded: straight after a click that
    sends a form, the new document can still be arriving (an empty body), and a test
    reading it then fails for nothing."""
    content = page.content

    def loaded_content() -> str:
        page.wait_for_load_state("load")
        return str(content())

    page.content = loaded_content


def _closing_when_idle(context: Any) -> Any:
    """``context.close`` once its pages' requests are answered (htmx panels still loading
    when a test ends kept the live server reading the database while the test's flush
    emptied it: "database table is locked" on SQLite)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    close = context.close

    def close_when_idle(*args: Any, **kwargs: Any) -> Any:
        for open_page in context.pages:
            # Still busy after 5 s: closed as before.
            with contextlib.suppress(PlaywrightTimeout):
                open_page.wait_for_load_state("networkidle", timeout=5_000)
        return close(*args, **kwargs)

    return close_when_idle


def _watched(new_context: Any) -> Any:
    """``browser.new_context`` that checks every page its contexts load with axe-core."""

    def open_watched(*args: Any, **kwargs: Any) -> Any:
        context = new_context(*args, **kwargs)
        context.accessibility_findings = accessibility.watch(context)
        context.on("page", _content_once_loaded)
        context.close = _closing_when_idle(context)
        _WATCHED.append(context.accessibility_findings)
        return context

    return open_watched


@pytest.fixture(autouse=True)
def _no_serious_accessibility_violations(request: pytest.FixtureRequest) -> Iterator[None]:
    """A browser test fails if any page it loaded, in any context it opened, had a
    serious or critical axe-core violation (``testing/accessibility.py``)."""
    if request.node.get_closest_marker("browser") is None:
        yield
        return
    start = len(_WATCHED)
    yield
    if request.node.stash.get(_failed, False):
        return
    checked = _WATCHED[start:]
    refused = list(dict.fromkeys(v for findings in checked for v in findings.refused()))
    if refused:
        pages = sum(len(findings.pages) for findings in checked)
        pytest.fail(
            f"axe-core found serious or critical violations ({pages} pages checked):\n"
            + "\n".join(refused),
            pytrace=False,
        )


def pick(page: Any, name: str, text: str, choice: str) -> None:
    """Search, then choose, with the one picker (``record.picker``) of the field ``name``:
    type ``text`` in its search box, select its own Search button, and choose the result
    labelled ``choice``. As a person does it: nothing but the words on the page."""
    page.locator(f"input[name='{name}-q']").fill(text)
    page.locator(f"button[name='pick'][value='{name}']").click()
    page.wait_for_load_state("load")
    picker = page.locator(".app-picker", has=page.locator(f"input[name='{name}-q']"))
    picker.get_by_role("radio", name=choice, exact=True).check()
