"""An analyst's journey in Debian's Chromium: code a review, see the themes report with
its chart drawn by Chart.js beside the table. A failing test leaves a screenshot in
``test-artifacts/``."""

import datetime as dt
import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client, override_settings
from pytest_django import live_server_helper

from sightline.audit.actions import CLI
from sightline.learning import actions
from sightline.learning.models import Coding
from sightline.learning.tests.helpers import record
from sightline.testing.factories import ReviewDocumentFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

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

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def live_server(django_db_setup, django_db_blocker):
    plain_http = override_settings(
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        SECURE_HSTS_SECONDS=0,
        SECURE_PROXY_SSL_HEADER=None,
    )
    with plain_http, django_db_blocker.unblock():
        server = live_server_helper.LiveServer("localhost")
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture
def browser(live_server, request):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        context.set_default_timeout(15_000)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "console",
            lambda message: errors.append(message.text) if message.type == "error" else None,
        )
        try:
            yield SimpleNamespace(page=page, base=live_server.url, errors=errors)
        finally:
            if request.session.testsfailed:
                ARTIFACTS.mkdir(exist_ok=True)
                stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
                page.screenshot(path=str(ARTIFACTS / f"{stem}.png"), full_page=True)
            browser.close()


def sign_in(browser, user):
    client = Client()
    client.force_login(user)
    browser.page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": browser.base,
            }
        ]
    )


def test_an_analyst_codes_a_review_and_sees_the_themes_chart(browser, panel_analyst):
    actions.import_review_corpus(
        actor=None,
        origin=CLI,
        records=[
            record(f"R{i}", themes=("risk_assessment",) if i < 9 else ("optimism_bias",))
            for i in range(15)
        ],
    )
    document = ReviewDocumentFactory.create(title="Synthetic review to code")
    sign_in(browser, panel_analyst)
    page = browser.page

    page.goto(f"{browser.base}/learning/reviews/{document.public_id}/")
    if os.environ.get("SIGHTLINE_SCREENSHOTS"):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "learning-coding.png"), full_page=True)
    page.get_by_label("Optimism bias").check()
    page.get_by_label("Neglect").check()
    page.get_by_role("button", name="Submit coding").click()
    page.wait_for_load_state("load")
    assert "Coding submitted" in page.content()
    assert sorted(Coding.objects.get().themes.values_list("code", flat=True)) == [
        "neglect",
        "optimism_bias",
    ]

    page.goto(f"{browser.base}/learning/reports/annual/?year={dt.date(2023, 5, 1).year}")
    page.wait_for_selector(".app-chart--drawn canvas")
    width = page.eval_on_selector("#practice-chart", "canvas => canvas.width")
    assert width > 100
    table = page.locator("#table-practice-themes").inner_text()
    assert "Weak risk assessment and decision making" in table
    assert "60%" in table  # 9 of 15
    assert browser.errors == []
    if os.environ.get("SIGHTLINE_SCREENSHOTS"):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "learning-annual-report.png"), full_page=True)
