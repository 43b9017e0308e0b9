"""An analyst's journey in Debian's Chromium: code a review, see the themes report with
its chart drawn by Chart.js beside the table. A failing test leaves a screenshot in
``test-artifacts/``."""

import datetime as dt
import os
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client

from sightline.audit.actions import CLI
from sightline.learning import actions
from sightline.learning.models import Coding
from sightline.learning.tests.helpers import record
from sightline.testing.browser import ARTIFACTS
from sightline.testing.factories import ReviewDocumentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tab(page, live_server):
    """The shared ``page`` (screenshot on failure) with the site's address and the errors
    its JavaScript reports."""
    page.set_default_timeout(
        30_000
    )  # the machine is shared: the first review page trains the suggestions
    return SimpleNamespace(page=page, base=live_server.url, errors=page.console_errors)


def sign_in(tab, user):
    client = Client()
    client.force_login(user)
    tab.page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": tab.base,
            }
        ]
    )


def test_an_analyst_codes_a_review_and_sees_the_themes_chart(tab, panel_analyst):
    actions.import_review_corpus(
        actor=None,
        origin=CLI,
        records=[
            record(f"R{i}", themes=("risk_assessment",) if i < 9 else ("optimism_bias",))
            for i in range(15)
        ],
    )
    document = ReviewDocumentFactory.create(title="Synthetic review to code")
    sign_in(tab, panel_analyst)
    page = tab.page

    page.goto(f"{tab.base}/learning/reviews/{document.public_id}/")
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

    page.goto(f"{tab.base}/learning/reports/annual/?year={dt.date(2023, 5, 1).year}")
    page.wait_for_selector(".app-chart--drawn canvas")
    width = page.eval_on_selector("#practice-chart", "canvas => canvas.width")
    assert width > 100
    table = page.locator("#table-practice-themes").inner_text()
    assert "Weak risk assessment and decision making" in table
    assert "60%" in table  # 9 of 15
    assert tab.errors == []
    if os.environ.get("SIGHTLINE_SCREENSHOTS"):
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "learning-annual-report.png"), full_page=True)
