"""The identity a person shows: chosen by the rules of ``people.identity``, with its
sources, and never taken over by another agency's submission (issue 13, leak 4)."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sightline.access.models import TokenPolicy
from sightline.agencies.models import AgencyKind
from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.chronology.models import ChronologyEvent
from sightline.importing.actions import import_people_file
from sightline.importing.rows import PersonRecordRow
from sightline.importing.submissions import submit_person_records
from sightline.linkage import actions as linkage_actions
from sightline.linkage.models import LinkDecision, MatchReview, ReviewStatus
from sightline.linkage.queries import decisions_in_force
from sightline.people import identity
from sightline.people.actions import (
    end_involvement,
    record_involvement,
    refresh_identities,
)
from sightline.people.identity import Claim, IdentityField
from sightline.people.models import InvolvementRole, SourceRecord
from sightline.testing import factories

NHS = factories.synthetic_nhs_number(41)
OTHER_NHS = factories.synthetic_nhs_number(42)
T0 = dt.datetime(2024, 1, 1, 9, 0, tzinfo=dt.UTC)


# -- the rules, on their own --------------------------------------------------------------


def claim(kind, *, days=0, code=None, open_case=False, pk=None, **values):
    code = code or kind.upper()[:6]
    return Claim(
        agency_code=code,
        agency_name=f"{code} agency",
        agency_kind=kind,
        record_id=f"{code}-{days}",
        established=T0 + dt.timedelta(days=days),
        record_pk=pk if pk is not None else days + 1,
        open_case=open_case,
        **values,
    )


HEALTH, CSC, EDUCATION, POLICE, HOUSING = (
    AgencyKind.HEALTH,
    AgencyKind.CHILDRENS_SOCIAL_CARE,
    AgencyKind.EDUCATION,
    AgencyKind.POLICE,
    AgencyKind.HOUSING,
)


def test_the_table_names_every_field_and_only_real_kinds_of_agency():
    assert set(identity.AGENCY_OF_RECORD) == set(IdentityField)
    for authorities in identity.AGENCY_OF_RECORD.values():
        assert {a.kind for a in authorities} <= set(AgencyKind.values)
    assert {CSC} == identity.OPEN_CASE_KINDS


def test_health_is_the_agency_of_record_for_date_of_birth_and_sex_though_it_came_last():
    claims = [
        claim(EDUCATION, days=0, date_of_birth=dt.date(2016, 5, 4), sex="M"),
        claim(CSC, days=1, date_of_birth=dt.date(2016, 5, 4), sex="M"),
        claim(HEALTH, days=2, date_of_birth=dt.date(2016, 4, 5), sex="F"),
    ]
    shown = identity.shown_identity(claims)
    assert (shown.date_of_birth, shown.sex) == (dt.date(2016, 4, 5), "F")
    assert shown.sources[IdentityField.DATE_OF_BIRTH].claim.agency_kind == HEALTH
    assert shown.sources[IdentityField.SEX].basis == "agency of record for the sex: health"


def test_without_an_agency_of_record_the_first_to_record_a_value_wins_not_the_newest():
    claims = [
        claim(POLICE, days=5, address="1 Decoy Road", postcode="LS9 9ZZ", sex="M"),
        claim(EDUCATION, days=0, address="2 School Lane", postcode="LS1 4AP", sex=""),
        claim(HOUSING, days=9, address="3 New Street", postcode="LS2 7EY", sex="F"),
    ]
    shown = identity.shown_identity(claims)
    assert (shown.address, shown.postcode) == ("2 School Lane", "LS1 4AP")
    assert shown.sources[IdentityField.ADDRESS].basis == "first agency to record the address"
    assert shown.sex == "M"  # education gave none; police was next


def test_the_name_is_social_cares_while_it_holds_an_open_case_else_healths():
    claims = [
        claim(HEALTH, days=0, given_name="Jamie", family_name="Birthname"),
        claim(CSC, days=3, given_name="Jamie", family_name="Adopted"),
        claim(EDUCATION, days=1, given_name="Jay", family_name="Schoolname"),
    ]
    assert identity.shown_identity(claims).family_name == "Birthname"
    claims[1] = claim(CSC, days=3, open_case=True, given_name="Jamie", family_name="Adopted")
    shown = identity.shown_identity(claims)
    assert shown.family_name == "Adopted"
    assert shown.sources[IdentityField.NAME].basis == (
        "agency of record for the name: children's social care with an open case"
    )
    # Without health or an open case: the first agency to record a name.
    assert identity.shown_identity(claims[2:]).family_name == "Schoolname"


def test_the_address_is_social_cares_with_an_open_case_and_never_healths_by_kind():
    claims = [
        claim(EDUCATION, days=0, address="2 School Lane", postcode="LS1 4AP"),
        claim(HEALTH, days=1, address="9 Surgery Road", postcode="LS3 1AA"),
        claim(CSC, days=2, address="Foster placement", postcode="LS6 2AB"),
    ]
    assert identity.shown_identity(claims).address == "2 School Lane"
    claims[2] = claim(CSC, days=2, open_case=True, address="Foster placement", postcode="LS6 2AB")
    assert identity.shown_identity(claims).postcode == "LS6 2AB"


def test_an_nhs_number_is_shown_from_health_or_social_care_or_when_two_agencies_agree():
    invalid = NHS[:-1] + str((int(NHS[-1]) + 1) % 10)
    lone = [claim(EDUCATION, days=0, nhs_number=NHS)]
    assert identity.shown_identity(lone).nhs_number == ""  # one school's word is not enough
    agreed = [*lone, claim(POLICE, days=1, nhs_number=NHS)]
    shown = identity.shown_identity(agreed)
    assert shown.nhs_number == NHS
    assert shown.sources[IdentityField.NHS_NUMBER].basis == "NHS number agreed by 2 agencies"
    assert (
        identity.shown_identity([claim(CSC, days=0, nhs_number=OTHER_NHS), *agreed]).nhs_number
        == OTHER_NHS
    )
    both = [claim(CSC, days=0, nhs_number=OTHER_NHS), claim(HEALTH, days=4, nhs_number=NHS)]
    assert identity.shown_identity(both).nhs_number == NHS
    assert identity.shown_identity([claim(HEALTH, days=0, nhs_number=invalid)]).nhs_number == ""


def test_two_records_of_one_kind_the_earlier_established_wins():
    claims = [
        claim(HEALTH, days=2, code="BRADFORD", given_name="Zed", family_name="Overwritten"),
        claim(HEALTH, days=0, code="LEEDS", given_name="Jamie", family_name="Testchild"),
    ]
    shown = identity.shown_identity(claims)
    assert shown.given_name == "Jamie"
    assert shown.sources[IdentityField.NAME].claim.agency_code == "LEEDS"


@pytest.mark.parametrize(
    ("given", "family", "other_names", "agrees"),
    [
        ("Jamie", "Testchild", "", True),
        ("JAMIE", "TEST-CHILD", "", True),  # case and punctuation aside
        ("Jaimie", "Smith", "", True),  # one typo in the given name
        ("Jam", "Smith", "", True),  # a shortening
        ("Billy", "Jones", "Jamie Testchild", True),  # an alias
        ("Zed", "Overwritten", "", False),
        ("Jo", "Smith", "", False),  # two letters are no evidence
    ],
)
def test_a_record_agrees_on_the_name_when_one_name_word_is_the_same(
    given, family, other_names, agrees
):
    others = [claim(CSC, given_name="Jamie", family_name="Testchild")]
    new = claim(EDUCATION, days=3, given_name=given, family_name=family, other_names=other_names)
    found = {d.field for d in identity.disagreements(new, others)}
    assert (IdentityField.NAME not in found) is agrees


@pytest.mark.parametrize(
    ("dob", "agrees"),
    [
        (dt.date(2016, 5, 4), True),
        (dt.date(2016, 4, 5), True),  # day and month swapped
        (dt.date(2016, 5, 14), True),  # a slip in the day
        (dt.date(2017, 5, 4), True),  # a slip in the year
        (dt.date(2017, 6, 4), False),
        (dt.date(2009, 1, 1), False),
    ],
)
def test_a_record_agrees_on_the_date_of_birth_up_to_a_swap_or_one_slip(dob, agrees):
    others = [
        claim(CSC, given_name="Jamie", family_name="Testchild", date_of_birth=dt.date(2016, 5, 4))
    ]
    new = claim(EDUCATION, days=3, given_name="Jamie", family_name="Testchild", date_of_birth=dob)
    found = {d.field for d in identity.disagreements(new, others)}
    assert (IdentityField.DATE_OF_BIRTH not in found) is agrees


def test_a_different_nhs_number_or_nothing_to_confirm_the_person_disagrees():
    others = [claim(HEALTH, given_name="Jamie", family_name="Testchild", nhs_number=NHS)]
    different = claim(
        EDUCATION, days=1, given_name="Jamie", family_name="Testchild", nhs_number=OTHER_NHS
    )
    assert [d.field for d in identity.disagreements(different, others)] == [
        IdentityField.NHS_NUMBER
    ]
    bare = claim(EDUCATION, days=1, nhs_number=NHS, address="1 Decoy Road")
    assert [d.field for d in identity.disagreements(bare, others)] == [IdentityField.NAME]


def test_filling_a_blank_is_not_a_change_but_replacing_a_value_is():
    before = identity.shown_identity(
        [claim(EDUCATION, given_name="Jamie", family_name="Testchild")]
    )
    filled = identity.shown_identity(
        [
            claim(EDUCATION, given_name="Jamie", family_name="Testchild"),
            claim(HEALTH, days=1, given_name="JAMIE", family_name="testchild", sex="M"),
        ]
    )
    assert identity.changed_fields(before, filled) == ()
    replaced = identity.shown_identity(
        [
            claim(EDUCATION, given_name="Jamie", family_name="Testchild"),
            claim(HEALTH, days=1, given_name="Jaimie", family_name="Testchild"),
        ]
    )
    assert identity.changed_fields(before, replaced) == (IdentityField.NAME,)


# -- the attack: a teacher submits a record carrying a child's NHS number ------------------


class HttpsClient(APIClient):
    def generic(self, *args, **kwargs):
        kwargs["secure"] = True
        return super().generic(*args, **kwargs)


def client_for(user):
    client = HttpsClient()
    token, created = Token.objects.get_or_create(user=user)
    if created:  # tokens read only unless write is asked for
        TokenPolicy.objects.create(token=token, scopes=["read", "write"])
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def known_child(child, agencies):
    """The child as social care and health hold them, with one social care event."""
    common = {
        "given_name": "Jamie",
        "family_name": "Testchild",
        "date_of_birth": dt.date(2016, 5, 4),
        "sex": "M",
        "nhs_number": NHS,
    }
    factories.SourceRecordFactory.create(
        agency=agencies["HEALTH"],
        record_id="H-1",
        person=child,
        address="7 Surgery Road, Leeds",
        postcode="LS3 1AA",
        received_at=T0,
        **common,
    )
    csc = factories.SourceRecordFactory.create(
        agency=agencies["CSC"],
        record_id="C-1",
        person=child,
        address="1 Example Street, Leeds",
        postcode="LS1 4AP",
        received_at=T0 + dt.timedelta(days=30),
        **common,
    )
    factories.ChronologyEventFactory.create(subject_record=csc, summary="Home visit by social care")
    refresh_identities(person_ids=[child.pk])
    child.refresh_from_db()
    return child


@pytest.fixture
def child_known_to_police_and_a_school(child, agencies):
    """The child as the police and their own school hold them (social care works with
    them but has sent no record), with one police event."""
    school = factories.AgencyFactory.create(
        code="STMARY", name="St Mary's Primary", kind=AgencyKind.EDUCATION
    )
    common = {
        "given_name": "Jamie",
        "family_name": "Testchild",
        "date_of_birth": dt.date(2016, 5, 4),
    }
    police = factories.SourceRecordFactory.create(
        agency=agencies["POLICE"], record_id="P-1", person=child, nhs_number=NHS,
        address="1 Example Street, Leeds", postcode="LS1 4AP", received_at=T0, **common,
    )  # fmt: skip
    factories.SourceRecordFactory.create(
        agency=school, record_id="S-1", person=child, nhs_number=NHS,
        address="1 Example Street, Leeds", postcode="LS1 4AP",
        received_at=T0 + dt.timedelta(days=1), **common,
    )  # fmt: skip
    factories.ChronologyEventFactory.create(subject_record=police, summary="Home visit by police")
    refresh_identities(person_ids=[child.pk])
    child.refresh_from_db()
    return child


def identity_seen_by(user, person):
    body = client_for(user).get(f"/api/v1/people/{person.public_id}/").json()
    return {
        name: body[name]
        for name in ("given_name", "family_name", "date_of_birth", "sex", "nhs_number", "address")
    }


ZED = {
    "record_id": "E-9",
    "agency": "EDUCATION",
    "given_name": "Zed",
    "family_name": "Overwritten",
    "date_of_birth": "2016-05-04",
    "nhs_number": NHS,
    "address": "1 Decoy Road",
    "postcode": "LS9 9ZZ",
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("held_by", "reviewed_with", "event"),
    [
        ("known_child", "C-1", "Home visit by social care"),
        ("child_known_to_police_and_a_school", "P-1", "Home visit by police"),
    ],
)
def test_a_teacher_submitting_a_childs_nhs_number_takes_over_nothing(
    request, held_by, reviewed_with, event, teacher, social_worker, police_officer
):
    known_child = request.getfixturevalue(held_by)
    before = {
        "social worker": identity_seen_by(social_worker, known_child),
        "police officer": identity_seen_by(police_officer, known_child),
    }
    assert before["social worker"]["given_name"] == "Jamie"
    teacher_api = client_for(teacher)

    submitted = teacher_api.post("/api/v1/person-records/", ZED, format="json")
    sent_event = teacher_api.post(
        "/api/v1/events/",
        {
            "event_id": "EV-9",
            "agency": "EDUCATION",
            "subject_record_id": "E-9",
            "occurred_at": "2026-01-05T10:30",
            "category": "other",
            "summary": "Decoy event from the school",
        },
        format="json",
    )

    # The teacher is told what an unknown child's record would tell them: a new person.
    assert submitted.status_code == 201
    assert submitted.json() == {"created": 1, "updated": 0, "unchanged": 0, "persons_created": 1}
    assert sent_event.status_code == 201
    # Nobody else's view of the child changed.
    assert identity_seen_by(social_worker, known_child) == before["social worker"]
    assert identity_seen_by(police_officer, known_child) == before["police officer"]
    page = social_worker_page(social_worker, known_child)
    assert "Overwritten" not in page
    assert "Decoy" not in page
    # The child's chronology has none of what the teacher sent.
    chronology = client_for(social_worker).get(
        f"/api/v1/people/{known_child.public_id}/chronology/"
    )
    assert chronology.status_code == 200
    assert "Decoy event" not in chronology.content.decode()
    assert event in chronology.content.decode()
    held = SourceRecord.objects.get(agency__code="EDUCATION", record_id="E-9")
    assert held.person != known_child
    assert ChronologyEvent.objects.get(event_id="EV-9").person == held.person
    assert held.person.nhs_number == ""  # one school's word does not show a child's number
    # A reviewer decides; until then a batch run keeps the two apart too.
    review = MatchReview.objects.get(status=ReviewStatus.PENDING)
    # Paired with the record the child's name is shown from.
    assert {review.record_a.record_id, review.record_b.record_id} == {"E-9", reviewed_with}
    assert review.guard.startswith("identity conflict (kept apart)")
    assert {item["field"] for item in review.evidence} >= {"given_name", "family_name"}
    apart = [d for d in decisions_in_force() if d.review_id == review.pk]
    assert [d.same_person for d in apart] == [False]
    # The submission shows in the child's audit trail.
    trail = AuditEvent.objects.filter(person=known_child, action=AuditAction.IMPORT_PEOPLE)
    assert [(row.actor, row.detail["held_apart"]) for row in trail] == [(teacher, True)]


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def social_worker_page(user, person):
    response = signed_in(user).get(f"/people/{person.public_id}/", secure=True)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_an_upload_is_held_the_same_way(known_child, teacher):
    csv = (
        "record_id,agency,given_name,family_name,other_names,date_of_birth,sex,nhs_number,"
        "address,postcode\n"
        f"E-9,EDUCATION,Zed,Overwritten,,2016-05-04,M,{NHS},1 Decoy Road,LS9 9ZZ\n"
    ).encode()
    report = import_people_file(actor=teacher, content=csv, filename="roll.csv", origin=CLI)
    assert (report.created, report.persons_created) == (1, 1)
    known_child.refresh_from_db()
    assert (known_child.given_name, known_child.address) == ("Jamie", "1 Example Street, Leeds")
    assert SourceRecord.objects.get(record_id="E-9").person != known_child
    assert MatchReview.objects.filter(status=ReviewStatus.PENDING).count() == 1


@pytest.mark.django_db
def test_a_confirmed_review_joins_the_record_but_the_identity_still_follows_the_rules(
    known_child, teacher, team_manager
):
    client_for(teacher).post("/api/v1/person-records/", ZED, format="json")
    review = MatchReview.objects.get()
    page = signed_in(team_manager).get(reverse("linkage-review", args=[review.pk]), secure=True)
    assert page.status_code == 200
    assert "Not linked automatically: identity conflict (kept apart)" in page.content.decode()
    linkage_actions.confirm_match(actor=team_manager, review=review, origin=CLI, reason="checked")
    known_child.refresh_from_db()
    assert SourceRecord.objects.get(record_id="E-9").person == known_child
    assert (known_child.given_name, known_child.family_name) == ("Jamie", "Testchild")
    assert known_child.address == "1 Example Street, Leeds"
    assert "overwritten" in known_child.search_name.split()  # found by the school's name


@pytest.mark.django_db
def test_a_record_that_agrees_joins_and_its_events_reach_the_child(known_child, teacher):
    response = client_for(teacher).post(
        "/api/v1/person-records/",
        {**ZED, "given_name": "Jaimie", "family_name": "Testchild"},
        format="json",
    )
    assert response.json()["persons_created"] == 0
    assert SourceRecord.objects.get(record_id="E-9").person == known_child
    known_child.refresh_from_db()
    # It joined, but the school is the agency of record for nothing the child shows.
    assert (known_child.given_name, known_child.address) == ("Jamie", "1 Example Street, Leeds")
    assert not MatchReview.objects.exists()


@pytest.mark.django_db
def test_a_new_record_that_would_change_the_name_shown_is_held_even_from_health(agencies):
    """A child known to social care alone, with no open case: the first health record
    outranks it for the name, so a different spelling would replace the name shown."""
    child = factories.PersonFactory.create()
    common = {"date_of_birth": dt.date(2016, 5, 4), "nhs_number": NHS, "sex": "M"}
    factories.SourceRecordFactory.create(
        agency=agencies["CSC"], record_id="C-1", person=child, given_name="Jamie",
        family_name="Testchild", received_at=T0, **common,
    )  # fmt: skip
    refresh_identities(person_ids=[child.pk])
    result = submit_person_records(
        actor=None,
        agency=agencies["HEALTH"],
        rows=[row("H-1", "HEALTH", given_name="Jaimie", **common)],
        origin=CLI,
    )
    assert result.held_for_review == 1
    child.refresh_from_db()
    assert child.given_name == "Jamie"
    assert "would replace the name shown" in MatchReview.objects.get().guard


def row(record_id, agency, **fields):
    values = {"given_name": "Jamie", "family_name": "Testchild", **fields}
    return PersonRecordRow(line=2, record_id=record_id, agency=agency, **values)


# -- updates -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_agency_of_record_updating_its_record_changes_the_identity_shown(known_child, agencies):
    known_child.involvements.all().delete()  # no open case: health names the child
    submit_person_records(
        actor=None,
        agency=agencies["HEALTH"],
        rows=[
            row(
                "H-1", "HEALTH", given_name="Jamie", family_name="Testchild-Smith",
                date_of_birth=dt.date(2016, 5, 14), sex="M", nhs_number=NHS,
                address="7 Surgery Road, Leeds", postcode="LS3 1AA",
            )
        ],
        origin=CLI,
    )  # fmt: skip
    known_child.refresh_from_db()
    assert known_child.family_name == "Testchild-Smith"
    assert known_child.date_of_birth == dt.date(2016, 5, 14)
    assert known_child.identity_sources["name"]["record_id"] == "H-1"
    assert not MatchReview.objects.exists()  # it still agrees with social care's record


@pytest.mark.django_db
def test_another_agency_renaming_its_linked_record_changes_nothing_shown_and_is_reviewed(
    known_child, agencies
):
    factories.SourceRecordFactory.create(
        agency=agencies["POLICE"], record_id="P-1", person=known_child, given_name="Jamie",
        family_name="Testchild", nhs_number=NHS, date_of_birth=dt.date(2016, 5, 4),
        received_at=T0 + dt.timedelta(days=60),
    )  # fmt: skip
    submit_person_records(
        actor=None,
        agency=agencies["POLICE"],
        rows=[
            row(
                "P-1", "POLICE", given_name="Zed", family_name="Overwritten",
                date_of_birth=dt.date(2016, 5, 4), nhs_number=NHS, address="1 Decoy Road",
            )
        ],
        origin=CLI,
    )  # fmt: skip
    known_child.refresh_from_db()
    assert (known_child.given_name, known_child.address) == ("Jamie", "1 Example Street, Leeds")
    assert SourceRecord.objects.get(record_id="P-1").person == known_child
    review = MatchReview.objects.get()
    assert review.guard.startswith("identity conflict (still linked)")
    assert not LinkDecision.objects.exists()  # no provisional split of a linked record


# -- an open case, provenance on the page, merges -------------------------------------------


@pytest.mark.django_db
def test_an_open_social_care_case_gives_social_care_the_name_and_address(
    known_child, agencies, social_worker
):
    known_child.involvements.all().delete()
    refresh_identities(person_ids=[known_child.pk])
    known_child.refresh_from_db()
    assert known_child.address == "7 Surgery Road, Leeds"
    assert known_child.identity_sources["address"]["agency"] == "HEALTH"
    involvement = record_involvement(
        actor=None,
        person=known_child,
        agency=agencies["CSC"],
        role=InvolvementRole.ALLOCATED_SOCIAL_WORKER,
        started_on=timezone.localdate() - dt.timedelta(days=3),
        practitioner=social_worker,
        origin=CLI,
    )
    known_child.refresh_from_db()
    assert known_child.address == "1 Example Street, Leeds"
    assert known_child.identity_sources["address"] == {
        "agency": "CSC",
        "agency_name": "Leeds Children's Social Care",
        "record_id": "C-1",
        "basis": "agency of record for the address: children's social care with an open case",
    }
    end_involvement(
        actor=None,
        involvement=involvement,
        ended_on=timezone.localdate() - dt.timedelta(days=1),
        origin=CLI,
    )
    known_child.refresh_from_db()
    assert known_child.address == "7 Surgery Road, Leeds"


@pytest.mark.django_db
def test_the_person_page_says_where_each_field_came_from(known_child, social_worker):
    page = social_worker_page(social_worker, known_child)
    assert "From Leeds Health (agency of record for the date of birth: health)" in page
    assert "From Leeds Health (agency of record for the NHS number: health)" in page
    # The social worker's allocation is an open case: social care names the child.
    assert (
        "From Leeds Children&#x27;s Social Care (agency of record for the name: "
        "children&#x27;s social care with an open case)"
    ) in page


@pytest.mark.django_db
def test_merge_and_unmerge_recompute_the_identity_and_its_sources(known_child, agencies):
    known_child.involvements.all().delete()  # no open case
    refresh_identities(person_ids=[known_child.pk])
    known_child.refresh_from_db()
    assert known_child.address == "7 Surgery Road, Leeds"  # health's record came first
    before = dict(known_child.identity_sources)
    other = factories.PersonFactory.create()
    factories.SourceRecordFactory.create(
        agency=agencies["EDUCATION"], record_id="E-1", person=other, given_name="Jay",
        family_name="Testchild", address="2 School Lane", postcode="LS2 7EY", nhs_number="",
        date_of_birth=dt.date(2016, 5, 4), received_at=T0 - dt.timedelta(days=30),
    )  # fmt: skip
    refresh_identities(person_ids=[other.pk])
    other.refresh_from_db()
    assert (other.given_name, other.identity_sources["address"]["record_id"]) == ("Jay", "E-1")

    merge = linkage_actions.merge_persons(
        actor=None, survivor=known_child, merged=other, origin=CLI, reason="same child"
    )
    known_child.refresh_from_db()
    # The school recorded an address first; health stays the agency of record for the name.
    assert (known_child.given_name, known_child.address) == ("Jamie", "2 School Lane")
    assert known_child.identity_sources["address"]["agency"] == "EDUCATION"
    assert known_child.identity_sources["name"]["agency"] == "HEALTH"
    assert "jay" in known_child.search_name.split()

    linkage_actions.undo_merge(actor=None, merge=merge, origin=CLI, reason="not the same")
    known_child.refresh_from_db()
    other.refresh_from_db()
    assert known_child.address == "7 Surgery Road, Leeds"
    assert known_child.identity_sources == before
    assert (other.given_name, other.address) == ("Jay", "2 School Lane")
    assert other.identity_sources["address"]["record_id"] == "E-1"


@pytest.mark.django_db
@pytest.mark.parametrize(("given_name", "joins"), [("Jamie", True), ("Jaimie", False)])
def test_social_care_with_an_open_case_joining_sets_the_address_but_not_a_new_spelling(
    agencies, social_worker, given_name, joins
):
    child = factories.PersonFactory.create()
    factories.SourceRecordFactory.create(
        agency=agencies["HEALTH"], record_id="H-1", person=child, given_name="Jamie",
        family_name="Testchild", date_of_birth=dt.date(2016, 5, 4), nhs_number=NHS,
        address="7 Surgery Road, Leeds", received_at=T0,
    )  # fmt: skip
    factories.InvolvementFactory.create(
        person=child, practitioner=social_worker, agency=agencies["CSC"], started_on=T0.date()
    )
    refresh_identities(person_ids=[child.pk])
    result = submit_person_records(
        actor=social_worker,
        agency=agencies["CSC"],
        rows=[
            row(
                "C-1", "CSC", given_name=given_name, date_of_birth=dt.date(2016, 5, 4),
                nhs_number=NHS, address="Foster placement", postcode="LS6 2AB",
            )
        ],
        origin=CLI,
    )  # fmt: skip
    child.refresh_from_db()
    assert (result.held_for_review == 0) is joins
    assert child.given_name == "Jamie"
    assert child.address == ("Foster placement" if joins else "7 Surgery Road, Leeds")
