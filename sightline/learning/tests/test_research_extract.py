"""Research extracts end to end: the read, the audited action and the command."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import timezone

from sightline.agencies.models import AgencyKind
from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.incidents.models import NotifiedChild, SeriousIncidentNotification
from sightline.learning import extract, queries
from sightline.learning.actions import LearningError, produce_research_extract
from sightline.learning.models import (
    AuthorityRegion,
    FinalCoding,
    FinalCodingSource,
    Taxonomy,
    TaxonomyStatus,
)
from sightline.testing import factories

pytestmark = pytest.mark.django_db

PERIOD = extract.Period(dt.date(2025, 4, 1), dt.date(2026, 3, 31))
PURPOSE = "How often plans follow a police referral"


def run(*args):
    out = io.StringIO()
    call_command("research-extract", *args, stdout=out)
    return out.getvalue()


def args(out, **overrides):
    values = {
        "--from": "2025-04-01",
        "--to": "2026-03-31",
        "--out": str(out),
        "--k": "2",
        "--requester": "ana.analyst",
        "--purpose": PURPOSE,
        **overrides,
    }
    return [part for pair in values.items() for part in pair]


@pytest.fixture
def population(agencies, child):
    """Six children known in the period, named and numbered like real records, one adult,
    one child merged into another and one child known only before the period."""
    made = [child]
    child.date_of_birth = dt.date(2016, 5, 2)
    child.ethnicity = "White: Irish"
    child.save()
    factories.StatusPeriodFactory.create(
        person=child,
        kind="child_protection",
        protection_category="neglect",
        started_on=dt.date(2025, 6, 1),
        recorded_by_agency=agencies["CSC"],
    )
    factories.ChronologyEventFactory.create(
        subject_record=factories.SourceRecordFactory.create(
            person=child, agency=agencies["POLICE"]
        ),
        occurred_at=dt.datetime(2025, 7, 14, 10, tzinfo=dt.UTC),
    )
    for number in range(5):
        person = factories.PersonFactory.create(
            given_name="Zebedee",
            family_name=f"Quartermaine{number}",
            date_of_birth=dt.date(2017, 1, 10 + number),
            ethnicity="White: Irish",
            postcode="BD7 1DP",
        )
        factories.InvolvementFactory.create(
            person=person,
            agency=agencies["CSC"],
            practitioner=None,
            started_on=dt.date(2025, 9, 1),
        )
        made.append(person)
    adult = factories.PersonFactory.create(date_of_birth=dt.date(1990, 1, 1))
    factories.InvolvementFactory.create(
        person=adult, agency=agencies["CSC"], practitioner=None, started_on=dt.date(2025, 9, 1)
    )
    merged = factories.PersonFactory.create(merged_into=child)
    factories.InvolvementFactory.create(
        person=merged, agency=agencies["CSC"], practitioner=None, started_on=dt.date(2025, 9, 1)
    )
    before = factories.PersonFactory.create()
    factories.InvolvementFactory.create(
        person=before,
        agency=agencies["CSC"],
        practitioner=None,
        started_on=dt.date(2020, 1, 1),
        ended_on=dt.date(2021, 1, 1),
    )
    return made


def test_the_population_is_the_children_known_in_the_period(population):
    found = set(queries.research_population(PERIOD))
    assert found == set(population)


def test_the_read_finds_the_authority_events_plans_and_review_themes(
    agencies, population, panel_analyst
):
    child = population[0]
    AuthorityRegion.objects.create(local_authority=agencies["CSC"], region="yorkshire")
    notification = SeriousIncidentNotification.objects.create(
        local_authority=agencies["CSC"],
        police=agencies["POLICE"],
        integrated_care_board=agencies["HEALTH"],
        notifier=panel_analyst,
        incident_on=dt.date(2025, 8, 1),
        aware_on=dt.date(2025, 8, 2),
        nature="serious_harm",
        case_outline="Synthetic.",
        police_involvement="none",
        due_on=dt.date(2025, 8, 7),
        due_rule="test",
        due_rule_version="1",
    )
    NotifiedChild.objects.create(notification=notification, person=child, name="Jamie")
    document = factories.ReviewDocumentFactory.create(
        notification=notification, notified_on=dt.date(2025, 8, 2)
    )
    taxonomy = Taxonomy.objects.get(status=TaxonomyStatus.PUBLISHED)
    final = FinalCoding.objects.create(
        document=document,
        taxonomy=taxonomy,
        source=FinalCodingSource.IMPORTED,
        decided_at=timezone.now(),
    )
    final.themes.set(taxonomy.themes.filter(code__in=["neglect", "information_sharing"]))

    source = queries.research_children(PERIOD)
    assert source.regions == {"CSC": "yorkshire"}
    assert source.agency_kinds == list(AgencyKind.values)
    facts = {(f.date_of_birth, f.la_code): f for f in source.children}
    mine = facts[(child.date_of_birth, "CSC")]
    assert mine.events_by_agency_kind == {"police": 1}
    assert mine.events_by_category == {"other": 1}
    assert mine.first_event_on == mine.last_event_on == dt.date(2025, 7, 14)
    assert [s.protection_category for s in mine.statuses] == ["neglect"]
    assert mine.review_themes == {"neglect", "information_sharing"}


def test_the_command_writes_an_extract_with_no_identifier_and_one_audit_row(
    tmp_path, population, panel_analyst
):
    out = tmp_path / "extract.csv"
    printed = run(*args(out))
    assert "rows written: 6" in printed
    assert "rows suppressed: 0" in printed

    text = out.read_text()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 6
    assert {(r["age_band"], r["sex"], r["ethnicity"], r["la_code"]) for r in rows} == {
        ("5_9", "female", "white_irish", "CSC")
    }
    for person in population:
        for value in (
            person.given_name,
            person.family_name,
            person.nhs_number,
            person.postcode,
            person.date_of_birth.isoformat(),
            str(person.public_id),
        ):
            assert value not in text
    assert sorted(r["plan_categories"] for r in rows) == ["", "", "", "", "", "neglect"]

    sidecar = json.loads((tmp_path / "extract.json").read_text())
    assert sidecar["rows_out"] == 6
    assert sidecar["requester"] == "ana.analyst"
    assert sidecar["purpose"] == PURPOSE

    audit = AuditEvent.objects.get(action=AuditAction.PRODUCE_RESEARCH_EXTRACT)
    assert (audit.actor, audit.person, audit.via) == (None, None, "cli")
    assert audit.reason == PURPOSE
    assert audit.detail["requester"] == "ana.analyst"
    assert audit.detail["k"] == 2
    assert audit.detail["rows_out"] == 6
    assert audit.detail["rows_suppressed"] == 0
    recorded = json.dumps(audit.detail)
    for person in population:
        assert person.family_name not in recorded
        assert str(person.public_id) not in recorded
    for row in rows:
        assert row["child_id"] not in recorded


def test_a_second_extract_gives_every_child_a_new_id(tmp_path, population, panel_analyst):
    run(*args(tmp_path / "one.csv"))
    run(*args(tmp_path / "two.csv"))
    ids = [
        {row["child_id"] for row in csv.DictReader((tmp_path / name).open())}
        for name in ("one.csv", "two.csv")
    ]
    assert len(ids[0]) == len(ids[1]) == 6
    assert not ids[0] & ids[1]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"--k": "1"}, "--k: must be at least 2"),
        ({"--k": "0"}, "--k: must be at least 2"),
        ({"--from": "2026-04-01"}, "--from: 2026-04-01 is after --to 2026-03-31"),
        ({"--to": "31/03/2026"}, "--to: '31/03/2026' is not a date"),
        ({"--purpose": "research"}, "--purpose: say what the extract is for"),
        ({"--requester": "nobody"}, "--requester: no user is called nobody"),
        ({"--requester": "sally.social"}, "--requester: sally.social is not an active panel"),
    ],
)
def test_the_command_refuses_bad_input_and_writes_nothing(
    tmp_path, population, panel_analyst, social_worker, overrides, message
):
    out = tmp_path / "extract.csv"
    with pytest.raises(CommandError, match=message):
        run(*args(out, **overrides))
    assert not out.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.PRODUCE_RESEARCH_EXTRACT).exists()


def test_the_command_refuses_a_file_that_is_not_csv_or_in_no_folder(tmp_path, panel_analyst):
    with pytest.raises(CommandError, match=r"--out: .* should end in \.csv"):
        run(*args(tmp_path / "extract.xlsx"))
    with pytest.raises(CommandError, match=r"--out: the folder .* does not exist"):
        run(*args(tmp_path / "missing" / "extract.csv"))


def test_a_file_that_cannot_be_written_leaves_no_audit_row(tmp_path, population, panel_analyst):
    out = tmp_path / "extract.csv"
    out.mkdir()  # a folder where the file should go
    with pytest.raises(CommandError, match="--out: cannot write"):
        run(*args(out))
    assert not AuditEvent.objects.filter(action=AuditAction.PRODUCE_RESEARCH_EXTRACT).exists()
    assert [path.name for path in tmp_path.iterdir()] == ["extract.csv"]  # no partial left


def test_only_analysts_and_administrators_produce_extracts(
    population, social_worker, administrator
):
    with pytest.raises(PermissionDenied):
        produce_research_extract(
            actor=social_worker,
            origin=CLI,
            requester=administrator,
            purpose=PURPOSE,
            start=PERIOD.start,
            end=PERIOD.end,
            k=5,
        )
    result = produce_research_extract(
        actor=administrator,
        origin=CLI,
        requester=administrator,
        purpose=PURPOSE,
        start=PERIOD.start,
        end=PERIOD.end,
        k=5,
    )
    assert len(result.rows) == 6
    audit = AuditEvent.objects.get(action=AuditAction.PRODUCE_RESEARCH_EXTRACT)
    assert audit.actor == administrator


def test_k_below_two_is_refused_by_the_action_too(administrator):
    with pytest.raises(LearningError, match="--k: must be at least 2"):
        produce_research_extract(
            actor=None,
            origin=CLI,
            requester=administrator,
            purpose=PURPOSE,
            start=PERIOD.start,
            end=PERIOD.end,
            k=1,
        )
