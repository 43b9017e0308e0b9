"""The rest of the administration area (issue 15): roles, API tokens, agencies, local
closure days, challenge rules and event categories. For each: a valid change with its
audit row, a refusal with an error summary naming the field, and nobody else finds it."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sightline.access.models import TokenPolicy, TokenScope
from sightline.accounts.models import Role
from sightline.agencies.models import Agency, AgencyKind
from sightline.assessments import queries as rules
from sightline.assessments.models import ChallengeRuleSet
from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.chronology.models import Category
from sightline.deadlines.actions import record_local_closure
from sightline.deadlines.models import LocalClosure
from sightline.deadlines.queries import local_closures
from sightline.testing.factories import ChronologyEventFactory

pytestmark = pytest.mark.django_db

# A Wednesday, with a bank holiday (Christmas) ahead.
TODAY = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _plain_http(settings):
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


def error_summary(response) -> str:
    html: str = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    return html.split('class="govuk-error-summary"')[1].split("</ul>")[0]


def audited(action: AuditAction, actor) -> AuditEvent:
    return AuditEvent.objects.get(action=action, actor=actor)


# --- roles ---------------------------------------------------------------------------


def test_it_changes_a_role_with_the_reason_and_shows_the_history(
    admin_client, administrator, social_worker
):
    url = reverse("administration-user-role", args=[social_worker.pk])
    response = admin_client.post(
        url, {"role": Role.TEAM_MANAGER, "reason": "Promoted to team manager in March."}
    )
    assert response.status_code == 302
    social_worker.refresh_from_db()
    assert social_worker.role == Role.TEAM_MANAGER
    row = audited(AuditAction.CHANGE_ROLE, administrator)
    assert row.reason == "Promoted to team manager in March."
    assert (row.detail["from"], row.detail["to"]) == (Role.PRACTITIONER, Role.TEAM_MANAGER)
    page = admin_client.get(response["Location"]).content.decode()
    assert "Practitioner to Team manager" in page
    assert "Promoted to team manager in March." in page

    # Taken away again: back to practitioner.
    admin_client.post(url, {"role": Role.PRACTITIONER, "reason": "Stepped down."})
    social_worker.refresh_from_db()
    assert social_worker.role == Role.PRACTITIONER


def test_a_role_change_without_a_reason_names_the_field(admin_client, social_worker):
    response = admin_client.post(
        reverse("administration-user-role", args=[social_worker.pk]),
        {"role": Role.TEAM_MANAGER, "reason": ""},
    )
    summary = error_summary(response)
    assert 'href="#id_reason"' in summary
    assert "Enter why the role is changing" in summary
    social_worker.refresh_from_db()
    assert social_worker.role == Role.PRACTITIONER


def test_an_administrator_cannot_change_their_own_role(admin_client, administrator):
    response = admin_client.post(
        reverse("administration-user-role", args=[administrator.pk]),
        {"role": Role.PRACTITIONER, "reason": "Leaving the post."},
    )
    assert "You cannot change your own role" in error_summary(response)
    administrator.refresh_from_db()
    assert administrator.role == Role.ADMINISTRATOR


# --- API tokens ------------------------------------------------------------------------


def test_a_token_is_read_only_by_default_shown_once_listed_and_revoked(
    admin_client, administrator, police_officer
):
    issue = reverse("administration-issue-token", args=[police_officer.pk])
    assert re.search(r'value="read" [^>]*checked', admin_client.get(issue).content.decode())
    response = admin_client.post(
        issue, {"access": "read", "reason": "The police system's nightly check."}
    )
    assert response.status_code == 200
    key = re.search(r'<code id="token-key">([0-9a-f]{40})</code>', response.content.decode())
    assert key is not None
    token = Token.objects.get(user=police_officer)
    assert token.key == key.group(1)
    assert token.policy.scopes == [TokenScope.READ]
    assert audited(AuditAction.CREATE_API_TOKEN, administrator)
    assert audited(AuditAction.SET_TOKEN_SCOPES, administrator).reason.startswith("The police")

    # The key is never shown again: not on the list, not on the owner's page.
    listing = admin_client.get(reverse("administration-tokens")).content.decode()
    assert token.key not in listing
    assert "Read records (GET)" in listing
    assert "Never" in listing
    assert (
        token.key
        not in admin_client.get(
            reverse("administration-user", args=[police_officer.pk])
        ).content.decode()
    )

    # Using it is remembered.
    api = APIClient().get(reverse("api-agencies"), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.status_code == 200
    assert TokenPolicy.objects.get(token=token).last_used_at is not None
    assert "Never" not in admin_client.get(reverse("administration-tokens")).content.decode()

    revoke = reverse("administration-revoke-token", args=[police_officer.pk])
    response = admin_client.post(revoke, {"reason": "The system was replaced."})
    assert response.status_code == 302
    assert not Token.objects.filter(user=police_officer).exists()
    assert audited(AuditAction.REVOKE_API_TOKEN, administrator).reason == (
        "The system was replaced."
    )
    assert "is revoked" in admin_client.get(response["Location"]).content.decode()


def test_a_write_token_has_both_scopes(admin_client, police_officer):
    admin_client.post(
        reverse("administration-issue-token", args=[police_officer.pk]),
        {"access": "read_write", "reason": "Submits the nightly extract."},
    )
    assert Token.objects.get(user=police_officer).policy.scopes == ["read", "write"]


def test_issuing_or_revoking_without_a_reason_names_the_field(admin_client, police_officer):
    response = admin_client.post(
        reverse("administration-issue-token", args=[police_officer.pk]),
        {"access": "read", "reason": ""},
    )
    assert 'href="#id_reason"' in error_summary(response)
    assert not Token.objects.filter(user=police_officer).exists()
    Token.objects.create(user=police_officer)
    response = admin_client.post(
        reverse("administration-revoke-token", args=[police_officer.pk]), {"reason": " "}
    )
    assert "Enter why the token is being revoked" in error_summary(response)
    assert Token.objects.filter(user=police_officer).exists()


# --- agencies --------------------------------------------------------------------------


def test_it_adds_an_integrated_care_board_with_its_ods_code(admin_client, administrator):
    response = admin_client.post(
        reverse("administration-agencies"),
        {
            "name": "West Yorkshire Integrated Care Board",
            "kind": AgencyKind.INTEGRATED_CARE_BOARD,
            "ods_code": "qwo",
        },
    )
    assert response.status_code == 302
    agency = Agency.objects.get(name="West Yorkshire Integrated Care Board")
    assert (agency.kind, agency.ods_code) == (AgencyKind.INTEGRATED_CARE_BOARD, "QWO")
    assert agency.code == "WEST_YORKSHIRE_INTEGRATED_CA"
    assert audited(AuditAction.CREATE_AGENCY, administrator)
    page = admin_client.get(response["Location"]).content.decode()
    assert "Agency added: West Yorkshire Integrated Care Board." in page
    assert "ODS code QWO" in page


def test_a_bad_urn_is_refused_naming_the_field(admin_client, agencies):
    school = agencies["CSC"]
    response = admin_client.post(
        reverse("administration-agency", args=[school.pk]),
        {"name": school.name, "kind": school.kind, "urn": "12AB"},
    )
    summary = error_summary(response)
    assert 'href="#id_urn"' in summary
    assert "6 digits" in summary


def test_it_renames_an_agency_keeping_its_code(admin_client, administrator, agencies):
    police = agencies["POLICE"]
    response = admin_client.post(
        reverse("administration-agency", args=[police.pk]),
        {"name": "West Yorkshire Police Service", "kind": police.kind},
    )
    assert response.status_code == 302
    police.refresh_from_db()
    assert (police.name, police.code) == ("West Yorkshire Police Service", "POLICE")
    row = audited(AuditAction.UPDATE_AGENCY, administrator)
    assert row.detail["changed"]["name"] == [
        "West Yorkshire Police",
        "West Yorkshire Police Service",
    ]


# --- local closure days ----------------------------------------------------------------


@time_machine.travel(TODAY, tick=False)
def test_it_adds_and_removes_a_closure_day_and_the_clocks_read_it(admin_client, administrator):
    page = admin_client.get(reverse("administration-closure-days")).content.decode()
    assert "Christmas Day" in page  # bank holidays are shown, with no way to change them
    response = admin_client.post(
        reverse("administration-closure-days"),
        {"date_day": "29", "date_month": "12", "date_year": "2026", "reason": "Christmas shutdown"},
    )
    assert response.status_code == 302
    assert local_closures() == frozenset({dt.date(2026, 12, 29)})
    assert audited(AuditAction.RECORD_CLOSURE, administrator)
    page = admin_client.get(response["Location"]).content.decode()
    assert "29 December 2026 is now a local closure day." in page
    assert "Christmas shutdown" in page

    closure = LocalClosure.objects.get()
    response = admin_client.post(
        reverse("administration-remove-closure-day", args=[closure.pk]),
        {"reason": "The shutdown was cancelled."},
    )
    assert response.status_code == 302
    assert local_closures() == frozenset()
    assert audited(AuditAction.WITHDRAW_CLOSURE, administrator)


def test_a_past_closure_day_cannot_be_removed(admin_client, administrator):
    record_local_closure(
        actor=administrator, origin=CLI, date=dt.date(2026, 11, 6), reason="Office move"
    )
    closure = LocalClosure.objects.get()
    with time_machine.travel(TODAY, tick=False):
        url = reverse("administration-remove-closure-day", args=[closure.pk])
        assert admin_client.post(url, {"reason": "Too late."}).status_code == 404
        assert (
            "Office move"
            not in admin_client.get(reverse("administration-closure-days")).content.decode()
        )
    assert local_closures() == frozenset({dt.date(2026, 11, 6)})


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("25", "12", "2026", "is a bank holiday already"),
        ("1", "12", "2026", "must be today or later"),
        ("31", "2", "2027", "must be a real date"),
        ("", "", "", "Enter the date of the closure day"),
    ],
)
def test_a_closure_day_that_cannot_be_is_refused_naming_the_date(
    admin_client, day, month, year, message
):
    response = admin_client.post(
        reverse("administration-closure-days"),
        {"date_day": day, "date_month": month, "date_year": year, "reason": "Shutdown"},
    )
    summary = error_summary(response)
    assert 'href="#id_date' in summary
    assert message in summary
    assert not LocalClosure.objects.exists()


# --- challenge rules -------------------------------------------------------------------


def test_it_switches_a_rule_off_and_changes_a_threshold_with_history(admin_client, administrator):
    url = reverse("administration-challenge-rule", args=["repeat_referral_start_again"])
    assert "Looks back" not in admin_client.get(url).content.decode()
    response = admin_client.post(
        url,
        {"active": "off", "within_days": "180", "reason": "Agreed at the partnership board."},
    )
    assert response.status_code == 302
    rule = rules.current_rule_set().rule("repeat_referral_start_again")
    assert (rule.active, rule.params["within_days"]) == (False, 180)
    assert ChallengeRuleSet.objects.get().note == "Agreed at the partnership board."
    assert audited(AuditAction.PUBLISH_CHALLENGE_RULES, administrator)
    page = admin_client.get(url).content.decode()
    assert "Switched: on to off" in page
    assert "365 to 180" in page
    assert "Agreed at the partnership board." in page


def test_a_threshold_out_of_range_is_refused_naming_it(admin_client):
    url = reverse("administration-challenge-rule", args=["not_seen_alone"])
    data = {
        "active": "on",
        "working_days__assessment": "20",
        "working_days__child_in_need": "20",
        "working_days__child_protection": "500",
        "working_days__looked_after": "30",
        "reason": "Shorter visiting interval.",
    }
    summary = error_summary(admin_client.post(url, data))
    assert 'href="#id_working_days__child_protection"' in summary
    assert "from 1 to 130" in summary
    assert not ChallengeRuleSet.objects.exists()
    # And nothing changed at all is said so.
    data["working_days__child_protection"] = "10"
    assert "Nothing has changed" in error_summary(admin_client.post(url, data))


# --- event categories ------------------------------------------------------------------


def test_it_adds_renames_and_retires_a_category_kept_by_its_events(
    admin_client, administrator, child
):
    response = admin_client.post(
        reverse("administration-categories"),
        {"label": "Youth offending contact", "agency_kind": AgencyKind.YOUTH_JUSTICE},
    )
    assert response.status_code == 302
    category = Category.objects.get(label="Youth offending contact")
    assert (category.code, category.active) == ("youth_offending_contact", True)
    assert audited(AuditAction.ADD_CATEGORY, administrator)
    ChronologyEventFactory(person=child, category=category)

    url = reverse("administration-category", args=[category.pk])
    admin_client.post(url, {"change": "rename", "label": "Youth justice contact"})
    category.refresh_from_db()
    assert (category.code, category.label) == ("youth_offending_contact", "Youth justice contact")
    assert audited(AuditAction.RENAME_CATEGORY, administrator)

    response = admin_client.post(url, {"change": "retire", "reason": "Merged into another."})
    assert response.status_code == 302
    category.refresh_from_db()
    assert not category.active
    assert category.events.count() == 1  # never deleted: its entry keeps it
    assert audited(AuditAction.RETIRE_CATEGORY, administrator).reason == "Merged into another."


def test_a_category_name_already_used_is_refused_naming_the_field(admin_client):
    response = admin_client.post(
        reverse("administration-categories"), {"label": "home visit", "agency_kind": ""}
    )
    summary = error_summary(response)
    assert 'href="#id_label"' in summary
    assert "There is already a category called Home visit" in summary


def test_a_category_sightline_writes_cannot_be_retired(admin_client):
    category = Category.objects.get(code="referral_sent")
    response = admin_client.post(
        reverse("administration-category", args=[category.pk]),
        {"change": "retire", "reason": "Not wanted."},
    )
    assert "cannot be retired" in error_summary(response)
    category.refresh_from_db()
    assert category.active


# --- nobody else -----------------------------------------------------------------------

# (URL name, what it is about, whether it takes a POST)
PAGES = [
    ("administration-user", "user", False),
    ("administration-user-role", "user", True),
    ("administration-issue-token", "user", True),
    ("administration-tokens", None, False),
    ("administration-revoke-token", "user", True),
    ("administration-agencies", None, True),
    ("administration-agency", "agency", True),
    ("administration-closure-days", None, True),
    ("administration-challenge-rules", None, False),
    ("administration-challenge-rule", "rule", True),
    ("administration-categories", None, True),
    ("administration-category", "category", True),
]


@pytest.mark.parametrize("persona", ["social_worker", "team_manager", "panel_analyst"])
def test_nobody_else_finds_or_uses_the_pages(client, request, persona, agencies, police_officer):
    someone = request.getfixturevalue(persona)
    Token.objects.create(user=police_officer)
    args = {
        "user": [police_officer.pk],
        "agency": [agencies["POLICE"].pk],
        "rule": ["not_seen_alone"],
        "category": [Category.objects.get(code="home_visit").pk],
        None: [],
    }
    client.force_login(someone)
    for name, kind, posts in PAGES:
        url = reverse(name, args=args[kind])
        assert client.get(url).status_code == 404, name
        if posts:
            data = {"reason": "x", "role": Role.ADMINISTRATOR, "change": "retire"}
            assert client.post(url, data).status_code == 404, name
    someone.refresh_from_db()
    assert someone.role != Role.ADMINISTRATOR
    assert Token.objects.filter(user=police_officer).exists()
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, actor=someone).count() == sum(
        2 if posts else 1 for _, _, posts in PAGES
    )
    assert Category.objects.get(code="home_visit").active


def test_last_use_is_kept_to_the_minute_and_an_old_token_keeps_reading_only(police_officer):
    token = Token.objects.create(user=police_officer)  # issued before policies: none
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    with time_machine.travel(TODAY, tick=False):
        assert api.get(reverse("api-agencies")).status_code == 200
    policy = TokenPolicy.objects.get(token=token)
    assert (policy.scopes, policy.last_used_at) == ([TokenScope.READ], TODAY)
    with time_machine.travel(TODAY + dt.timedelta(seconds=30), tick=False):
        api.get(reverse("api-agencies"))
    assert TokenPolicy.objects.get(token=token).last_used_at == TODAY
    later = TODAY + dt.timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        api.get(reverse("api-agencies"))
    assert TokenPolicy.objects.get(token=token).last_used_at == later
