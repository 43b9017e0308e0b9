"""``sightline bench-load``: the locustfile loads, the run stays on loopback, and what the
simulated practitioners read from the pages is on the real pages. No timings here."""

import datetime as dt
import os
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from sightline.accounts.models import User
from sightline.people.models import Person
from sightline.testing import factories, load


def test_locustfile_loads_with_its_task_in_a_process_of_its_own():
    # Importing locust patches the standard library with gevent, so not in this process.
    probe = (
        "from sightline.testing import locustfile as f; "
        "from locust import HttpUser; "
        "assert issubclass(f.Practitioner, HttpUser); "
        "print(*[t.__name__ for t in f.Practitioner.tasks])"
    )
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe],
        cwd=settings.BASE_DIR,
        env={**os.environ, "PYTHONPATH": str(settings.BASE_DIR)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["step"]


@pytest.mark.parametrize(
    "host",
    ["192.0.2.10", "example.org", "0.0.0.0", "10.0.0.1:8000"],  # noqa: S104 - refused, not bound
)
def test_the_command_refuses_a_host_that_is_not_loopback(host):
    # No database fixture: the refusal comes before anything is prepared.
    with pytest.raises(CommandError, match="loopback"):
        call_command("bench-load", "--host", host, "--duration", "1s")


def test_loopback_hosts():
    for host in [
        "127.0.0.1",
        "localhost",
        "::1",
        "[::1]:8000",
        "http://127.0.0.1:8123",
        "127.1.2.3",
    ]:
        assert load.loopback_host(host)
    for host in ["http://192.0.2.1:80", "2001:db8::1", "", "localhost.example.org"]:
        with pytest.raises(load.NotLoopbackError):
            load.loopback_host(host)


def test_codes_are_those_django_otp_accepts():
    key = "3132333435363738393031323334353637383930"  # RFC 6238's test key
    reference = TOTP(bytes.fromhex(key))
    for moment in [59.0, 1111111109.0, 1234567890.0, 2000000000.0]:
        reference.time = moment
        assert load.totp(key, at=moment) == f"{reference.token():06d}"
    assert load.totp(key, at=59.0) == "287082"  # RFC 6238 appendix B, SHA-1, 6 digits


def test_figures_per_page():
    samples = [load.Sample("home", load.OTHER, float(ms), True, 200) for ms in range(1, 101)]
    samples.append(load.Sample("home", load.OTHER, 500.0, False, 500, "boom"))
    (home,) = load.figures(samples)
    assert (home.requests, home.failures, home.p50_ms, home.p95_ms, home.max_ms) == (
        101,
        1,
        51.0,
        96.0,
        500.0,
    )


@pytest.fixture
def sign_in_with_a_code(settings):
    settings.SIGHTLINE_REQUIRE_2FA = True
    settings.SECURE_SSL_REDIRECT = False


@pytest.mark.django_db
def test_the_journey_finds_its_way_on_the_real_pages(
    sign_in_with_a_code, social_worker: User, child: Person, agencies
):
    """What the locustfile reads from each page (forms, links, hx-get) is there, and
    following it reaches the child's page, its panels and the chronology, with a code
    typed as an authenticator app makes it."""
    source = factories.SourceRecordFactory.create(person=child, agency=agencies["CSC"])
    factories.ChronologyEventFactory.create_batch(
        60, subject_record=source, occurred_at=dt.datetime(2025, 1, 1, 9, tzinfo=dt.UTC)
    )
    social_worker.set_password("a long enough password 1")
    social_worker.save()
    device = TOTPDevice.objects.create(user=social_worker, name="bench-load", confirmed=True)
    browser = Client()

    def get(url, **extra):
        response = browser.get(url, **extra)
        return response, response.content.decode()

    _, page = get("/login/")
    form = load.form_with_field(page, "password")
    assert form is not None
    data = dict(form.values()) | {"username": social_worker.username}
    data["password"] = "a long enough password 1"
    response = browser.post(form.attrs.get("action") or "/login/", data)
    assert response.status_code == 302
    response, _ = get(response["Location"])
    assert response.status_code == 302  # to the code
    code_url = response["Location"]
    _, page = get(code_url)
    form = load.form_with_field(page, "code")
    assert form is not None
    data = dict(form.values()) | {"code": load.totp(device.key)}
    response = browser.post(form.attrs.get("action") or code_url, data)
    assert response.status_code == 302
    response, home = get(response["Location"])
    assert response.status_code == 200

    search_url = load.link_named(home, "Find a child")
    assert search_url
    _, search = get(search_url)
    form = load.form_with_id(search, "search-form")
    assert form is not None
    params = dict(form.values()) | {"name": child.full_name}
    day = child.date_of_birth
    assert day is not None
    for name in form.names():
        for suffix, value in (("_day", day.day), ("_month", day.month), ("_year", day.year)):
            if name.endswith(suffix):
                params[name] = str(value)
    response, results = get(form.attrs.get("action") or search_url, data=params)
    assert response.status_code == 200
    child_url = load.link_named(results, child.full_name)
    assert child_url
    response, page = get(child_url)
    assert response.status_code == 200
    htmx = {"HTTP_HX_REQUEST": "true"}
    panels = load.load_triggered(page)
    assert len(panels) >= 1
    for panel in panels:
        assert get(panel, **htmx)[0].status_code == 200
    assert load.link_named(page, "Home")
    filters = load.form_with_id(page, "chronology-filters")
    assert filters is not None
    assert filters.choices("agency") == ["CSC"]
    assert "high" in filters.choices("significance")
    values = dict(filters.values()) | {"agency": "CSC"}
    response, fragment = get(filters.attrs["hx-get"], data=values, **htmx)
    assert response.status_code == 200
    assert "chronology-results" in fragment
    links = load.pagination_links(page)
    assert "next" in links
    response, fragment = get(links["next"], **htmx)
    assert response.status_code == 200
    assert urlsplit(links["next"]).query == "page=2"


def test_the_steady_part_starts_when_the_last_user_has_signed_in():
    samples = [
        load.Sample(load.HOME, load.OTHER, 10.0, True, 200, at=100.0),
        load.Sample(load.SIGN_IN_CODE, load.OTHER, 500.0, True, 302, at=101.0),
        load.Sample(load.HOME, load.OTHER, 900.0, True, 200, at=101.2),
        load.Sample(load.SIGN_IN_CODE, load.OTHER, 1000.0, True, 302, at=103.0),
        load.Sample(load.CHILD_PAGE, load.READ, 20.0, True, 200, at=104.0),
        load.Sample(load.HOME, load.OTHER, 30.0, True, 200, at=105.0),
    ]
    assert [s.name for s in load.after_sign_in(samples)] == [load.CHILD_PAGE, load.HOME]
    assert load.after_sign_in(samples[:1]) == samples[:1]
