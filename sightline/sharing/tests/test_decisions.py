"""Sharing decisions: what, with whom, why, the lawful basis, consent and whether the
family was told; recorded on every share and by hand; in the chronology of whoever may
see the child, in the agency's report and over the API."""

import datetime as dt

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sightline.access import actions as access_actions
from sightline.access.models import TokenPolicy
from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.chronology.models import ChronologyEvent
from sightline.record.access import Intent, open_record
from sightline.sharing import actions
from sightline.sharing.defaults import DECISION_CATEGORY
from sightline.sharing.models import (
    Consent,
    DecisionOrigin,
    LawfulBasis,
    NotInformedReason,
    Referral,
    SharingDecision,
    SharingOutcome,
)
from sightline.testing import factories

pytestmark = pytest.mark.django_db


def decide(actor, child, **overrides):
    given = {
        "actor": actor,
        "child": child,
        "outcome": SharingOutcome.NOT_SHARED,
        "what": "School attendance records",
        "why": "The request was not about safeguarding",
        "with_agency": None,
        "consent": Consent.GIVEN,
        "family_informed": True,
        "origin": CLI,
    }
    return actions.record_sharing_decision(**(given | overrides))


# -- the action's rules -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"outcome": "maybe"}, "outcome"),
        ({"what": "  "}, "what"),
        ({"why": ""}, "why"),
        ({"with_agency": None, "with_user": None}, "with_whom"),
        ({"consent": "assumed"}, "consent"),
        ({"consent": Consent.NOT_SOUGHT}, "consent_not_sought_reason"),
        (
            {"consent": Consent.NOT_SOUGHT, "consent_not_sought_reason": " "},
            "consent_not_sought_reason",
        ),
        ({"family_informed": False}, "not_informed_reason"),
        ({"family_informed": False, "not_informed_reason": "bored"}, "not_informed_reason"),
        (
            {"family_informed": False, "not_informed_reason": NotInformedReason.OTHER},
            "not_informed_detail",
        ),
    ],
)
def test_a_decision_is_refused_naming_the_field(social_worker, child, agencies, overrides, field):
    with pytest.raises(actions.DecisionRefusedError) as refused:
        decide(social_worker, child, **({"with_agency": agencies["POLICE"]} | overrides))
    assert refused.value.field == field
    assert not SharingDecision.objects.exists()
    assert not ChronologyEvent.objects.exists()


def test_a_retired_lawful_basis_is_refused(social_worker, child, agencies):
    retired = LawfulBasis.objects.create(code="old", label="Old", source="Repealed", active=False)
    with pytest.raises(actions.DecisionRefusedError) as refused:
        decide(social_worker, child, with_agency=agencies["POLICE"], lawful_basis=retired)
    assert refused.value.field == "lawful_basis"


def test_the_lawful_bases_are_seeded_with_their_sources():
    bases = {b.code: b for b in LawfulBasis.objects.all()}
    assert "article 6(1)(e)" in bases["safeguarding"].source
    assert "article 9(2)(g)" in bases["safeguarding"].source
    assert "schedule 1 part 2 paragraph 18" in bases["safeguarding"].source
    assert "schedule 8 paragraph 4" in bases["police_safeguarding"].source
    assert bases["police_safeguarding"].for_police


def test_the_default_lawful_basis_is_part_3_for_the_police(
    social_worker, police_officer, child, agencies
):
    mine = decide(social_worker, child, with_agency=agencies["POLICE"])
    theirs = decide(police_officer, child, with_agency=agencies["CSC"])
    assert mine.lawful_basis.code == "safeguarding"
    assert theirs.lawful_basis.code == "police_safeguarding"


# -- the chronology and the audit -------------------------------------------------------------


def test_a_decision_not_to_share_is_in_the_chronology_of_whoever_may_see_the_child(
    social_worker, police_officer, teacher, child, agencies
):
    decision = decide(
        social_worker,
        child,
        with_agency=agencies["EDUCATION"],
        family_informed=False,
        not_informed_reason=NotInformedReason.POLICE_INVESTIGATION,
    )
    event = ChronologyEvent.objects.get()
    assert decision.event == event
    assert (event.agency, event.category.code) == (agencies["CSC"], DECISION_CATEGORY[0])
    assert event.summary.startswith("Decided not to share with Leeds Schools")
    assert "Lawful basis: Safeguarding of children and of individuals at risk" in event.summary
    assert "prejudice a police investigation" in event.summary

    # The police officer may see the child: the decision is in their chronology, unredacted.
    rows = list(
        open_record(
            police_officer, child.public_id, intent=Intent.VIEW_RECORD, origin=CLI
        ).chronology()
    )
    assert [row.summary for row in rows] == [event.summary]
    # The teacher may not: the record (and so the decision) is a 404.
    with pytest.raises(Http404):
        open_record(teacher, child.public_id, intent=Intent.VIEW_RECORD, origin=CLI)

    audit = AuditEvent.objects.get(action=AuditAction.RECORD_SHARING_DECISION)
    assert (audit.person, audit.actor) == (child, social_worker)
    assert audit.detail["outcome"] == "not_shared"
    assert audit.detail["not_informed_reason"] == "police_investigation"


def test_the_agency_without_a_record_of_the_child_gets_one_with_its_identity(
    police_officer, child, agencies
):
    decide(police_officer, child, with_agency=agencies["CSC"])
    record = child.source_records.get(agency=agencies["POLICE"])
    assert (record.given_name, record.family_name) == ("Jamie", "Testchild")
    decide(police_officer, child, with_agency=agencies["CSC"])
    assert child.source_records.filter(agency=agencies["POLICE"]).count() == 1


def test_a_referral_records_its_decision_and_the_chronology_does_not_name_the_referrer(
    school_lead, child, front_door
):
    referral = actions.raise_referral(
        actor=school_lead,
        person=child,
        to_team=front_door.pk,
        urgency="amber",
        reason="Came to school with bruising",
        shared="Body map",
        decision=actions.DecisionAnswers(
            consent=Consent.NOT_SOUGHT,
            consent_not_sought_reason="Seeking consent would put the child at risk",
            family_informed=False,
            not_informed_reason=NotInformedReason.CHILD_AT_RISK,
        ),
        origin=CLI,
    )
    decision = SharingDecision.objects.get(referral=referral)
    assert (decision.outcome, decision.about) == (SharingOutcome.SHARED, DecisionOrigin.REFERRAL)
    assert decision.with_agency == front_door.agency
    assert decision.what == "Body map"
    assert decision.why == "Came to school with bruising"
    event = decision.event
    assert event is not None
    assert "Shared with Leeds Children's Social Care (referral)" in event.summary
    assert "would put the child at risk" in event.summary
    for name in ("Sam", "School", school_lead.username):
        assert name not in event.summary
    assert event.practitioner == ""


def test_a_referral_whose_decision_is_refused_is_not_sent(school_lead, child, front_door):
    with pytest.raises(actions.DecisionRefusedError):
        actions.raise_referral(
            actor=school_lead,
            person=child,
            to_team=front_door.pk,
            urgency="amber",
            reason="Bruising",
            shared="",
            decision=actions.DecisionAnswers(consent=Consent.GIVEN, family_informed=False),
            origin=CLI,
        )
    assert not Referral.objects.exists()
    assert not SharingDecision.objects.exists()


def test_a_flag_check_emergency_access_and_an_export_record_their_decisions(
    flagged_child, ed_nurse, teacher, social_worker
):
    actions.check_flag(actor=ed_nurse, nhs_number=flagged_child.nhs_number, origin=CLI)
    access_actions.break_glass(
        actor=teacher,
        person=flagged_child,
        reason_code="immediate_risk",
        reason_text="A disclosure this morning",
        origin=CLI,
    )
    about = dict(SharingDecision.objects.values_list("about", "decided_by__username"))
    assert about == {"flag_check": "nina.nurse", "emergency_access": "tess.teacher"}
    emergency = SharingDecision.objects.get(about=DecisionOrigin.EMERGENCY_ACCESS)
    assert emergency.why == "A disclosure this morning"
    assert emergency.with_user == teacher
    assert emergency.lawful_basis.code == "safeguarding"

    client = Client()
    client.force_login(social_worker)
    response = client.post(
        reverse("access-export-chronology", args=[flagged_child.public_id]),
        {
            "reason_code": "conference_report",
            "reason_text": "Report for Monday's conference",
            "password": "correct horse battery staple",
        },
        secure=True,
    )
    assert response.status_code == 200
    export = SharingDecision.objects.get(about=DecisionOrigin.EXPORT)
    assert "Report for Monday's conference" in export.why
    assert export.decided_by == social_worker


# -- the standalone form ----------------------------------------------------------------------


def test_a_decision_not_to_share_is_recorded_from_the_childs_page(social_worker, child, agencies):
    client = Client()
    client.force_login(social_worker)
    page = client.get(reverse("person-detail", args=[child.public_id]), secure=True)
    url = reverse("sharing-new-decision", args=[child.public_id])
    assert url in page.content.decode()
    form = client.get(url, secure=True).content.decode()
    assert "Jamie Testchild" in form
    assert 'data-aria-controls="family-not-informed"' in form

    data = {
        "outcome": "not_shared",
        "what": "The family's housing history",
        "with_agency": agencies["HOUSING"].pk,
        "why": "Not necessary for the housing application",
        "lawful_basis": LawfulBasis.objects.get(code="safeguarding").pk,
        "consent": "not_sought",
        "family_informed": "no",
        "not_informed_reason": "other",
    }
    refused = client.post(url, data, secure=True)
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Say why consent was not sought" in text
    assert "Explain why the family was not told" in text
    assert not SharingDecision.objects.exists()

    data |= {
        "consent_not_sought_reason": "Not sharing: no consent needed",
        "not_informed_detail": "Nothing was shared",
    }
    response = client.post(url, data, secure=True)
    assert response.status_code == 302
    decision = SharingDecision.objects.get()
    assert (decision.outcome, decision.about) == ("not_shared", "manual")
    assert decision.family_reason == "Other: Nothing was shared"


# -- the agency's report ----------------------------------------------------------------------


def test_the_report_counts_the_agencys_decisions_and_names_only_children_one_may_see(
    social_worker, team_manager, police_officer, child, agencies
):
    other = factories.PersonFactory.create(given_name="Robin", family_name="Unseen")
    decide(social_worker, child, with_agency=agencies["POLICE"])
    decide(
        social_worker,
        other,
        outcome=SharingOutcome.SHARED,
        with_agency=agencies["HEALTH"],
        family_informed=False,
        not_informed_reason=NotInformedReason.CHILD_AT_RISK,
    )
    decide(police_officer, child, with_agency=agencies["CSC"])  # another agency's
    # The manager manages the social worker, so sees ``child``; nobody sees ``other``.
    client = Client()
    client.force_login(team_manager)
    response = client.get(reverse("sharing-decisions"), secure=True)
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.total, report.shared, report.not_shared) == (2, 1, 1)
    assert report.not_informed == [("Informing the family would put the child at risk", 1)]
    assert report.by_lawful_basis == [("Safeguarding of children and of individuals at risk", 2)]
    page = response.content.decode()
    assert "Robin" not in page
    assert "Unseen" not in page
    named = {row.person_name for row in report.rows}
    assert named == {"Jamie Testchild", ""}

    listed = {
        e.person_id: e.action
        for e in AuditEvent.objects.filter(
            actor=team_manager, action__in=[AuditAction.LIST_PERSON, AuditAction.LIST_UNNAMED]
        )
    }
    assert listed == {child.pk: AuditAction.LIST_PERSON, other.pk: AuditAction.LIST_UNNAMED}


def test_the_report_covers_only_the_period(social_worker, team_manager, child, agencies):
    decision = decide(social_worker, child, with_agency=agencies["POLICE"])
    SharingDecision.objects.filter(pk=decision.pk).update(
        decided_at=timezone.now() - dt.timedelta(days=90)
    )
    client = Client()
    client.force_login(team_manager)
    assert client.get(reverse("sharing-decisions"), secure=True).context["report"].total == 0
    old = timezone.localdate() - dt.timedelta(days=90)
    response = client.get(
        reverse("sharing-decisions"),
        {"start_day": old.day, "start_month": old.month, "start_year": old.year},
        secure=True,
    )
    assert response.context["report"].total == 1


@pytest.mark.parametrize(
    "persona", ["social_worker", "police_officer", "panel_analyst", "administrator"]
)
def test_the_report_is_for_leads_and_managers_only(request, persona):
    user = request.getfixturevalue(persona)
    client = Client()
    client.force_login(user)
    assert client.get(reverse("sharing-decisions"), secure=True).status_code == 403
    assert AuditEvent.objects.filter(actor=user, action=AuditAction.DENIED).exists()


# -- the API ----------------------------------------------------------------------------------


def token_client(user, scopes):
    token = Token.objects.create(user=user)
    TokenPolicy.objects.create(token=token, scopes=scopes)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_a_decision_over_the_api_needs_write_and_names_the_field_in_error(
    social_worker, teacher, child
):
    body = {
        "person": str(child.public_id),
        "outcome": "shared",
        "what": "Chronology summary",
        "why": "Strategy discussion",
        "with_agency": "POLICE",
        "consent": "given",
        "family_informed": False,
        "not_informed_reason": "police_investigation",
    }
    url = reverse("api-sharing-decisions")
    read_only = token_client(social_worker, ["read"])
    assert read_only.post(url, body, format="json", secure=True).status_code == 403

    TokenPolicy.objects.filter(token__user=social_worker).update(scopes=["read", "write"])
    api = read_only
    refused = api.post(url, body | {"not_informed_reason": ""}, format="json", secure=True)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "not_informed_reason"

    created = api.post(url, body, format="json", secure=True)
    assert created.status_code == 201
    assert created.json()["lawful_basis"] == "safeguarding"
    assert "schedule 1 part 2 paragraph 18" in created.json()["lawful_basis_source"]
    listed = api.get(url, secure=True).json()
    assert [row["person"] for row in listed] == [str(child.public_id)]

    # A child the teacher may not see: 404, and nothing recorded.
    outsider = token_client(teacher, ["read", "write"])
    assert outsider.post(url, body, format="json", secure=True).status_code == 404
    assert SharingDecision.objects.count() == 1


# -- the configured list ----------------------------------------------------------------------


def test_an_administrator_adds_and_retires_lawful_bases(administrator, social_worker):
    client = Client()
    client.force_login(administrator)
    url = reverse("sharing-lawful-bases")
    assert "schedule 8 paragraph 4" in client.get(url, secure=True).content.decode()
    response = client.post(
        url,
        {
            "label": "Legal obligation",
            "source": "UK GDPR article 6(1)(c)",
            "code": "legal_obligation",
        },
        secure=True,
    )
    assert response.status_code == 302
    added = LawfulBasis.objects.get(code="legal_obligation")
    client.post(reverse("sharing-lawful-basis-active", args=[added.pk]), secure=True)
    added.refresh_from_db()
    assert not added.active
    # The last basis of its kind in use stays: every share needs a default.
    police = LawfulBasis.objects.get(code="police_safeguarding")
    client.post(reverse("sharing-lawful-basis-active", args=[police.pk]), secure=True)
    police.refresh_from_db()
    assert police.active
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE_LAWFUL_BASIS).count() == 2

    practitioner = Client()
    practitioner.force_login(social_worker)
    assert practitioner.get(url, secure=True).status_code == 403
