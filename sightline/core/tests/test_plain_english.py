"""Every role's pages read in plain English: dates as "4 December 2026", agencies by name,
codes and rule ids only behind "Details", no JSON or Python on screen
(``testing/plain_english.py``)."""

import datetime as dt
import io
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.template.loader import render_to_string

from sightline.accounts.models import User
from sightline.agencies.models import Agency
from sightline.importing.formats import LONDON
from sightline.sharing.models import Referral
from sightline.testing.plain_english import crawl, findings, page_kind, visible_texts

AGENCY_CODES = ("CSC", "POLICE", "HEALTH", "EDUCATION", "HOUSING", "ICB")


# The scanner ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "what"),
    [
        ("<p>Due 2026-12-07</p>", "an ISO date"),
        ("<td>2026-12-07T15:05:00+00:00</td>", "an ISO date"),
        ("<td>Read 4 Dec 15:05</td>", "a 24-hour time"),
        ("<td>Mon 7 Dec 2026</td>", "a shortened month or day"),
        ("<p>datetime.date(2026, 12, 4)</p>", "a Python value"),
        ("<p>{'hours': 4}</p>", "a Python value"),
        ('<p>{"hours": 4}</p>', "JSON"),
        ("<p>Rule not_seen_alone, version CR2025.1.</p>", "an internal identifier"),
        ("<td>Plan category: NEG</td>", "a code"),
        ("<td>Concern for welfare (POLICE)</td>", "a code"),
        ("<td>undefined</td>", "a blank value"),
    ],
)
def test_it_finds_what_is_not_plain_english(html, what):
    assert what in {f.what for f in findings(html, codes=AGENCY_CODES)}


@pytest.mark.parametrize(
    "html",
    [
        "<p>Due by Monday 7 December 2026 at 5pm</p>",
        "<p>Concern for welfare (West Yorkshire Police)</p>",
        '<a href="/people/?date_from=2026-12-04" data-agency="POLICE">4 December 2026</a>',
        "<details><summary>Rule version</summary><code>WT2023.1</code> not_seen_alone</details>",
        "<p>Settings <code>{&quot;days&quot;: 5}</code></p>",
        '<script type="application/json">{"a": 1}</script>',
        "<p>Police, Negative, CSCS, HEALTHY, None scheduled.</p>",
        "<p>Imported cin_census.xml and ssda903_header.csv</p>",
    ],
)
def test_it_passes_plain_english_and_codes_a_reader_asks_for(html):
    assert findings(html, codes=AGENCY_CODES) == []


def test_it_reads_the_words_on_the_page_not_its_markup():
    html = '<div title="2026-12-04"><p>One <strong>two</strong></p><code>x_y</code></div>'
    assert visible_texts(html) == ["One", "two"]


def test_pages_of_one_kind_are_one_kind():
    assert page_kind("/people/0b6c1f1e-5d1a-4f6e-9a7e-2f3b7c9d1e2a/?page=2") == "/people/<id>/"
    assert page_kind("/assessments/steps/12/decide/") == "/assessments/steps/<id>/decide/"


# Templates --------------------------------------------------------------------------------

TEMPLATES = Path(settings.BASE_DIR) / "sightline" / "templates"
DATE_FILTER = re.compile(r"""\|date:\s*["']([^"']*)["']""")
# Formats for machines (links, form values) and the house pattern itself.
MACHINE_OR_HOUSE = {"Y-m-d", "c", "j F Y"}


def test_templates_write_dates_through_the_day_filters():
    """``|day``, ``|day_and_time`` and ``|weekday_and_day`` write dates the one way; a
    template's own ``|date`` format is for links and form values only."""
    found = [
        f"{path.relative_to(TEMPLATES)}: |date:{fmt!r}"
        for path in TEMPLATES.rglob("*.html")
        for fmt in DATE_FILTER.findall(path.read_text())
        if fmt not in MACHINE_OR_HOUSE
    ]
    assert found == []


def test_a_code_behind_details_names_what_it_is():
    html = render_to_string("core/_code_details.html", {"summary": "Rule version", "code": "v1"})
    assert "<details" in html
    assert "Rule version" in html
    assert findings(html) == []


# Every role's pages ---------------------------------------------------------------------

NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=LONDON)
# The demo's logins (``demo/actions.py``): every role's home page and what it links to.
ROLES = (
    "social.worker",
    "police.officer",
    "health.visitor",
    "school.lead",
    "housing.officer",
    "team.manager",
    "panel.analyst",
    "admin",
    "partnership.manager",
    "la.lead",
    "data.quality",
    "ig.officer",
)


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with time_machine.travel(NOW, tick=False):
        call_command("load-demo-data", "--children", "16", "--seed", "5", stdout=io.StringIO())
        yield


@pytest.mark.django_db
def test_every_roles_pages_read_in_plain_english(demo, client):
    codes = list(Agency.objects.values_list("code", flat=True))
    assert set(AGENCY_CODES) <= set(codes)
    problems: list[str] = []
    visited: dict[str, list[str]] = {}
    for username in ROLES:
        client.force_login(User.objects.get(username=username))
        visited[username] = []
        for page in crawl(client):
            visited[username].append(page_kind(page.url))
            problems += [f"{username} {page.url}: {f}" for f in findings(page.html, codes=codes)]
    assert problems == []
    # The crawl reached the pages that matter, so finding nothing means something.
    assert "/people/<id>/" in visited["social.worker"]
    assert "/assessments/" in visited["team.manager"]
    assert "/sharing/referrals/<id>/" in visited["social.worker"]
    assert "/incidents/notifications/<id>/" in visited["partnership.manager"]
    assert "/learning/" in visited["panel.analyst"]
    assert {"/linkage/reviews/", "/subject-access/<id>/"} <= set(visited["data.quality"])
    assert "/governance/disposals/<id>/" in visited["ig.officer"]
    assert all(len(kinds) >= 5 for kinds in visited.values()), visited


@pytest.mark.parametrize(
    "stored",
    [
        # as counted before the hours were written out, and as counted now
        "Amber: 24 working hours (09:00-17:00, working days) (rule v1)",
        "Amber: 24 working hours (9am to 5pm, Monday to Friday, except bank holidays and "
        "closure days) (rule v1)",
    ],
)
def test_a_referral_deadline_says_the_working_hours_as_people_say_them(stored):
    referral = Referral(deadline_rule=stored)
    assert referral.deadline_rule_words == (
        "Amber: 24 working hours (9am to 5pm, Monday to Friday, except bank holidays and "
        "closure days)"
    )
    assert referral.deadline_rule_version == "v1"
