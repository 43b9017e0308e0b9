"""A child known to social care, police, health and education, with third parties all
round: a household adult, a sibling, a referrer and the practitioners."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from sightline.accounts.models import Role, User
from sightline.agencies.models import Agency
from sightline.chronology.models import Category
from sightline.people.models import (
    InvolvementRole,
    Person,
    RelationshipKind,
    SourceRecord,
    StatusKind,
)
from sightline.testing import factories


@dataclass(frozen=True)
class Family:
    child: Person
    mother: Person
    sibling: Person
    records: dict[str, SourceRecord]
    # Every third party's name that must not leave unredacted.
    third_party_names: tuple[str, ...]


@pytest.fixture(autouse=True)
def _plain_http(settings: Any) -> None:
    """Test clients speak plain HTTP; production settings redirect it to HTTPS."""
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture
def officer(agencies: dict[str, Agency]) -> User:
    """The local authority's data quality officer, who answers subject access requests."""
    return factories.UserFactory.create(
        username="gina.governance",
        first_name="Gina",
        last_name="Governance",
        agency=agencies["CSC"],
        role=Role.DATA_QUALITY,
    )


@pytest.fixture
def family(
    agencies: dict[str, Agency], child: Person, social_worker: User, police_officer: User
) -> Family:
    child.date_of_birth = dt.date(2012, 3, 27)
    child.save()
    mother = factories.PersonFactory.create(given_name="Karen", family_name="Woodhouse")
    sibling = factories.PersonFactory.create(given_name="Tyler", family_name="Testchild")
    factories.RelationshipFactory.create(
        person=mother,
        relative=child,
        kind=RelationshipKind.PARENT,
        lives_with=True,
        source_agency=agencies["CSC"],
    )
    factories.RelationshipFactory.create(
        person=sibling,
        relative=child,
        kind=RelationshipKind.SIBLING,
        lives_with=True,
        source_agency=agencies["CSC"],
    )
    nurse = factories.UserFactory.create(
        username="hattie.health",
        first_name="Hattie",
        last_name="Nightingale",
        agency=agencies["HEALTH"],
    )
    factories.InvolvementFactory.create(
        person=child,
        practitioner=nurse,
        agency=agencies["HEALTH"],
        role=InvolvementRole.SCHOOL_NURSE,
        started_on=dt.date(2024, 2, 1),
    )
    factories.StatusPeriodFactory.create(
        person=child, kind=StatusKind.CHILD_IN_NEED, recorded_by_agency=agencies["CSC"]
    )
    records = {
        code: factories.SourceRecordFactory.create(
            agency=agencies[code], person=child, record_id=f"{code}-0001"
        )
        for code in ("CSC", "POLICE", "HEALTH", "EDUCATION")
    }
    mother_record = factories.SourceRecordFactory.create(
        agency=agencies["POLICE"], person=mother, record_id="POLICE-0002"
    )

    def event(code: str, category: str, summary: str, practitioner: str = "") -> None:
        made = factories.ChronologyEventFactory.create(
            subject_record=records[code],
            category=Category.objects.get(code=category),
            summary=summary,
            practitioner=practitioner,
        )
        if code == "POLICE":
            made.other_records.add(mother_record)

    event(
        "CSC",
        "referral",
        "Referral from neighbour Dennis Ogunbanjo: Jamie left alone overnight by Karen.",
        practitioner="Dennis Ogunbanjo",
    )
    event("CSC", "home_visit", "Visited home; Tyler and Karen Woodhouse present.", "Sally Social")
    event(
        "POLICE",
        "domestic_abuse_incident",
        "Domestic incident at the home; Ms Woodhouse spoke to officers.",
        "PC Pat Police",
    )
    event("HEALTH", "was_not_brought", "Jamie was not brought to clinic.", "Hattie Nightingale")
    event(
        "EDUCATION", "other", "Jamie absent for a week; Tyler said Jamie was ill.", "Mr Ivor Head"
    )
    return Family(
        child=child,
        mother=mother,
        sibling=sibling,
        records=records,
        third_party_names=(
            "Karen",
            "Woodhouse",
            "Tyler",
            "Dennis",
            "Ogunbanjo",
            "Sally Social",
            "Sally",
            "Pat",
            "Pat Police",
            "Hattie",
            "Nightingale",
            "Ivor",
        ),
    )
