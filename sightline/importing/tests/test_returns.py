"""The national returns to and from the case record: import, reconcile, export, round trip."""

import dataclasses
import datetime as dt
import io
import zipfile

import pytest
import time_machine

from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.cases.models import ChildProtectionPlan, EpisodeOfNeed, LookedAfterEpisode
from sightline.importing import returns
from sightline.importing.models import ImportBatch, ImportKind
from sightline.importing.rows import PersonRecordRow
from sightline.importing.submissions import submit_person_records
from sightline.people.models import Person, SourceRecord
from sightline.returns import cin_census, dfe_validators, ssda903, synthetic
from sightline.returns.tests import synthetic as hand
from sightline.returns.years import CollectionYear

YEAR = CollectionYear(2026)
AT = dt.datetime(2026, 4, 20, 9, 0, 0)  # noqa: DTZ001 (the census's local time)


@pytest.fixture(autouse=True)
def _after_the_year():
    with time_machine.travel(dt.datetime(2026, 4, 20, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def csc(agencies):
    return agencies["CSC"]


@pytest.fixture
def census():
    return synthetic.census(12, year=YEAR)


def import_census(csc, message, *, name="cin.xml", dry_run=False):
    return returns.import_cin_census(
        actor=None,
        agency=csc,
        content=cin_census.write(message),
        filename=name,
        origin=CLI,
        dry_run=dry_run,
    )


def import_903(csc, result, *, dry_run=False):
    return returns.import_ssda903(
        actor=None,
        agency=csc,
        files=ssda903.write_files(result),
        name="ssda903",
        year=YEAR,
        origin=CLI,
        dry_run=dry_run,
    )


def export(csc):
    return returns.export_cin_census(agency=csc, year=YEAR, lea="201", at=AT)


@pytest.mark.django_db
def test_an_imported_census_exports_as_it_came(csc, census):
    report = import_census(csc, census)
    assert report.ok, report.errors
    assert report.children == 12
    assert report.persons_created == 12
    assert export(csc) == census


@pytest.mark.django_db
def test_round_trip_import_an_export_and_export_again(csc, census):
    import_census(csc, census)
    first = cin_census.write(export(csc))
    again = returns.import_cin_census(
        actor=None, agency=csc, content=first, filename="export.xml", origin=CLI
    )
    assert (again.created, again.corrected, again.withdrawn) == (0, 0, 0)
    assert cin_census.write(export(csc)) == first


@pytest.mark.django_db
def test_the_903_round_trip(csc, census):
    result = synthetic.return903(census, 5)
    report = import_903(csc, result)
    assert report.ok, report.errors
    exported = returns.export_ssda903(agency=csc, year=YEAR)
    assert exported == result
    assert import_903(csc, exported).created == 0
    assert returns.export_ssda903(agency=csc, year=YEAR) == exported


@pytest.mark.django_db
def test_a_903_upn_unknown_code_stays_the_reason_there_is_no_upn(csc, census):
    """The 903's UPN column carries a UPN or the code of why there is none; the census
    has a field for each, and must not be given the code as a UPN (CIN 1520, 1540)."""
    first = dataclasses.replace(census.children[0], upn=None, upn_unknown="UN1")
    message = dataclasses.replace(census, children=(first, *census.children[1:]))
    result = synthetic.return903(message, 1)
    header = dataclasses.replace(result.header[0], upn="UN1")
    assert import_census(csc, message).ok
    assert import_903(csc, dataclasses.replace(result, header=(header,))).ok
    exported = export(csc).children[0]
    assert (exported.upn, exported.upn_unknown) == (None, "UN1")
    assert returns.export_ssda903(agency=csc, year=YEAR).header[0].upn == "UN1"


@pytest.mark.django_db
def test_a_reimport_corrects_what_changed_and_withdraws_what_vanished(csc, census):
    import_census(csc, census)
    first, second, *rest = census.children
    episode = first.episodes[0]
    need = "N2" if episode.primary_need != "N2" else "N3"
    changed = dataclasses.replace(
        first, episodes=(dataclasses.replace(episode, primary_need=need),)
    )
    report = import_census(
        csc, dataclasses.replace(census, children=(changed, *rest)), name="may.xml"
    )
    assert report.ok, report.errors
    assert report.corrected == 1
    assert report.withdrawn >= 1
    assert report.created == 0
    vanished = EpisodeOfNeed.objects.get(
        external_id=f"{second.la_child_id}:{second.episodes[0].referral_date.isoformat()}"
    )
    assert vanished.withdrawn_at is not None
    assert "may.xml" in vanished.withdrawal_reason
    corrected = EpisodeOfNeed.objects.current().get(
        external_id=f"{first.la_child_id}:{episode.referral_date.isoformat()}"
    )
    assert corrected.primary_need == need
    assert corrected.supersedes is not None
    exported = export(csc)
    assert [c.la_child_id for c in exported.children] == [c.la_child_id for c in (changed, *rest)]
    assert EpisodeOfNeed.objects.current().count() == 11


@pytest.mark.django_db
def test_a_known_child_is_placed_on_their_person(csc, census):
    first = census.children[0]
    submit_person_records(
        actor=None,
        agency=csc,
        rows=[
            PersonRecordRow(
                line=1,
                record_id=first.la_child_id,
                agency="CSC",
                given_name="Jamie",
                family_name="Known",
                date_of_birth=first.birth_date,
            )
        ],
        origin=CLI,
    )
    record = SourceRecord.objects.get(agency=csc, record_id=first.la_child_id)
    report = import_census(csc, dataclasses.replace(census, children=(first,)))
    assert report.ok, report.errors
    assert report.persons_created == 0
    assert EpisodeOfNeed.objects.current().get().child == record.person
    record.refresh_from_db()
    assert record.family_name == "Known"  # the census's blank names never overwrite it


@pytest.mark.django_db
def test_a_bad_file_is_rejected_whole_and_nothing_is_imported(csc, census):
    good = cin_census.write(census).decode()
    at = good.rindex("<ReferralSource>")  # the last child's: every child before it is valid
    bad = good[:at] + "<ReferralSource>X" + good[at + len("<ReferralSource>") :]
    persons = Person.objects.count()
    report = returns.import_cin_census(
        actor=None, agency=csc, content=bad.encode(), filename="bad.xml", origin=CLI
    )
    assert not report.ok
    assert "Child[12]/CINdetails[1]" in report.errors[0]
    assert "ReferralSource" in report.errors[0]
    assert "line" in report.errors[0]
    assert EpisodeOfNeed.objects.count() == 0
    assert Person.objects.count() == persons
    assert not ImportBatch.objects.exists()
    audit = AuditEvent.objects.filter(action=AuditAction.IMPORT_RETURN).get()
    assert audit.detail["errors"] == 1


@pytest.mark.django_db
def test_overlapping_episodes_reject_the_903_whole(csc, census):
    result = synthetic.return903(census, 3)
    first = result.episodes[0]
    overlapping = dataclasses.replace(
        first, decom=first.decom + dt.timedelta(days=1), dec=None, rec=None, rne="P"
    )
    report = import_903(csc, dataclasses.replace(result, episodes=(*result.episodes, overlapping)))
    assert not report.ok
    assert "overlap" in report.errors[0]
    assert LookedAfterEpisode.objects.count() == 0


@pytest.mark.django_db
def test_a_dry_run_writes_nothing_but_counts(csc, census):
    report = import_census(csc, census, dry_run=True)
    assert report.ok, report.errors
    assert report.created > 0
    assert EpisodeOfNeed.objects.count() == 0
    assert not SourceRecord.objects.filter(
        agency=csc, record_id=census.children[0].la_child_id
    ).exists()


@pytest.mark.django_db
def test_an_import_is_audited_and_recorded(csc, census):
    import_census(csc, census)
    batch = ImportBatch.objects.get()
    assert batch.kind == ImportKind.CIN_CENSUS
    assert batch.rows == 12
    audit = AuditEvent.objects.filter(action=AuditAction.IMPORT_RETURN).get()
    assert audit.detail["created"] == batch.created


@pytest.mark.django_db
def test_plans_section_47s_and_reviews_come_through(csc):
    message = hand.census()
    report = import_census(csc, message)
    assert report.ok, report.errors
    plan = ChildProtectionPlan.objects.current().get()
    assert (plan.initial_category, plan.latest_category) == ("NEG", "NEG")
    assert [r.review_date for r in plan.reviews.all()] == [dt.date(2025, 8, 20)]
    exported = returns.export_cin_census(agency=csc, year=YEAR, lea="201", at=AT)
    assert exported.children == message.children


@pytest.mark.django_db
def test_the_903_zip_is_read_with_sizes_checked(csc, census):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in ssda903.write_files(synthetic.return903(census, 2)).items():
            archive.writestr(f"return/{name}", content)
    files, problem = returns.unzip_csvs(buffer.getvalue())
    assert problem == ""
    assert set(files) == {"header.csv", "episodes.csv", "reviews.csv"}
    assert returns.unzip_csvs(b"not a zip")[1].startswith("an SSDA903 return is uploaded as a .zip")


@pytest.mark.django_db
def test_a_refusal_late_in_the_file_undoes_everything_before_it(csc, census):
    """The reader accepts two open episodes of one child; the case action refuses the
    second, after eleven children were written: all of it is rolled back."""
    *rest, last = census.children
    episode = last.episodes[0]
    twice = dataclasses.replace(
        last,
        episodes=(
            dataclasses.replace(episode, closure_date=None, closure_reason=None),
            dataclasses.replace(
                episode,
                referral_date=episode.referral_date + dt.timedelta(days=1),
                closure_date=None,
                closure_reason=None,
                assessments=(),
                cin_plans=(),
                section47s=(),
                cp_plans=(),
            ),
        ),
    )
    persons = Person.objects.count()
    report = import_census(csc, dataclasses.replace(census, children=(*rest, twice)))
    assert not report.ok
    assert report.errors[0].startswith(f"Child[12] ({last.la_child_id}) CINdetails[2]")
    assert EpisodeOfNeed.objects.count() == 0
    assert Person.objects.count() == persons


@pytest.mark.django_db
def test_an_episode_in_two_years_files_is_one_row(csc):
    """Last year's file had a child's open episode and another child's closed one; this
    year's has the first, now closed, and not the second (it ended last year): the first is
    corrected, the second stays."""
    last_year = CollectionYear(2025)
    message = synthetic.census(2, year=last_year)
    open_one, closed_one = message.children
    open_episode = dataclasses.replace(
        open_one.episodes[0], closure_date=None, closure_reason=None, cin_plans=(), cp_plans=()
    )
    closed_episode = dataclasses.replace(
        closed_one.episodes[0],
        closure_date=dt.date(2025, 2, 1),
        closure_reason="RC7",
        cin_plans=(),
        section47s=(),
        cp_plans=(),
    )
    ended_early = closed_episode.assessments[
        0
    ].authorisation_date is not None and closed_episode.assessments[0].authorisation_date > dt.date(
        2025, 2, 1
    )
    if ended_early:
        closed_episode = dataclasses.replace(closed_episode, assessments=())
    message = dataclasses.replace(
        message,
        children=(
            dataclasses.replace(open_one, episodes=(open_episode,)),
            dataclasses.replace(closed_one, episodes=(closed_episode,)),
        ),
    )
    assert import_census(csc, message, name="2025.xml").ok
    closed_now = dataclasses.replace(
        open_episode, closure_date=dt.date(2025, 6, 1), closure_reason="RC7", assessments=()
    )
    this_year = dataclasses.replace(
        message,
        header=dataclasses.replace(message.header, year=2026, reference_date=YEAR.end),
        children=(dataclasses.replace(open_one, episodes=(closed_now,)),),
    )
    report = import_census(csc, this_year, name="2026.xml")
    assert report.ok, report.errors
    assert (report.created, report.corrected, report.withdrawn) == (0, 1, 0)
    assert EpisodeOfNeed.objects.current().count() == 2


@pytest.mark.validators
@pytest.mark.django_db
@pytest.mark.skipif(
    dfe_validators.unavailable_reason() is not None,
    reason=dfe_validators.unavailable_reason() or "",
)
def test_the_exports_of_imported_returns_pass_the_dfe_rules(csc, tmp_path):
    message = synthetic.census(40, year=YEAR)
    assert import_census(csc, message).ok
    assert import_903(csc, synthetic.return903(message, 10)).ok
    returns.write_cin_census(
        actor=None, agency=csc, year=YEAR, lea="201", out=tmp_path / "cin.xml", origin=CLI
    )
    returns.write_ssda903(actor=None, agency=csc, year=YEAR, out=tmp_path / "903", origin=CLI)
    report = dfe_validators.check(cin=tmp_path / "cin.xml", ssda903=tmp_path / "903", year=2026)
    assert [(i.collection, i.rule, i.message) for i in report.errors] == []
    assert report.crashed == []
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT_RETURN).count() == 2


@pytest.mark.django_db
def test_the_903s_social_worker_episodes_are_read_but_skipped_and_said_so(
    csc, census, social_worker
):
    """Even an ``XX`` id that is a user's number here allocates no one: the number the
    exporter wrote is a user's in the database that exported it (docs/returns.md)."""
    from sightline.cases.models import Allocation
    from sightline.importing.management.commands._returns import summary
    from sightline.people.models import Involvement

    result = synthetic.return903(census, 5)
    child = result.header[0]
    result = dataclasses.replace(
        result,
        sw_episodes=(
            ssda903.SWEpisode(
                child=child.child,
                dob=child.dob,
                sw_id=f"XX{social_worker.pk:06d}",
                sw_decom=dt.date(2025, 6, 2),
                sw_reason="OTHERS",
            ),
        ),
    )
    involvements = Involvement.objects.filter(practitioner=social_worker).count()
    report = import_903(csc, result)
    assert report.ok, report.errors
    assert report.skipped == (returns.skipped_sw_episodes(1),)
    assert report.unplaced == ()
    assert not Allocation.objects.exists()
    assert Involvement.objects.filter(practitioner=social_worker).count() == involvements
    assert "Skipped:\n  SWEpisodes: 1 social worker episode skipped" in summary(report)
    audit = AuditEvent.objects.filter(action=AuditAction.IMPORT_RETURN).latest("pk")
    assert audit.detail["skipped"] == list(report.skipped)
    # The rest of the return came through, and exports as it came (no allocations, so no
    # SWEpisodes either).
    assert returns.export_ssda903(agency=csc, year=YEAR) == dataclasses.replace(
        result, sw_episodes=()
    )
