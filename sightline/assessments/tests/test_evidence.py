"""Challenge evidence is read through the viewer's record view (issue 13, leak 2).

The attack: a decision on a child is challenged with police intelligence about the child
("seen with a known county lines nominal") and an arrest of the mother's new partner. The
decision page printed the stored summaries and the household fact to anyone who may open
the child's record, a school safeguarding lead included, although that viewer's chronology
withholds the same event. Each viewer now sees on the decision page what their chronology
shows of each event, and a fact about another person only with that section for that
person.
"""

import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from rest_framework.test import APIClient

from sightline.access import sections
from sightline.access.sections import Section, withheld_summary
from sightline.accounts.models import Role
from sightline.assessments import actions, queries
from sightline.assessments.models import Challenge
from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.chronology.models import ChronologyEvent
from sightline.people.models import InvolvementRole, RelationshipKind
from sightline.record.access import Intent, open_record
from sightline.testing import factories

from .conftest import TODAY

pytestmark = pytest.mark.django_db
D = dt.date

INTELLIGENCE = "Seen with a known county lines nominal"
MISSING = "Missing overnight, found in Bradford"
SUSPENSION = "Two days of suspension for fighting"
ARREST = "Arrested for assault on a former partner"
FACT = "Dean Example joined the household on 10 January 2025 and has 1 record of violence."
WITHHELD_POLICE = withheld_summary(Section.POLICE_INTELLIGENCE, "West Yorkshire Police")
WITHHELD_EDUCATION = withheld_summary(Section.EDUCATION_DETAIL, "Leeds Schools")
WITHHELD_FACT = queries.withheld_fact(["West Yorkshire Police"])
VIOLENT_ADULT_TITLE = "Plan ending while a new adult with a record of violence has joined"


@pytest.fixture
def school_lead(agencies, child):
    """The school's designated safeguarding lead, involved with the child."""
    lead = factories.UserFactory.create(
        username="sam.school",
        first_name="Sam",
        last_name="School",
        agency=agencies["EDUCATION"],
        role=Role.SAFEGUARDING_LEAD,
    )
    factories.InvolvementFactory.create(
        person=child,
        practitioner=lead,
        agency=agencies["EDUCATION"],
        role=InvolvementRole.SCHOOL_SAFEGUARDING_LEAD,
        started_on=D(2024, 1, 1),
    )
    return lead


@pytest.fixture
def partner(child, add_event):
    """The mother's new partner, who joined the household this year, with an arrest."""
    dean = factories.PersonFactory.create(
        given_name="Dean", family_name="Example", date_of_birth=D(1988, 2, 2)
    )
    factories.RelationshipFactory.create(
        person=dean,
        relative=child,
        kind=RelationshipKind.PARTNER_OF_PARENT,
        lives_with=True,
        started_on=D(2025, 1, 10),
    )
    add_event(dean, "arrest", 400, "POLICE", summary=ARREST, practitioner="DC Ames")
    return dean


@pytest.fixture
def decision(social_worker, child, partner, add_event):
    add_event(
        child,
        "exploitation_intelligence",
        12,
        "POLICE",
        summary=INTELLIGENCE,
        practitioner="DC Ames",
    )
    add_event(child, "missing_episode", 40, "POLICE", summary=MISSING)
    add_event(child, "suspension", 20, "EDUCATION", summary=SUSPENSION, practitioner="Head")
    decision = actions.record_decision(
        actor=social_worker,
        origin=CLI,
        child=child,
        step="case_closure",
        outcome="early_help",
        decided_on=TODAY,
        reasons="The family is engaging with early help.",
        history_considered=False,
    )
    codes = {c.rule_code for c in decision.challenges.all()}
    assert {"closing_while_concerns_rise", "plan_ended_new_violent_adult"} <= codes
    return decision


def decision_page(client, user, decision):
    client.force_login(user)
    response = client.get(reverse("assessments:decision", args=[decision.pk]))
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def chronology(user, child):
    """The summary of each of the child's events in this viewer's chronology (API)."""
    api = APIClient()
    api.force_authenticate(user)
    response = api.get(f"/api/v1/people/{child.public_id}/chronology/", secure=True)
    assert response.status_code == 200
    return {e["category"]["code"]: e["summary"] for e in response.json()["results"]}


def test_a_school_safeguarding_lead_sees_no_police_intelligence_in_challenge_evidence(
    client, school_lead, child, decision
):
    page = decision_page(client, school_lead, decision)
    assert INTELLIGENCE not in page
    assert WITHHELD_POLICE in page
    assert SUSPENSION in page  # education detail: the school's own section
    # The same treatment as this viewer's chronology.
    seen = chronology(school_lead, child)
    assert seen["exploitation_intelligence"] == WITHHELD_POLICE
    assert seen["suspension"] == SUSPENSION


def test_the_police_see_the_intelligence_but_not_education_detail(
    client, police_officer, child, decision
):
    page = decision_page(client, police_officer, decision)
    assert INTELLIGENCE in page
    # The partner's arrest: the police may see the section, but the summary belongs to
    # the partner's record, which this page does not open.
    assert ARREST not in page
    assert queries.OTHER_PERSON_SUMMARY in page
    assert SUSPENSION not in page  # education detail is not the police's
    assert WITHHELD_EDUCATION in page
    seen = chronology(police_officer, child)
    assert seen["exploitation_intelligence"] == INTELLIGENCE
    assert seen["suspension"] == WITHHELD_EDUCATION


def test_the_allocated_social_worker_sees_what_their_chronology_shows(
    client, social_worker, child, decision
):
    """Police intelligence stays with the police (``access.sections``): the allocated
    worker's chronology withholds it, and so does the decision page, with whom to ask."""
    page = decision_page(client, social_worker, decision)
    assert SUSPENSION in page
    assert MISSING in page
    assert INTELLIGENCE not in page
    assert WITHHELD_POLICE in page
    seen = chronology(social_worker, child)
    assert seen["exploitation_intelligence"] == WITHHELD_POLICE
    assert seen["suspension"] == SUSPENSION


def test_a_school_safeguarding_lead_is_not_told_a_household_adults_police_record(
    client, school_lead, decision
):
    """The fact "Dean ... has 1 record of violence" rests on an arrest (police
    intelligence) in Dean's record; the school lead may not see that section for him. That
    a challenge was raised, and whom to ask, still reach them."""
    page = decision_page(client, school_lead, decision)
    assert "Dean" not in page
    assert "has 1 record of violence" not in page
    assert ARREST not in page
    assert VIOLENT_ADULT_TITLE in page
    assert WITHHELD_FACT in page


def test_the_police_are_told_the_household_fact(client, police_officer, decision):
    page = decision_page(client, police_officer, decision)
    assert FACT in page
    assert WITHHELD_FACT not in page


def test_the_allocated_social_worker_is_told_whom_to_ask_about_the_household_fact(
    client, social_worker, decision
):
    """Dean's arrest is police intelligence in Dean's record, and the social worker is
    allocated to the child, not to him: the fact is withheld, the challenge is not."""
    page = decision_page(client, social_worker, decision)
    assert VIOLENT_ADULT_TITLE in page
    assert FACT not in page
    assert WITHHELD_FACT in page


def test_a_fact_resting_only_on_detail_the_viewer_may_see_is_shown(
    client, social_worker, child, add_event
):
    """A household adult's domestic abuse incident is in no restricted section."""
    adult = factories.PersonFactory.create(
        given_name="Lee", family_name="Example", date_of_birth=D(1990, 5, 5)
    )
    factories.RelationshipFactory.create(
        person=adult,
        relative=child,
        kind=RelationshipKind.PARTNER_OF_PARENT,
        lives_with=True,
        started_on=D(2025, 1, 10),
    )
    add_event(adult, "domestic_abuse_incident", 200, "POLICE")
    decision = actions.record_decision(
        actor=social_worker,
        origin=CLI,
        child=child,
        step="case_closure",
        outcome="early_help",
        decided_on=TODAY,
        reasons="Closing.",
        history_considered=False,
    )
    page = decision_page(client, social_worker, decision)
    assert (
        "Lee Example joined the household on 10 January 2025 and has 1 record of violence."
    ) in page


def test_a_fact_stored_without_its_sources_fails_closed(police_officer, child, decision):
    challenge = decision.challenges.get(rule_code="plan_ended_new_violent_adult")
    challenge.facts = [FACT, {"text": FACT, "person": None, "events": [10**9]}]
    challenge.save(update_fields=["facts"])
    [row] = [
        c
        for c in queries.challenge_rows(police_officer, opened(police_officer, child), decision)
        if c.pk == challenge.pk
    ]
    assert FACT not in row.explanation
    assert FACT not in row.facts
    assert row.facts_withheld


def test_facts_stored_as_sentences_are_given_their_sources(
    school_lead, police_officer, child, partner, decision
):
    """Migration 0002: a fact stored before it rests on the challenge's evidence about
    other people, and is withheld from whoever may not see any of it."""
    migration = importlib.import_module(
        "sightline.assessments.migrations.0002_facts_with_their_sources"
    )
    challenge = decision.challenges.get(rule_code="plan_ended_new_violent_adult")
    challenge.facts = [FACT]
    challenge.save(update_fields=["facts"])
    migration.forwards(django_apps, None)
    challenge.refresh_from_db()
    arrest = partner.events.get()
    assert challenge.facts == [{"text": FACT, "person": None, "events": [arrest.pk]}]

    def row(user):
        rows = queries.challenge_rows(user, opened(user, child), decision)
        return next(c for c in rows if c.pk == challenge.pk)

    assert row(police_officer).facts == (FACT,)
    assert row(school_lead).facts == (WITHHELD_FACT,)
    migration.backwards(django_apps, None)
    challenge.refresh_from_db()
    assert challenge.facts == [FACT]


def opened(user, child):
    return open_record(user, child.public_id, intent=Intent.VIEW_RECORD, origin=CLI).person


def test_evidence_about_another_person_is_redacted_by_that_persons_record_view(
    school_lead, police_officer, child, partner, decision
):
    def arrest_row(user):
        rows = queries.challenge_rows(user, opened(user, child), decision)
        [row] = [e for c in rows for e in c.evidence if e.category_code == "arrest"]
        return row

    withheld = arrest_row(school_lead)
    assert (withheld.summary, withheld.about_child) == (WITHHELD_POLICE, False)
    assert withheld.withheld_section == Section.POLICE_INTELLIGENCE.label
    shown = arrest_row(police_officer)
    assert (shown.summary, shown.practitioner) == (queries.OTHER_PERSON_SUMMARY, "")


def test_the_referrer_rule_applies_to_evidence(
    social_worker, school_lead, child, decision, add_event
):
    referral = add_event(
        child,
        "referral",
        30,
        "CSC",
        summary="Referral about bruising",
        practitioner="Ms Neighbour (next door)",
    )
    decision.challenges.first().evidence.add(referral)

    def referral_row(user):
        rows = queries.challenge_rows(user, opened(user, child), decision)
        [row] = [e for c in rows for e in c.evidence if e.event_id == referral.pk]
        return row

    assert referral_row(school_lead).practitioner == sections.WITHHELD_REFERRER
    assert referral_row(school_lead).summary == "Referral about bruising"
    assert referral_row(social_worker).practitioner == "Ms Neighbour (next door)"


def test_rows_are_frozen_and_the_events_given_are_left_as_loaded(school_lead, child, decision):
    events = list(ChronologyEvent.objects.filter(person=child).select_related("agency", "category"))
    rows = queries.evidence_rows(school_lead, opened(school_lead, child), events)
    intelligence = next(r for r in rows if r.category_code == "exploitation_intelligence")
    assert intelligence.summary == WITHHELD_POLICE
    assert INTELLIGENCE in {e.summary for e in events}
    with pytest.raises(AttributeError):
        intelligence.summary = INTELLIGENCE  # type: ignore[misc]


def _models_in(value):
    """Every model instance reachable through lists, tuples, dicts and frozen rows."""
    if isinstance(value, ChronologyEvent | Challenge):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _models_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _models_in(item)
    elif isinstance(value, queries.ChallengeRow | queries.EvidenceRow):
        for name in value.__dataclass_fields__:
            yield from _models_in(getattr(value, name))


def test_the_decision_page_is_given_rows_never_stored_events_or_challenges(
    client, school_lead, decision
):
    """Templates cannot print a stored summary or a challenge's stored words: the page's
    context holds only the rows ``queries.challenge_rows`` built for this viewer."""
    client.force_login(school_lead)
    response = client.get(reverse("assessments:decision", args=[decision.pk]))
    assert response.status_code == 200
    rows = response.context["challenges"]
    assert rows
    assert all(isinstance(row["challenge"], queries.ChallengeRow) for row in rows)
    assert list(_models_in(rows)) == []


def test_the_decision_page_is_audited_as_a_read_of_the_childs_record(
    client, school_lead, teacher, child, partner, decision
):
    """The page that shows challenge evidence writes one record read naming the child,
    with the decision and the household adults the evidence is about; a viewer with no
    relationship gets 404 and a denial row, as for an unknown decision."""
    decision_page(client, school_lead, decision)
    row = AuditEvent.objects.filter(actor=school_lead, action=AuditAction.VIEW_PERSON).last()
    assert row is not None
    assert row.person == child
    assert row.detail["page"] == "decision"
    assert row.detail["decision"] == decision.pk
    assert row.detail["evidence_about"] == [str(partner.public_id)]
    client.force_login(teacher)
    response = client.get(reverse("assessments:decision", args=[decision.pk]))
    assert response.status_code == 404
    denied = AuditEvent.objects.filter(actor=teacher, action=AuditAction.DENIED).last()
    assert denied is not None
    assert denied.person == child
    unknown = client.get(reverse("assessments:decision", args=[decision.pk + 1000]))
    assert unknown.status_code == 404


def test_a_challenge_form_shown_again_is_audited_with_the_evidence(
    client, social_worker, child, partner, decision
):
    challenge = decision.challenges.get(rule_code="plan_ended_new_violent_adult")
    client.force_login(social_worker)
    response = client.post(
        reverse("assessments:rationale", args=[challenge.pk]),
        {f"c{challenge.pk}-rationale": "too short"},
    )
    assert response.status_code == 400
    assert FACT not in " ".join(response.content.decode().split())
    row = AuditEvent.objects.filter(actor=social_worker, action=AuditAction.VIEW_PERSON).last()
    assert row is not None
    assert row.person == child
    assert row.detail["challenge"] == challenge.pk
    assert row.detail["evidence_about"] == [str(partner.public_id)]
