"""factory_boy factories for tests. Synthetic data only; NHS numbers from the 999 range."""

import datetime as dt
import importlib

import factory
from django.utils import timezone

from sightline.accounts.models import Role, User
from sightline.agencies.models import Agency, AgencyKind, Team
from sightline.chronology.models import Category, ChronologyEvent, Significance
from sightline.governance.models import RetentionRule
from sightline.learning.models import ReviewDocument
from sightline.people import normalise
from sightline.people.models import (
    Involvement,
    InvolvementRole,
    Person,
    Relationship,
    RelationshipKind,
    SourceRecord,
    StatusPeriod,
)


def synthetic_nhs_number(n: int) -> str:
    """The n-th valid NHS number in the 999 test range (999 000 0000 upwards)."""
    base = 999_000_000 + n * 7
    while True:
        candidate = f"{base:09d}"
        check = normalise.nhs_check_digit(candidate)
        if check is not None:
            return f"{candidate}{check}"
        base += 1


class AgencyFactory(factory.django.DjangoModelFactory[Agency]):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"AG{n}")
    name = factory.LazyAttribute(lambda o: f"Agency {o.code}")
    kind = AgencyKind.OTHER
    office_hours_phone = "0113 496 0000"
    out_of_hours_phone = "0113 496 0999"


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    class Meta:
        model = Team

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"Tester{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    agency = factory.SubFactory(AgencyFactory)
    role = Role.PRACTITIONER
    password = factory.django.Password("correct horse battery staple")


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person

    given_name = "Alex"
    family_name = factory.Sequence(lambda n: f"Example{n}")
    date_of_birth = dt.date(2015, 3, 14)
    sex = "F"
    nhs_number = factory.Sequence(synthetic_nhs_number)
    postcode = "LS1 4AP"
    address = "1 Example Street, Leeds"
    search_name = factory.LazyAttribute(
        lambda o: normalise.search_name(o.given_name, o.family_name)
    )


class SourceRecordFactory(factory.django.DjangoModelFactory[SourceRecord]):
    class Meta:
        model = SourceRecord

    agency = factory.SubFactory(AgencyFactory)
    record_id = factory.Sequence(lambda n: f"R{n}")
    person = factory.SubFactory(PersonFactory)
    given_name = factory.SelfAttribute("person.given_name")
    family_name = factory.SelfAttribute("person.family_name")
    date_of_birth = factory.SelfAttribute("person.date_of_birth")
    nhs_number = factory.SelfAttribute("person.nhs_number")
    postcode = factory.SelfAttribute("person.postcode")
    received_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)


class InvolvementFactory(factory.django.DjangoModelFactory[Involvement]):
    class Meta:
        model = Involvement

    person = factory.SubFactory(PersonFactory)
    practitioner = factory.SubFactory(UserFactory)
    agency = factory.SelfAttribute("practitioner.agency")
    role = InvolvementRole.ALLOCATED_SOCIAL_WORKER
    started_on = dt.date(2020, 1, 1)


class RelationshipFactory(factory.django.DjangoModelFactory[Relationship]):
    class Meta:
        model = Relationship

    person = factory.SubFactory(PersonFactory)
    relative = factory.SubFactory(PersonFactory)
    kind = RelationshipKind.PARENT
    lives_with = True


class StatusPeriodFactory(factory.django.DjangoModelFactory[StatusPeriod]):
    class Meta:
        model = StatusPeriod

    person = factory.SubFactory(PersonFactory)
    kind = "child_in_need"
    started_on = dt.date(2024, 1, 1)
    recorded_by_agency = factory.SubFactory(
        AgencyFactory, code="CSC", kind=AgencyKind.CHILDRENS_SOCIAL_CARE
    )


class ChronologyEventFactory(factory.django.DjangoModelFactory[ChronologyEvent]):
    class Meta:
        model = ChronologyEvent

    subject_record = factory.SubFactory(SourceRecordFactory)
    agency = factory.SelfAttribute("subject_record.agency")
    person = factory.SelfAttribute("subject_record.person")
    event_id = factory.Sequence(lambda n: f"E{n}")
    occurred_at = factory.Sequence(
        lambda n: dt.datetime(2024, 1, 1, 9, 0, tzinfo=dt.UTC) + dt.timedelta(hours=n)
    )
    recorded_at = factory.LazyFunction(timezone.now)
    category = factory.LazyFunction(lambda: Category.objects.get(code="other"))
    summary = "Synthetic event"
    significance = Significance.LOW


class ReviewDocumentFactory(factory.django.DjangoModelFactory[ReviewDocument]):
    class Meta:
        model = ReviewDocument

    reference = factory.Sequence(lambda n: f"TEST-{n:05d}")
    kind = "rapid"
    title = "Synthetic rapid review"
    text = "Synthetic text. Agencies did not share what they knew."
    notified_on = dt.date(2023, 6, 1)
    local_authority = "Tynebury"
    region = "north_east"
    nature = "serious_harm"
    age_band = "1_4"
    sex = "female"
    ethnicity = "white"
    disability = "no"
    known_to_social_care = True
    child_protection_plan = False
    child_in_need_plan = True
    looked_after = False
    known_to_police = False
    known_to_health = True
    known_to_education = False
    is_synthetic = True
    recorded_at = factory.LazyFunction(timezone.now)


def default_retention_schedule() -> dict[str, RetentionRule]:
    """The retention rules their migration seeds, by kind: there already, or made again
    after a transactional test's flush emptied the table."""
    seeded = importlib.import_module(
        "sightline.governance.migrations.0002_default_retention_schedule"
    )
    return {
        rule["kind"]: RetentionRule.objects.get_or_create(kind=rule["kind"], defaults=rule)[0]
        for rule in seeded.DEFAULTS
    }
