"""load-demo-data and generate-demo-data, on a small data set."""

import datetime as dt
import io
import json
import re

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db.models import Count

from sightline.accounts.models import Role, User
from sightline.agencies.models import Agency, AgencyKind, Team
from sightline.audit.models import AuditAction, AuditEvent
from sightline.audit.queries import verify_chain
from sightline.cases.defaults import CASE_CATEGORIES
from sightline.chronology.models import ChronologyEvent
from sightline.chronology.vocabulary import ACT_CODES
from sightline.demo import actions as demo_actions
from sightline.demo import generator as gen
from sightline.demo.actions import persona_specs
from sightline.governance.models import DisposalProposal, ProposalStatus
from sightline.importing.formats import LONDON
from sightline.incidents import access as incidents_access
from sightline.incidents.models import Partner, SeriousIncidentNotification
from sightline.pages.queues import QUEUES
from sightline.people.models import Involvement, InvolvementRole, Person, SourceRecord
from sightline.record.queries import visible_to
from sightline.subjectaccess.models import SubjectAccessRequest

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=LONDON)
AS_OF = dt.date(2026, 11, 25)
LOGIN = re.compile(r"^  (\S+) / (\S+) ", re.MULTILINE)
PERSONAS = {
    "social.worker": ("CSC", Role.PRACTITIONER),
    "police.officer": ("POLICE", Role.PRACTITIONER),
    "health.visitor": ("HEALTH", Role.PRACTITIONER),
    "school.lead": ("EDUCATION", Role.SAFEGUARDING_LEAD),
    "housing.officer": ("HOUSING", Role.PRACTITIONER),
    "team.manager": ("CSC", Role.TEAM_MANAGER),
    "panel.analyst": ("CSC", Role.PANEL_ANALYST),
    "admin": ("CSC", Role.ADMINISTRATOR),
    "data.quality": ("CSC", Role.DATA_QUALITY),
    "ig.officer": ("CSC", Role.INFORMATION_GOVERNANCE),
    "partnership.manager": ("CSC", Role.PARTNERSHIP_BUSINESS_MANAGER),
    "la.lead": ("CSC", Role.PARTNER_LEAD_LOCAL_AUTHORITY),
    "police.lead": ("POLICE", Role.PARTNER_LEAD_POLICE),
    "icb.lead": ("ICB", Role.PARTNER_LEAD_ICB),
}
PARTNERSHIP = ("partnership.manager", "la.lead", "police.lead", "icb.lead")


@pytest.fixture(autouse=True)
def quick_passwords_and_fixed_clock(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with time_machine.travel(NOW, tick=False):
        yield


def load(children: int = 30, seed: int = 5) -> str:
    out = io.StringIO()
    call_command("load-demo-data", "--children", str(children), "--seed", str(seed), stdout=out)
    return out.getvalue()


def logins(output: str) -> dict[str, str]:
    return dict(LOGIN.findall(output))


def expected(children: int = 30, seed: int = 5) -> list[gen.Household]:
    return list(gen.generate(gen.DemoConfig(children=children, seed=seed, as_of=AS_OF)))


def test_it_loads_the_agencies_teams_people_and_chronologies():
    output = load()
    households = expected()
    assert set(Agency.objects.values_list("code", flat=True)) == {*gen.AGENCY_CODES, "ICB"}
    assert Agency.objects.get(code="ICB").kind == AgencyKind.INTEGRATED_CARE_BOARD
    for agency in Agency.objects.all():
        assert re.fullmatch(r"0113 496 0\d{3}", agency.office_hours_phone)
        assert re.fullmatch(r"0113 496 0\d{3}", agency.out_of_hours_phone)
    assert Team.objects.exists()
    assert all(t.duty_email.endswith("@example.org") for t in Team.objects.all())
    # Besides the generated records, the work left in progress (demo/workflow.py) submits
    # the records of three people the agencies last worked with long ago, with two events each.
    archive = SourceRecord.objects.filter(record_id__contains="-ARCHIVE-")
    assert archive.count() == 3
    assert SourceRecord.objects.count() == sum(len(h.records) for h in households) + 3
    # Besides the generated events, the work left in progress records its sharing decision
    # and the acts and case steps Sightline records itself, and the imported returns and
    # the allocations chronicle the case (event ids "case-...").
    generated = (
        ChronologyEvent.objects.exclude(event_id__startswith="sharing-decision-")
        .exclude(event_id__startswith="case-")
        .exclude(event_id__contains="-ARCHIVE-")
        .exclude(category__code__in=ACT_CODES | {code for code, _ in CASE_CATEGORIES})
    )
    assert generated.count() == sum(len(h.events) for h in households)
    assert ChronologyEvent.objects.filter(event_id__contains="-ARCHIVE-").count() == 6
    assert Involvement.objects.count() == sum(len(h.involvements) for h in households)
    assert "Loaded demo data (seed 5, 30 children" in output
    assert "http://127.0.0.1:8000/login/" in output


def test_every_persona_logs_in_with_the_password_printed(client):
    passwords = logins(load())
    assert set(passwords) == set(PERSONAS)
    assert len(set(passwords.values())) == len(PERSONAS)
    for username, password in passwords.items():
        user = User.objects.get(username=username)
        assert user.agency is not None
        assert (user.agency.code, user.role) == PERSONAS[username]
        assert client.login(username=username, password=password), username
        client.logout()
    assert not client.login(username="social.worker", password="wrong password")


def test_every_role_has_a_demo_persona():
    """A role added without a demo login fails here: ``make demo`` prints one per role."""
    roster = gen.build_roster(gen.DemoConfig(children=30, seed=5, as_of=AS_OF))
    specs = persona_specs(roster)
    assert {spec.role for spec in specs} == set(Role.values)
    assert {spec.role for spec in specs} == {role for _, role in PERSONAS.values()}


def test_practitioners_who_are_not_personas_cannot_log_in():
    load()
    others = User.objects.exclude(username__in=PERSONAS)
    assert others.exists()
    assert not any(u.has_usable_password() for u in others)


def test_the_social_worker_is_allocated_a_child_known_to_four_agencies():
    load()
    social_worker = User.objects.get(username="social.worker")
    allocated = Involvement.objects.filter(
        practitioner=social_worker, role=InvolvementRole.ALLOCATED_SOCIAL_WORKER
    ).active_on(AS_OF)
    assert allocated.exists()
    children = visible_to(social_worker)
    assert children.count() >= allocated.values("person").distinct().count()
    agencies = (
        Person.objects.filter(pk__in=children)
        .annotate(agencies=Count("events__agency", distinct=True))
        .values_list("agencies", flat=True)
    )
    assert max(agencies) >= 4


def test_the_output_names_a_child_each_practitioner_persona_can_see():
    output = load()
    for line in output.splitlines():
        if line.strip().startswith("sees ") and "children" in line:
            assert re.search(r"sees \d+ children, e\.g\. \S+ \S+", line), line
    visible = {u: visible_to(User.objects.get(username=u)).count() for u in PERSONAS}
    for username in ("social.worker", "police.officer", "health.visitor", "school.lead", "housing.officer", "team.manager"):  # fmt: skip
        assert visible[username] > 0, username
        assert f"sees {visible[username]:,} children, e.g." in output
    assert visible["panel.analyst"] == visible["admin"] == 0
    assert visible["data.quality"] == visible["ig.officer"] == 0
    assert all(visible[username] == 0 for username in PARTNERSHIP)


def test_the_three_partner_leads_between_them_may_sign_off_a_rapid_review():
    load()
    agencies = {a.code: a for a in Agency.objects.all()}
    notification = SeriousIncidentNotification(
        local_authority=agencies["CSC"],
        police=agencies["POLICE"],
        integrated_care_board=agencies["ICB"],
    )
    signers = {
        partner: [
            u.username
            for u in User.objects.filter(username__in=PERSONAS)
            if incidents_access.can_sign_off(u, notification, partner)
        ]
        for partner in Partner
    }
    assert signers == {
        Partner.LOCAL_AUTHORITY: ["la.lead"],
        Partner.POLICE: ["police.lead"],
        Partner.INTEGRATED_CARE_BOARD: ["icb.lead"],
    }
    manager = User.objects.get(username="partnership.manager")
    assert incidents_access.is_partner(manager, notification)


def test_the_team_manager_sees_every_child_the_social_worker_sees():
    load()
    social_worker = visible_to(User.objects.get(username="social.worker"))
    manager = visible_to(User.objects.get(username="team.manager"))
    assert set(social_worker) <= set(manager)


def test_every_write_is_audited_and_the_chain_is_intact():
    load()
    actions = dict(
        AuditEvent.objects.values_list("action").annotate(n=Count("id")).values_list("action", "n")
    )
    assert actions[AuditAction.CREATE_AGENCY] == 6
    assert actions[AuditAction.CREATE_USER] == User.objects.count()
    # One submission per agency, and one for each of the three records past retention.
    assert actions[AuditAction.IMPORT_PEOPLE] == 5 + 3
    assert actions[AuditAction.IMPORT_EVENTS] >= 5 + 3
    # One row for the bulk of the other agencies' involvements; each allocation of a
    # social worker (cases.actions.allocate) records and ends its involvement itself.
    bulk = AuditEvent.objects.filter(action=AuditAction.RECORD_INVOLVEMENT, detail__bulk=True)
    assert bulk.count() == 1
    assert actions[AuditAction.ALLOCATE_CASE] > 0
    assert actions[AuditAction.IMPORT_RETURN] == 2
    assert actions[AuditAction.LOAD_DEMO_DATA] == 1
    load_row = AuditEvent.objects.get(action=AuditAction.LOAD_DEMO_DATA)
    assert load_row.detail["loaded"] is True
    assert load_row.detail["seed"] == 5
    assert load_row.via == "cli"
    assert verify_chain() == []


def test_loading_the_same_seed_again_only_issues_new_passwords(client):
    first = logins(load())
    counts = (SourceRecord.objects.count(), ChronologyEvent.objects.count(), User.objects.count())
    output = load()
    second = logins(output)
    assert "already loaded" in output
    assert "e.g." in output
    assert counts == (
        SourceRecord.objects.count(),
        ChronologyEvent.objects.count(),
        User.objects.count(),
    )
    assert set(second) == set(PERSONAS)
    for username in PERSONAS:
        assert first[username] != second[username]
        assert not client.login(username=username, password=first[username])
        assert client.login(username=username, password=second[username])
        client.logout()
    rows = AuditEvent.objects.filter(action=AuditAction.LOAD_DEMO_DATA).order_by("id")
    assert [row.detail["loaded"] for row in rows] == [True, False]
    assert AuditEvent.objects.filter(action=AuditAction.RESET_PASSWORD).count() == len(PERSONAS)


def test_loading_again_adds_the_personas_of_roles_added_since(client, monkeypatch):
    """A database loaded before a role had a persona: loading it again creates the login
    (``make demo`` on an existing demo), rather than failing on the missing persona."""
    new = {"data.quality", "ig.officer"}
    full = demo_actions.persona_specs
    monkeypatch.setattr(
        demo_actions,
        "persona_specs",
        lambda roster: [s for s in full(roster) if s.username not in new],
    )
    load()
    assert not User.objects.filter(username__in=new).exists()
    monkeypatch.setattr(demo_actions, "persona_specs", full)
    passwords = logins(load())
    assert set(passwords) == set(PERSONAS)
    for username in new:
        user = User.objects.select_related("agency").get(username=username)
        assert user.agency is not None
        assert (user.agency.code, user.role) == PERSONAS[username]
        assert client.login(username=username, password=passwords[username])
    row = AuditEvent.objects.filter(action=AuditAction.LOAD_DEMO_DATA).latest("id")
    assert row.detail["personas_added"] == sorted(new)
    assert AuditEvent.objects.filter(action=AuditAction.RESET_PASSWORD).count() == len(
        PERSONAS
    ) - len(new)


def test_it_refuses_to_load_other_demo_data_on_top():
    load(seed=5)
    with pytest.raises(CommandError, match="already holds demo data for seed 5"):
        load(seed=6)
    with pytest.raises(CommandError, match="already holds demo data"):
        load(children=31, seed=5)


def test_it_refuses_bad_arguments():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("load-demo-data", "--children", "0", stdout=io.StringIO())
    with pytest.raises(CommandError, match="before today"):
        call_command("load-demo-data", "--as-of", "2026-11-26", stdout=io.StringIO())
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("load-demo-data", "--as-of", "26/11/2026", stdout=io.StringIO())
    assert not Agency.objects.exists()


def test_generate_without_out_prints_a_summary():
    out = io.StringIO()
    call_command("generate-demo-data", "--children", "40", "--seed", "3", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["children"] == 40
    assert summary["seed"] == 3
    assert summary["as_of"] == "2026-11-25"
    households = expected(children=40, seed=3)
    assert summary["person_records"] == sum(len(h.records) for h in households)
    assert summary["events"] == sum(len(h.events) for h in households)
    assert set(summary["events_by_agency"]) == set(gen.AGENCY_CODES)
    assert "files" not in summary


def test_generate_with_out_writes_the_files(tmp_path):
    out = io.StringIO()
    call_command(
        "generate-demo-data", "--children", "20", "--seed", "3", "--out", str(tmp_path), stdout=out
    )
    summary = json.loads(out.getvalue())
    assert {p.rsplit("/", 1)[-1] for p in summary["files"]} == {
        "cin_census.xml",
        "ssda903",
        "people.csv",
        "events.csv",
        "ground_truth.csv",
        "persons.csv",
        "patterns.csv",
        "relationships.csv",
        "involvements.csv",
        "statuses.csv",
        "practitioners.csv",
    }
    people = (tmp_path / "people.csv").read_text().splitlines()
    assert len(people) == summary["person_records"] + 1


def test_generate_refuses_bad_arguments(tmp_path):
    with pytest.raises(CommandError, match="at least 1"):
        call_command("generate-demo-data", "--children", "0", "--seed", "1")
    with pytest.raises(CommandError, match="before today"):
        call_command(
            "generate-demo-data", "--children", "5", "--seed", "1", "--as-of", "2027-01-01"
        )
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    with pytest.raises(CommandError, match="cannot write"):
        call_command("generate-demo-data", "--children", "5", "--seed", "1", "--out", str(blocked))


def test_it_leaves_work_in_progress_in_the_queues_through_the_actions():
    load()
    out = io.StringIO()
    call_command("stats", stdout=out)
    queues = json.loads(out.getvalue())
    # Written by the actions a practitioner's pages call (demo/workflow.py).
    for queue in (
        "decisions_open",
        "challenges_open",
        "referrals_open",
        "notifications_open",
        "rapid_reviews_open",
        "alerts_unread",
        "meetings_upcoming",
        "subject_access_open",
        "disposals_to_review",
    ):
        assert queues[queue] > 0, queue
    for action in (
        AuditAction.RECORD_SUBJECT_ACCESS,
        AuditAction.VERIFY_SUBJECT_ACCESS,
        AuditAction.PROPOSE_DISPOSALS,
        AuditAction.OPEN_DECISION_POINT,
        AuditAction.RAISE_REFERRAL,
        AuditAction.RECORD_NOTIFICATION,
        AuditAction.OPEN_RAPID_REVIEW,
        AuditAction.RECORD_EXPLOITATION_MEETING,
        AuditAction.RECORD_MEETING_ACTION,
    ):
        assert AuditEvent.objects.filter(action=action).exists(), action


def test_after_the_demo_load_every_stats_queue_holds_something(tmp_path, settings):
    """The steps of ``make demo`` that fill queues, on a small data set: ``load-demo-data``
    (decisions, challenges, referrals, notifications, rapid reviews, alerts, meetings,
    and the case: children in need, on a plan and looked after, from the imported
    returns) and the reviews loaded for coding. ``load-demo-networks`` needs more children
    than this and fills no queue of its own. Then the linkage model is trained on the
    loaded records and the records linked, so the identity review queue holds real pairs.
    Seed 3 is a small data set with children looked after in it."""
    settings.SIGHTLINE_LINKAGE_MODEL_DIR = tmp_path / "models"
    load(seed=3)
    corpus = tmp_path / "reviews-for-coding.jsonl"
    quiet = io.StringIO()
    call_command(
        "generate-review-corpus", "--count", "3", "--first-year", "2024", "--years", "1",
        "--out", str(corpus), stdout=quiet,
    )  # fmt: skip
    call_command("load-review-corpus", str(corpus), "--for-coding", stdout=quiet)
    call_command("train-linkage-model", "--max-pairs", "20000", "--quiet", stdout=quiet)
    call_command("link", "--quiet", stdout=quiet)
    out = io.StringIO()
    call_command("stats", stdout=out)
    counts = json.loads(out.getvalue())
    empty = [queue for queue in QUEUES if not counts[queue]]
    assert empty == []
    # The case, as it came in through the importers of the CIN census and the SSDA903.
    assert counts["cin_open"] > 0
    assert sum(counts["cp_plans"].values()) > 0
    assert counts["cp_plans_started"] > 0
    looked_after = counts["looked_after"]
    assert looked_after["total"] > 0
    assert sum(looked_after["by_legal_status"].values()) == looked_after["total"]
    assert sum(looked_after["by_placement"].values()) == looked_after["total"]


def test_the_records_officers_have_work_waiting_after_the_load():
    """The data quality officer's subject access requests, logged through the action the
    page calls, and the information governance officer's disposals: the records past the
    schedule that the retention run on the last day of the data proposed."""
    load()
    officer = User.objects.get(username="data.quality")
    requests = SubjectAccessRequest.objects.filter(agency=officer.agency, recorded_by=officer)
    assert sorted(r.status for r in requests) == ["received", "verified"]
    proposals = DisposalProposal.objects.filter(status=ProposalStatus.PROPOSED)
    assert sorted(p.kind for p in proposals) == ["adult", "adult", "child_without_case"]
    archived = set(
        SourceRecord.objects.filter(record_id__contains="-ARCHIVE-").values_list(
            "person__public_id", flat=True
        )
    )
    assert {p.person_ref for p in proposals} == archived
    assert all(p.as_of == AS_OF for p in proposals)
