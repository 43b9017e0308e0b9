""" "Your work" on the home page, for each role: counts of what waits, and links."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from sightline.access.models import TokenPolicy
from sightline.accounts.models import Role
from sightline.assessments import actions as assessments
from sightline.assessments.tests.conftest import TODAY, add_event  # noqa: F401 - a fixture
from sightline.audit.actions import CLI
from sightline.chronology.models import Category
from sightline.deadlines.actions import record_local_closure
from sightline.governance.models import DisposalProposal, ProposalStatus, RetentionRule
from sightline.linkage.models import MatchReview, ReviewStatus
from sightline.pages.work import WorkItem, your_work
from sightline.sharing import actions as sharing
from sightline.subjectaccess import actions as subject_access
from sightline.subjectaccess.models import Relationship as Requester
from sightline.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fixed_today(settings):
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    with time_machine.travel(dt.datetime(2025, 3, 31, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


def counts(user) -> dict[str, int | None]:
    return {item.key: item.count for item in your_work(user, today=TODAY).items}


def challenged_closure(social_worker, child, add_event):  # noqa: F811
    """The social worker closes the case while concerns rise: a challenge to answer."""
    add_event(child, "domestic_abuse_incident", 12, "POLICE")
    add_event(child, "missing_episode", 40, "POLICE")
    return assessments.record_decision(
        actor=social_worker,
        origin=CLI,
        child=child,
        step="case_closure",
        outcome="close_case",
        decided_on=TODAY,
        reasons="Family engaging well.",
        history_considered=True,
        history_summary="Read the chronology.",
    )


def test_the_social_worker_sees_challenges_drafts_steps_referrals_and_alerts(
    client,
    social_worker,
    child,
    add_event,  # noqa: F811
):
    assert counts(social_worker) == {
        "challenges-to-answer": 0,
        "drafts": 0,
        "steps-due": 0,
        "referrals-to-acknowledge": 0,
        "unread-alerts": 0,
    }
    challenged_closure(social_worker, child, add_event)
    assessments.start_assessment(actor=social_worker, origin=CLI, child=child)
    # A referral received today is due within the week; one due in a month is not counted.
    assessments.open_decision_point(
        actor=social_worker, origin=CLI, child=child, step="referral_decision", started_on=TODAY
    )
    assert counts(social_worker) == {
        "challenges-to-answer": 1,
        "drafts": 1,
        "steps-due": 1,
        "referrals-to-acknowledge": 0,
        "unread-alerts": 0,
    }
    client.force_login(social_worker)
    html = client.get(reverse("home")).content.decode()
    assert 'id="your-work"' in html
    assert (
        f'<li id="work-challenges-to-answer"><a class="govuk-link" '
        f'href="{reverse("assessments:dashboard")}#challenges-to-answer">Challenges to answer: '
        '<strong class="app-work-count">1</strong></a></li>'
    ) in html
    # Each count leads to the list of what it counts.
    dashboard = reverse("assessments:dashboard")
    assert f'href="{dashboard}#drafts">Assessments in draft' in html
    assert f'href="{dashboard}#your-steps">Steps overdue' in html


def test_the_team_manager_sees_sign_offs_overdue_steps_and_each_workers_caseload(
    client,
    social_worker,
    team_manager,
    child,
    add_event,  # noqa: F811
):
    decision = challenged_closure(social_worker, child, add_event)
    assessments.record_rationale(
        actor=social_worker,
        origin=CLI,
        challenge=decision.challenges.get(),
        rationale="The family has engaged with every service offered since.",
    )
    draft = assessments.start_assessment(actor=social_worker, origin=CLI, child=child)
    assessments.save_assessment(
        actor=social_worker,
        origin=CLI,
        assessment=draft,
        values={
            "harm": "Bruising seen.",
            "complicating_factors": "None known.",
            "working_well": "School attendance.",
            "needs_to_happen": "A plan.",
            "seen_alone": "no",
            "child_words": "Said she likes school.",
            "danger_statements": "Could be hurt again.",
            "safety_goals": "Safe at home.",
            "safety_scale": 4,
        },
    )
    assessments.submit_assessment(actor=social_worker, origin=CLI, assessment=draft)
    # A referral from last year: long overdue.
    assessments.open_decision_point(
        actor=social_worker,
        origin=CLI,
        child=child,
        step="referral_decision",
        started_on=dt.date(2024, 5, 3),
    )
    work = your_work(team_manager, today=TODAY)
    found = {item.key: item.count for item in work.items}
    assert found["sign-offs"] == 2  # the assessment and the challenge's rationale
    assert found["overdue-steps"] == 1
    [load] = work.caseload or []
    assert load.worker == social_worker
    assert (load.children, load.decisions, load.challenged, load.overridden) == (1, 1, 1, 0)
    assert (load.challenge_rate, load.override_rate) == (100, 0)
    assert load.plans is None  # from the case record, later: never a made-up number
    client.force_login(team_manager)
    html = client.get(reverse("home")).content.decode()
    assert 'id="caseload"' in html
    assert "Not yet available" in html
    assert "100% of 1" in html


def test_a_worker_with_no_decisions_has_no_rates(team_manager, social_worker):
    [load] = your_work(team_manager, today=TODAY).caseload or []
    assert (load.challenge_rate, load.override_rate) == (None, None)


def listed(client, href: str, table_id: str) -> list[str]:
    """The rows of the table ``table_id`` on the page ``href`` leads to (none without it)."""
    html = client.get(href).content.decode()
    if f'id="{table_id}"' not in html:
        return []
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody", 1)[1]
    return re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', body, re.S)


@pytest.fixture
def school_lead(agencies, child):
    """A school's designated safeguarding lead, involved with ``child``."""
    school = factories.TeamFactory.create(agency=agencies["EDUCATION"], name="Leeds Primary")
    lead = factories.UserFactory.create(
        username="sam.school",
        agency=agencies["EDUCATION"],
        team=school,
        role=Role.SAFEGUARDING_LEAD,
    )
    factories.InvolvementFactory.create(
        person=child,
        practitioner=lead,
        agency=agencies["EDUCATION"],
        role="school_safeguarding_lead",
        started_on=dt.date(2024, 9, 1),
    )
    return lead


def test_the_safeguarding_lead_sees_the_referrals_they_made_each_status_a_link(
    client, agencies, school_lead, child
):
    work = your_work(school_lead, today=TODAY)
    assert [item.label for item in work.referrals_made or []] == [
        "Awaiting acknowledgement",
        "Acknowledged, outcome to follow",
        "Outcome recorded",
    ]
    sent = reverse("sharing-referrals-sent")
    assert work.items[0] == WorkItem(
        "referrals-made", "Referrals you and your team made, awaiting an outcome", 0, sent
    )

    front_door = factories.TeamFactory.create(agency=agencies["CSC"], name="Front Door")
    duty = factories.UserFactory.create(
        username="dev.duty", agency=agencies["CSC"], team=front_door, role=Role.PRACTITIONER
    )
    made = [
        sharing.raise_referral(
            actor=school_lead,
            person=child,
            to_team=front_door.pk,
            urgency="amber",
            reason=f"Concern {n}",
            shared="What the school knows.",
            origin=CLI,
        )
        for n in range(4)
    ]
    sharing.acknowledge_referral(actor=duty, referral=made[0], origin=CLI)
    sharing.record_outcome(
        actor=duty, referral=made[1], outcome="no_further_action", reason="Known.", origin=CLI
    )
    # Another school's referral is not the lead's to follow up, and not counted.
    other = factories.UserFactory.create(
        agency=agencies["EDUCATION"],
        team=factories.TeamFactory.create(agency=agencies["EDUCATION"]),
    )
    factories.InvolvementFactory.create(
        person=child, practitioner=other, agency=agencies["EDUCATION"], started_on=TODAY
    )
    sharing.raise_referral(
        actor=other,
        person=child,
        to_team=front_door.pk,
        urgency="amber",
        reason="Theirs",
        shared="Theirs.",
        origin=CLI,
    )

    work = your_work(school_lead, today=TODAY)
    by_status = {item.key: item for item in work.referrals_made or []}
    assert {key: item.count for key, item in by_status.items()} == {
        "referrals-awaiting-acknowledgement": 2,
        "referrals-acknowledged": 1,
        "referrals-closed": 1,
    }
    assert work.items[0].count == 3
    client.force_login(school_lead)
    html = client.get(reverse("home")).content.decode()
    for item in by_status.values():
        assert f'href="{item.href}"' in html
        # Each count leads to the referrals sent with that status, and only those.
        rows = listed(client, item.href, "sent")
        assert len(rows) == item.count
        assert all("sam.school" not in row for row in rows)  # "by you", not a stranger
    closed = listed(client, by_status["referrals-closed"].href, "sent")
    assert "No further action" in closed[0]
    assert len(listed(client, work.items[0].href, "sent")) == 4  # every status


def test_the_administrator_sees_counts_of_what_to_act_on_each_a_link_to_exactly_those(
    client, agencies, administrator
):
    now = timezone.now()
    team = factories.TeamFactory.create(agency=agencies["CSC"], name="Front Door")
    administrator.team = team
    administrator.save(update_fields=["team"])
    signed_in = factories.UserFactory.create(
        username="sid.signedin", agency=agencies["CSC"], team=team, last_login=now
    )
    lone = factories.UserFactory.create(
        username="nell.noteam", agency=agencies["POLICE"], last_login=now
    )
    never = factories.UserFactory.create(username="neve.never", agency=agencies["CSC"], team=team)
    factories.UserFactory.create(username="dee.gone", agency=agencies["CSC"], is_active=False)

    # API tokens: one issued long ago and never used, one last used long ago, one used
    # last week, and one issued yesterday (not yet used, but new).
    def token(owner, *, issued_days_ago: int, used_days_ago: int | None) -> Token:
        made = Token.objects.create(user=owner)
        Token.objects.filter(pk=made.pk).update(created=now - dt.timedelta(days=issued_days_ago))
        if used_days_ago is not None:
            TokenPolicy.objects.create(
                token=made, last_used_at=now - dt.timedelta(days=used_days_ago)
            )
        return made

    token(signed_in, issued_days_ago=200, used_days_ago=None)
    token(lone, issued_days_ago=300, used_days_ago=120)
    token(never, issued_days_ago=300, used_days_ago=7)
    token(administrator, issued_days_ago=1, used_days_ago=None)

    record_local_closure(
        actor=administrator, origin=CLI, date=dt.date(2025, 4, 23), reason="Staff training."
    )
    client.force_login(administrator)
    client.post(
        reverse("administration-challenge-rule", args=["repeat_referral_start_again"]),
        {"active": "off", "within_days": "365", "reason": "Agreed at the partnership board."},
    )

    assert counts(administrator) == {
        "users": 4,
        "users-without-team": 1,
        "users-never-signed-in": 1,  # signing in (the administrator's) sets last_login
        "add-user": None,
        "roles": None,
        "teams": 1,
        "agencies": 5,
        "api-tokens": 4,
        "api-tokens-unused": 2,
        "closure-days": 1,
        "challenge-rules-off": 1,
        "event-categories": Category.objects.count(),
        "administration": None,
    }
    html = client.get(reverse("home")).content.decode()
    tables = {
        "users": "users",
        "users-without-team": "users",
        "users-never-signed-in": "users",
        "teams": "teams",
        "agencies": "agencies",
        "api-tokens": "tokens",
        "api-tokens-unused": "tokens",
        "closure-days": "closure-days",
        "challenge-rules-off": "challenge-rules",
        "event-categories": "categories",
    }
    items = {item.key: item for item in your_work(administrator, today=TODAY).items}
    for key, table_id in tables.items():
        item = items[key]
        assert f'<li id="work-{key}"><a class="govuk-link" href="{item.href}">' in html
        assert len(listed(client, item.href.split("#")[0], table_id)) == item.count, key
    assert "nell.noteam" in listed(client, items["users-without-team"].href, "users")[0]
    never_rows = " ".join(listed(client, items["users-never-signed-in"].href, "users"))
    assert "neve.never" in never_rows
    assert "sid.signedin" not in never_rows
    unused = " ".join(listed(client, items["api-tokens-unused"].href, "tokens"))
    assert str(signed_in) in unused
    assert str(lone) in unused
    assert str(never) not in unused
    [off] = listed(client, items["challenge-rules-off"].href, "challenge-rules")
    assert ">Off<" in off
    for key in ("add-user", "roles", "administration"):
        assert client.get(items[key].href).status_code == 200


@pytest.mark.parametrize(
    ("role", "signs_off"),
    [
        (Role.PARTNERSHIP_BUSINESS_MANAGER, False),
        (Role.PARTNER_LEAD_LOCAL_AUTHORITY, True),
    ],
)
def test_the_partnership_sees_notifications_rapid_and_local_reviews(agencies, role, signs_off):
    user = factories.UserFactory.create(agency=agencies["CSC"], role=role)
    found = counts(user)
    assert {"notifications", "rapid-reviews", "local-reviews"} <= set(found)
    assert ("rapid-review-sign-offs" in found) is signs_off


def test_the_panel_analyst_sees_reviews_to_code_and_adjudications(panel_analyst):
    factories.ReviewDocumentFactory.create_batch(2)
    assert counts(panel_analyst) == {
        "panel-responses": 0,
        "reviews-to-code": 2,
        "adjudications": 0,
        "themes-report": None,
    }


def test_the_data_quality_officer_sees_possible_duplicates_and_subject_access_requests(
    client, agencies, child
):
    officer = factories.UserFactory.create(agency=agencies["CSC"], role=Role.DATA_QUALITY)
    a, b, c, d = factories.SourceRecordFactory.create_batch(4, agency=agencies["HEALTH"])
    common = {"probability": 0.9, "evidence_key": "k", "model_version": "v"}
    MatchReview.objects.create(record_a=a, record_b=b, proposed_at=timezone.now(), **common)
    MatchReview.objects.create(
        record_a=c, record_b=d, proposed_at=timezone.now(), status=ReviewStatus.CONFIRMED, **common
    )
    for received_on in (TODAY - dt.timedelta(days=3), TODAY):
        subject_access.record_request(
            actor=officer,
            person=child,
            agency_id=agencies["CSC"].pk,
            requester_name="Pat Parent",
            relationship=Requester.PARENT,
            received_on=received_on,
            origin=CLI,
        )
    # Another agency's request is its own officers' to answer.
    subject_access.record_request(
        actor=None,
        person=child,
        agency_id=agencies["POLICE"].pk,
        requester_name="Pat Parent",
        relationship=Requester.PARENT,
        received_on=TODAY,
        origin=CLI,
    )
    assert counts(officer) == {"identity-reviews": 1, "subject-access-open": 2}
    client.force_login(officer)
    html = client.get(reverse("home")).content.decode()
    for item in your_work(officer, today=TODAY).items:
        assert f'<li id="work-{item.key}"><a class="govuk-link" href="{item.href}">' in html
        assert client.get(item.href).status_code == 200


def test_the_information_governance_officer_sees_the_disposals_to_decide(client, agencies):
    officer = factories.UserFactory.create(agency=agencies["CSC"], role=Role.INFORMATION_GOVERNANCE)
    rule = RetentionRule.objects.get(kind="adult")
    for status in (ProposalStatus.PROPOSED, ProposalStatus.REFUSED):
        person = factories.PersonFactory.create()
        decided = (
            {"decided_at": timezone.now(), "decided_by": officer, "decision_reason": "Kept."}
            if status == ProposalStatus.REFUSED
            else {}
        )
        DisposalProposal.objects.create(
            person=person,
            person_ref=person.public_id,
            kind="adult",
            rule=rule,
            due_on=TODAY,
            as_of=TODAY,
            proposed_at=timezone.now(),
            status=status,
            **decided,
        )
    assert counts(officer) == {"disposals": 1, "retention-schedule": None}
    client.force_login(officer)
    html = client.get(reverse("home")).content.decode()
    for item in your_work(officer, today=TODAY).items:
        assert f'<li id="work-{item.key}"><a class="govuk-link" href="{item.href}">' in html
        assert client.get(item.href).status_code == 200


def test_a_lead_sees_possible_duplicates_only_of_the_children_they_work_with(agencies):
    """Team managers and safeguarding leads review pairs touching their children: the count
    shows when there are some, and counts only those."""
    lead = factories.UserFactory.create(agency=agencies["EDUCATION"], role=Role.SAFEGUARDING_LEAD)
    assert "identity-reviews" not in counts(lead)
    common = {"probability": 0.9, "evidence_key": "k", "proposed_at": timezone.now()}
    ours = factories.SourceRecordFactory.create(agency=agencies["EDUCATION"])
    factories.InvolvementFactory.create(person=ours.person, practitioner=lead)
    theirs = factories.SourceRecordFactory.create_batch(2, agency=agencies["HEALTH"])
    MatchReview.objects.create(record_a=ours, record_b=theirs[0], model_version="v", **common)
    MatchReview.objects.create(record_a=theirs[0], record_b=theirs[1], model_version="v", **common)
    assert counts(lead)["identity-reviews"] == 1
