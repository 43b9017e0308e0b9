import datetime as dt
import subprocess
import sys

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.deadlines import actions, queries, rules
from sightline.deadlines.models import LocalClosure

D = dt.date


@pytest.mark.parametrize(
    ("step", "start", "expected"),
    [
        ("referral_decision", D(2024, 5, 3), D(2024, 5, 7)),
        ("assessment", D(2024, 1, 2), D(2024, 3, 5)),
        ("initial_conference", D(2021, 12, 10), D(2022, 1, 5)),
        ("core_group", D(2022, 9, 9), D(2022, 9, 26)),  # state funeral 19 Sep
        ("first_review_conference", D(2023, 11, 30), D(2024, 2, 29)),
        ("review_conference", D(2023, 8, 31), D(2024, 2, 29)),
        ("looked_after_first_review", D(2022, 5, 20), D(2022, 6, 21)),  # 2 and 3 June
        ("looked_after_second_review", D(2022, 11, 30), D(2023, 2, 28)),
        ("looked_after_later_review", D(2024, 2, 29), D(2024, 8, 29)),
        ("serious_incident_notification", D(2024, 5, 3), D(2024, 5, 13)),
        ("serious_incident_notification", D(2023, 5, 5), D(2023, 5, 15)),  # coronation
        ("rapid_review", D(2024, 5, 3), D(2024, 5, 28)),
        ("local_review_publication", D(2023, 8, 31), D(2024, 2, 29)),
        ("local_review_send_to_panel", D(2024, 5, 13), D(2024, 5, 1)),
    ],
)
def test_every_step_has_a_rule(step, start, expected):
    result = rules.deadline(step, start)
    assert result == rules.Deadline(expected, rules.Step(step), rules.CURRENT_VERSION)


def test_every_version_covers_every_step():
    for table in rules.VERSIONS.values():
        assert set(table) == set(rules.Step)


def test_it_names_the_known_steps_for_an_unknown_one():
    with pytest.raises(rules.UnknownStepError, match="known steps: referral_decision, assessment"):
        rules.parse_step("rapid_reveiw")
    with pytest.raises(rules.UnknownRuleVersionError, match=r"WT2023\.1"):
        rules.rule_for("rapid_review", "WT1999")


def test_rules_describe_themselves():
    rule = rules.rule_for("local_review_send_to_panel")
    assert rule.describe() == "7 working days before publication"


@pytest.mark.django_db
def test_queries_use_live_closures_only(administrator):
    assert queries.deadline("serious_incident_notification", D(2024, 3, 4)).due_on == D(2024, 3, 11)
    closure = actions.record_local_closure(
        actor=administrator, origin=CLI, date=D(2024, 3, 6), reason="Office move"
    )
    assert queries.local_closures() == frozenset({D(2024, 3, 6)})
    assert queries.deadline("serious_incident_notification", D(2024, 3, 4)).due_on == D(2024, 3, 12)
    actions.withdraw_local_closure(
        actor=administrator, origin=CLI, closure=closure, reason="Move postponed"
    )
    assert queries.local_closures() == frozenset()
    assert list(AuditEvent.objects.order_by("id").values_list("action", "actor__username")) == [
        (AuditAction.RECORD_CLOSURE, "ada.admin"),
        (AuditAction.WITHDRAW_CLOSURE, "ada.admin"),
    ]
    closure.refresh_from_db()
    assert closure.withdrawn_by == administrator


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["social_worker", "team_manager", "panel_analyst"])
def test_only_administrators_manage_closures(request, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        actions.record_local_closure(actor=user, origin=CLI, date=D(2024, 3, 6), reason="x")
    assert not LocalClosure.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_closure_input_is_checked(administrator):
    with pytest.raises(ValidationError) as blank:
        actions.record_local_closure(
            actor=administrator, origin=CLI, date=D(2024, 3, 6), reason=" "
        )
    assert "reason" in blank.value.message_dict
    with pytest.raises(ValidationError) as weekend:
        actions.record_local_closure(
            actor=administrator, origin=CLI, date=D(2024, 3, 9), reason="Saturday"
        )
    assert "date" in weekend.value.message_dict
    actions.record_local_closure(actor=administrator, origin=CLI, date=D(2024, 3, 6), reason="a")
    with pytest.raises(ValidationError) as twice:
        actions.record_local_closure(
            actor=administrator, origin=CLI, date=D(2024, 3, 6), reason="b"
        )
    assert "date" in twice.value.message_dict
    assert LocalClosure.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "printed"),
    [
        (["serious_incident_notification", "2024-05-03"], "2024-05-13\n"),
        (["rapid_review", "2021-12-10"], "2022-01-05\n"),
        (["local_review_publication", "2023-08-31"], "2024-02-29\n"),
        (["local_review_send_to_panel", "2023-01-04"], "2022-12-21\n"),
    ],
)
def test_the_deadline_command_prints_the_date(args, printed, capsys):
    call_command("deadline", *args)
    assert capsys.readouterr().out == printed


@pytest.mark.django_db
def test_the_deadline_command_counts_local_closures(administrator, capsys):
    for day in (28, 29, 30):
        actions.record_local_closure(
            actor=administrator, origin=CLI, date=D(2022, 12, day), reason="Christmas shutdown"
        )
    call_command("deadline", "serious_incident_notification", "2022-12-23")
    assert capsys.readouterr().out == "2023-01-09\n"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["rapid_reveiw", "2024-01-01"], "known steps: referral_decision"),
        (["rapid_review", "2024-02-30"], "DATE must be a calendar date as YYYY-MM-DD"),
        (["rapid_review", "03/05/2024"], "DATE must be a calendar date as YYYY-MM-DD"),
        (["rapid_review", "0999-01-01"], "outside"),
        (["rapid_review", "2024-01-01", "--rule-version", "X"], "unknown rule version"),
    ],
)
def test_the_deadline_command_explains_bad_input(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("deadline", *args)


def test_the_cli_exits_non_zero_on_an_unknown_step():
    result = subprocess.run(
        [sys.executable, "-m", "sightline", "deadline", "nope", "2024-01-01"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "known steps:" in result.stderr
    assert "serious_incident_notification" in result.stderr
    assert result.stdout == ""


@pytest.mark.django_db
def test_administrators_manage_closures_from_the_command_line(administrator, social_worker, capsys):
    call_command("local-closures", "add", "2024-12-27", "Christmas shutdown", "--as", "ada.admin")
    call_command("local-closures", "list")
    assert capsys.readouterr().out.endswith("2024-12-27  Christmas shutdown\n")
    call_command("deadline", "serious_incident_notification", "2024-12-24")
    # 25, 26 Dec bank holidays, 27 Dec closed, then 30, 31 Dec, 2, 3 and 6 Jan 2025.
    assert capsys.readouterr().out == "2025-01-06\n"
    with pytest.raises(CommandError, match="date: "):
        call_command("local-closures", "add", "2024-12-27", "again", "--as", "ada.admin")
    with pytest.raises(CommandError, match="Only administrators"):
        call_command("local-closures", "add", "2024-12-30", "x", "--as", "sally.social")
    with pytest.raises(CommandError, match="no user"):
        call_command("local-closures", "add", "2024-12-30", "x", "--as", "nobody")
    call_command("local-closures", "withdraw", "2024-12-27", "Cancelled", "--as", "ada.admin")
    call_command("local-closures", "list", "--all")
    assert "(withdrawn)" in capsys.readouterr().out
    with pytest.raises(CommandError, match="not a local closure day"):
        call_command("local-closures", "withdraw", "2024-12-27", "again", "--as", "ada.admin")


def test_one_working_day_is_one_working_day():
    rule = rules.rule_for("referral_decision")
    assert rule.describe() == "1 working day after receipt of the referral"
