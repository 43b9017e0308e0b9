"""A re-submitted record is re-indexed at once: point-of-entry matching sees the change
without waiting for ``sightline link``."""

import datetime as dt

from rest_framework.test import APIClient

from sightline.audit.actions import CLI
from sightline.importing.rows import PersonRecordRow
from sightline.importing.submissions import submit_person_records
from sightline.linkage import actions
from sightline.linkage.models import RecordFeatures
from sightline.people.models import InvolvementRole, SourceRecord
from sightline.testing import factories

MATCH = "/api/v1/match/"
SUBMIT = "/api/v1/person-records/"
BATCH = "/api/v1/person-records/batch/"


def submitted(record_id="C-7", **fields):
    return {
        "record_id": record_id,
        "agency": "CSC",
        "given_name": "Jamie",
        "family_name": "Testchild",
        "date_of_birth": "2015-03-14",
        "sex": "M",
        "address": "12 Acacia Avenue, Leeds",
        "postcode": "LS6 1AA",
        **fields,
    }


def query(**fields):
    return {k: v for k, v in submitted(**fields).items() if k not in ("record_id", "agency")}


def client(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def best(user, **fields):
    response = client(user).post(MATCH, query(**fields), format="json")
    assert response.status_code == 200
    return response.json()["candidates"]


def works_with(user, *records):
    """The matcher shows ``user`` only persons they may open: give them an involvement."""
    for record in records:
        factories.InvolvementFactory.create(
            person=record.person,
            practitioner=user,
            agency=user.agency,
            role=InvolvementRole.ALLOCATED_SOCIAL_WORKER,
            started_on=dt.date(2024, 1, 1),
        )


def indexed(record):
    return RecordFeatures.objects.get(source_record=record).features


def test_it_finds_a_resubmitted_record_under_its_new_name_at_once(social_worker, model_version):
    api = client(social_worker)
    assert api.post(SUBMIT, submitted(), format="json").status_code == 201
    record = SourceRecord.objects.get(record_id="C-7")
    works_with(social_worker, record)
    # Indexed by the submission itself, before any lookup.
    assert indexed(record)["family"] == "testchild"
    assert best(social_worker)[0]["person_id"] == str(record.person.public_id)

    # Adopted: social care re-submits the same record with the child's new family name.
    changed = submitted(given_name="James", family_name="Newfamily")
    assert api.post(SUBMIT, changed, format="json").status_code == 200

    assert indexed(record)["family"] == "newfamily"
    found = best(social_worker, given_name="James", family_name="Newfamily")
    assert found[0]["person_id"] == str(record.person.public_id)
    assert found[0]["probability"] > 0.9
    explained = {item["field"]: item["level"] for item in found[0]["explanation"]}
    assert explained["family_name"] not in ("different", "missing")


def test_it_indexes_records_created_and_updated_by_an_import(agencies, model_version):
    def row(given_name):
        return PersonRecordRow(
            line=1,
            record_id="E-1",
            agency="EDUCATION",
            given_name=given_name,
            family_name="Testchild",
            sex="F",
            nhs_number=factories.synthetic_nhs_number(77),
        )

    submit_person_records(actor=None, agency=agencies["EDUCATION"], rows=[row("Priya")], origin=CLI)
    record = SourceRecord.objects.get(record_id="E-1")
    assert indexed(record)["given"] == "priya"
    submit_person_records(actor=None, agency=agencies["EDUCATION"], rows=[row("Pria")], origin=CLI)
    assert indexed(record)["given"] == "pria"
    assert RecordFeatures.objects.get(source_record=record).person_id == record.person_id


def test_twins_resubmitted_after_a_move_are_still_guarded_and_kept_apart(
    social_worker, model_version
):
    api = client(social_worker)
    twins = [submitted("C-1"), submitted("C-2", given_name="Priya", sex="F")]
    assert api.post(BATCH, twins, format="json").status_code == 201
    jamie, priya = (SourceRecord.objects.get(record_id=r) for r in ("C-1", "C-2"))
    assert jamie.person_id != priya.person_id
    works_with(social_worker, jamie, priya)
    assert best(social_worker)  # the index is in use before the move

    new_home = {"address": "3 Mill Lane, Leeds", "postcode": "LS12 2BB"}
    moved_twins = [{**twin, **new_home} for twin in twins]
    assert api.post(BATCH, moved_twins, format="json").status_code == 200

    assert indexed(priya)["postcode"] == "LS12 2BB"
    found = best(social_worker, given_name="Priya", sex="F", **new_home)
    assert found[0]["person_id"] == str(priya.person.public_id)
    assert found[0]["caution"] == ""
    brother = [c for c in found if c["person_id"] == str(jamie.person.public_id)]
    assert brother
    assert "twins" in brother[0]["caution"]
    # A batch run still keeps them apart: the guard wants stronger evidence than this.
    actions.run_linkage(actor=None, model=model_version, origin=CLI)
    jamie.refresh_from_db()
    priya.refresh_from_db()
    assert jamie.person_id != priya.person_id
