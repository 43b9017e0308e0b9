"""The evaluation over the generator's histories: no database (pytest-django refuses
database access in tests without the django_db mark)."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sightline import challenges
from sightline.assessments import evaluation
from sightline.demo import generator as gen

CONFIG = gen.DemoConfig(children=1500, seed=11, as_of=dt.date(2025, 3, 31))


@pytest.fixture(scope="module")
def report():
    return evaluation.evaluate(CONFIG)


def test_the_shipped_rules_meet_the_targets_on_a_small_sample(report):
    assert report.children == CONFIG.children
    assert report.planted.total > 150
    assert report.quiet.total > 400
    assert report.recall >= 0.95
    assert report.quiet.share <= 0.05


def test_rules_that_never_fire_catch_nothing():
    data = challenges.rule_set_to_data(challenges.SHIPPED)
    for rule in data["rules"]:
        rule["active"] = False
    silent = challenges.rule_set_from_data(data)
    report = evaluation.evaluate(gen.DemoConfig(children=300, seed=11, as_of=CONFIG.as_of), silent)
    assert report.planted.total > 0
    assert report.recall == 0.0
    assert report.quiet.share == 0.0


def test_histories_carry_mentions_and_the_household():
    household = next(gen.generate(CONFIG))  # the showcase family: domestic abuse, a step-father
    cases = list(evaluation.cases(household))
    index = next(case for case in cases if case.patterns)
    assert index.patterns[0].pattern == gen.DOMESTIC_ABUSE
    sibling = next(case for case in cases if case is not index)
    mentions = [e for e in sibling.history.events if not e.about_child]
    assert any(e.category == "domestic_abuse_incident" for e in mentions)
    born = index.history.date_of_birth
    assert born is not None
    partner = next(a for a in index.history.household if a.joined_on and a.joined_on > born)
    assert any(e.category == "domestic_abuse_incident" for e in partner.records)
    day = evaluation.planted_decision_day(index, index.patterns[0])
    assert day >= index.patterns[0].started_on
    assert any(e.day == day and e.category in {"referral", "contact"} for e in index.history.events)


def test_the_plan_on_a_day_and_since_when():
    household = next(gen.generate(CONFIG))
    index = next(case for case in evaluation.cases(household) if case.patterns)
    cp = next(s for s in index.statuses if s.kind == gen.CP)
    assert index.plan_on(cp.started_on) == (challenges.Plan.CHILD_PROTECTION, cp.started_on)
    assert index.history.date_of_birth is not None
    assert index.plan_on(index.history.date_of_birth) == (None, None)


def test_the_command_prints_recall_and_the_quiet_share(capsys):
    call_command("evaluate-challenges", "--children", "400", "--seed", "11", "--check")
    out = capsys.readouterr().out
    assert "Challenge rules CR2025.1 over 400 synthetic children (seed 11, as of 2025-03-31)" in out
    assert "recall " in out
    assert "Quiet histories: " in out
    assert "(target <= 0.05)" in out


def test_the_command_prints_json(capsys):
    call_command("evaluate-challenges", "--children", "300", "--seed", "11", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["rule_set"] == "CR2025.1"
    assert data["children"] == 300
    assert 0 <= data["quiet_share"] <= 1
    assert data["planted"]["total"] == sum(p["total"] for p in data["planted_by_pattern"].values())


def test_the_command_reads_a_rule_set_and_fails_the_check_when_targets_are_missed(tmp_path):
    data = challenges.rule_set_to_data(challenges.SHIPPED)
    for rule in data["rules"]:
        rule["active"] = False
    data["version"] = "CR-silent"
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError, match="a target was missed"):
        call_command("evaluate-challenges", "--children", "200", "--rules", str(path), "--check")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--children", "0"], "--children must be at least 1"),
        (["--as-of", "31/03/2025"], "--as-of must be a date as YYYY-MM-DD"),
        (["--rules", "/nonexistent/rules.json"], "--rules: cannot read"),
    ],
)
def test_the_command_explains_bad_input(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("evaluate-challenges", *args)


def test_the_command_names_the_bad_field_in_a_rule_set(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"version": "X1", "rules": [{"code": "a_rule"}]}))
    with pytest.raises(CommandError, match=r"--rules: rules\[0\]\.kind: is required"):
        call_command("evaluate-challenges", "--rules", str(path))
    path.write_text("{not json")
    with pytest.raises(CommandError, match="--rules: not JSON"):
        call_command("evaluate-challenges", "--rules", str(path))
