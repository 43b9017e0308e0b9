"""The demo's national returns: what ``generate-demo-data --out`` writes, what
``load-demo-data`` imports, and what the loaded demo exports, checked against the DfE's
own validators (``make validators``)."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command

from sightline.audit.models import AuditAction, AuditEvent
from sightline.cases.models import (
    Allocation,
    ChildProtectionPlan,
    EpisodeOfNeed,
    LookedAfterEpisode,
)
from sightline.chronology.models import ChronologyEvent
from sightline.demo import generator as gen
from sightline.demo import returns as demo_returns
from sightline.importing.formats import LONDON
from sightline.importing.models import ImportBatch, ImportKind
from sightline.importing.returns import CIN_SOURCE, SSDA903_SOURCE
from sightline.people.models import InvolvementRole, SourceRecord, StatusKind, StatusPeriod
from sightline.returns import cin_census, dfe_validators, ssda903
from sightline.returns.years import CollectionYear

NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=LONDON)
AS_OF = dt.date(2026, 11, 25)
YEAR = CollectionYear.containing(AS_OF)
# The steps the case actions record in the chronology (cases.bulk), and the generator too.
CASE_STEPS = (
    "referral", "case_closed", "assessment_started", "assessment_completed",
    "cin_plan_started", "cin_plan_ended", "section47_started", "cp_plan_started",
    "cp_plan_ended", "looked_after_started", "looked_after_ended",
)  # fmt: skip
# A small data set with children looked after, on a plan and in need on AS_OF.
CHILDREN, SEED = 30, 3

validators = pytest.mark.skipif(
    dfe_validators.unavailable_reason() is not None,
    reason=dfe_validators.unavailable_reason() or "",
)


def built(children: int = CHILDREN, seed: int = SEED) -> demo_returns.DemoReturns:
    config = gen.DemoConfig(children=children, seed=seed, as_of=AS_OF)
    return demo_returns.build(gen.generate(config, with_events=False), seed=seed, as_of=AS_OF)


# -- the files, pure -----------------------------------------------------------------------


def test_the_returns_name_children_by_their_social_care_record_id():
    config = gen.DemoConfig(children=CHILDREN, seed=SEED, as_of=AS_OF)
    households = list(gen.generate(config, with_events=False))
    csc = {r.record_id: r.person_id for h in households for r in h.records if r.agency == gen.CSC}
    returns = demo_returns.build(households, seed=SEED, as_of=AS_OF)
    census, looked_after = returns.census(), returns.return903()
    assert census.header.year == YEAR.end_year
    assert census.children
    assert looked_after.header
    for child in census.children:
        assert child.la_child_id in csc
    assert {h.child for h in looked_after.header} <= {c.la_child_id for c in census.children}


def test_the_returns_hold_what_a_return_of_the_year_holds():
    census = built().census()
    for child in census.children:
        for episode in child.episodes:
            assert YEAR.overlaps(episode.referral_date, episode.closure_date)
            for plan in episode.cp_plans:
                assert YEAR.overlaps(plan.start_date, plan.end_date)
                assert plan.start_date <= AS_OF
            for enquiry in episode.section47s:
                # CIN 8715 and 2884: the conference is in the year and given once.
                assert (enquiry.icpc_date or enquiry.start_date) in YEAR
                assert episode.initial_cpc_date is None
                if enquiry.icpc_date:
                    assert enquiry.icpc_date.weekday() < 5  # CIN 8875


def test_the_returns_are_deterministic_and_read_back():
    first, second = built(), built()
    assert cin_census.write(first.census()) == cin_census.write(second.census())
    files = ssda903.write_files(first.return903())
    assert files == ssda903.write_files(second.return903())
    assert cin_census.read(cin_census.write(first.census())) == first.census()
    assert ssda903.read_files(files).episodes == first.return903().episodes


def test_a_period_of_care_ends_at_eighteen():
    returns = built(children=400, seed=7)
    looked_after = returns.return903()
    dob = {h.child: h.dob for h in looked_after.header}
    for episode in looked_after.episodes:
        eighteen = demo_returns._birthday(dob[episode.child], 18)
        assert episode.decom < eighteen
        assert (episode.dec or AS_OF) <= max(eighteen, episode.decom)


def test_generate_writes_the_returns(tmp_path):
    out = io.StringIO()
    call_command(
        "generate-demo-data", "--children", str(CHILDREN), "--seed", str(SEED),
        "--as-of", AS_OF.isoformat(), "--out", str(tmp_path), stdout=out,
    )  # fmt: skip
    census = cin_census.read((tmp_path / "cin_census.xml").read_bytes())
    looked_after = ssda903.read_directory(tmp_path / "ssda903")
    assert census == built().census()
    assert looked_after.header == built().return903().header
    people = (tmp_path / "people.csv").read_text()
    for child in census.children:
        assert f"{child.la_child_id},CSC," in people


@validators
def test_the_generated_returns_pass_the_dfe_rules(tmp_path):
    returns = built(children=600, seed=20261126)
    (tmp_path / "cin_census.xml").write_bytes(cin_census.write(returns.census()))
    ssda903.write_directory(returns.return903(), tmp_path / "ssda903")
    report = dfe_validators.check(
        cin=tmp_path / "cin_census.xml", ssda903=tmp_path / "ssda903", year=YEAR.end_year
    )
    assert [(i.collection, i.rule, i.message, i.children) for i in report.errors] == []
    assert report.crashed == []


# -- loaded through the importers ----------------------------------------------------------


@pytest.fixture
def loaded(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with time_machine.travel(NOW, tick=False):
        call_command(
            "load-demo-data", "--children", str(CHILDREN), "--seed", str(SEED),
            stdout=io.StringIO(),
        )  # fmt: skip
        yield


@pytest.mark.django_db
def test_the_case_comes_in_through_the_importers(loaded):
    kinds = set(ImportBatch.objects.values_list("kind", flat=True))
    assert {ImportKind.CIN_CENSUS, ImportKind.SSDA903} <= kinds
    imports = AuditEvent.objects.filter(action=AuditAction.IMPORT_RETURN)
    assert [row.detail["errors"] for row in imports] == [0, 0]
    census = built().census()
    assert set(EpisodeOfNeed.objects.values_list("source", flat=True)) == {CIN_SOURCE}
    assert EpisodeOfNeed.objects.count() == sum(len(c.episodes) for c in census.children)
    assert set(LookedAfterEpisode.objects.values_list("source", flat=True)) == {SSDA903_SOURCE}
    # Each child is the person their social care record belongs to.
    for episode in EpisodeOfNeed.objects.all():
        record = SourceRecord.objects.get(
            agency__code="CSC", record_id=episode.external_id.split(":")[0]
        )
        assert record.person_id == episode.child_id
    # The flags derive from the imported case: each plan and period of care has its status.
    for plan in ChildProtectionPlan.objects.current():
        assert plan.status_period is not None
        assert plan.status_period.kind == StatusKind.CHILD_PROTECTION
    periods = StatusPeriod.objects.filter(kind=StatusKind.LOOKED_AFTER, ended_on__isnull=True)
    assert periods.exists()
    # Nothing else writes status periods any more: each belongs to an imported row.
    assert not AuditEvent.objects.filter(action=AuditAction.RECORD_STATUS, detail__bulk=True)


@pytest.mark.django_db
def test_a_step_of_the_imported_case_is_in_the_chronology_once(loaded):
    """The import writes a social care event for each step of the year's case; the
    generator's own event for that step is left out, so a child's chronology shows it
    once. Steps before the year (not in the returns) still come from the generator."""
    events = ChronologyEvent.objects.current().filter(
        agency__code="CSC", category__code__in=CASE_STEPS
    )
    seen: dict[tuple[int, str, dt.date], list[str]] = {}
    for person_id, category, occurred_at, event_id in events.values_list(
        "person_id", "category__code", "occurred_at", "event_id"
    ):
        day = occurred_at.astimezone(LONDON).date()
        seen.setdefault((person_id, category, day), []).append(event_id)
    twice = {key: ids for key, ids in seen.items() if len(ids) > 1}
    assert twice == {}
    # Both sources are there: the imported case's steps and the generator's earlier ones.
    imported = [ids[0] for ids in seen.values() if ids[0].startswith("case-")]
    generated = [ids[0] for ids in seen.values() if not ids[0].startswith("case-")]
    assert imported
    assert generated
    before_the_year = [key for key, ids in seen.items() if key[2] < YEAR.start]
    assert before_the_year


@pytest.mark.django_db
def test_social_workers_are_allocated_through_the_case_actions(loaded):
    allocations = Allocation.objects.current()
    assert allocations.filter(end_date__isnull=True).exists()
    assert allocations.filter(end_date__isnull=False).exists()
    for allocation in allocations.select_related("involvement"):
        assert allocation.involvement is not None
        assert allocation.involvement.role == InvolvementRole.ALLOCATED_SOCIAL_WORKER
        assert allocation.involvement.ended_on == allocation.end_date
    allocated = AuditEvent.objects.filter(action=AuditAction.ALLOCATE_CASE).count()
    assert allocated == Allocation.objects.filter(supersedes__isnull=True).count()
    social_worker = allocations.filter(worker__username="social.worker", end_date__isnull=True)
    assert social_worker.exists()


@validators
@pytest.mark.django_db
def test_the_loaded_demo_exports_returns_that_pass_the_dfe_rules(loaded, tmp_path):
    """``make test``'s check of the demo: what came in through the importers goes out
    through the exporters and passes the DfE's rules with no errors."""
    quiet = io.StringIO()
    cin_file, directory = tmp_path / "cin_census.xml", tmp_path / "ssda903"
    with time_machine.travel(NOW, tick=False):
        call_command(
            "export-cin-census", "--year", str(YEAR.end_year), "--out", str(cin_file),
            stdout=quiet,
        )  # fmt: skip
        call_command(
            "export-ssda903", "--year", str(YEAR.end_year), "--out", str(directory),
            stdout=quiet,
        )  # fmt: skip
    exported = cin_census.read(cin_file.read_bytes())
    assert exported.children
    assert ssda903.read_directory(directory).episodes
    report = dfe_validators.check(cin=cin_file, ssda903=directory, year=YEAR.end_year)
    assert [(i.collection, i.rule, i.message, i.children) for i in report.errors] == []
    assert report.crashed == []
