import copy
import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sightline import challenges
from sightline.assessments.workflow import DecisionStep, Outcome
from sightline.challenges import Plan, Proposal
from sightline.indicators import Adult, Event, History

D = dt.date
ON = D(2025, 3, 31)  # a Monday


def ev(days_before, category, agency="HEALTH", *, about=True):
    day = ON - dt.timedelta(days=days_before)
    return Event(f"{agency}:{category}:{days_before}", day, agency, category, about)


def nfa(**kwargs):
    defaults = {
        "step": DecisionStep.REFERRAL_DECISION,
        "outcome": Outcome.NO_FURTHER_ACTION,
        "on": ON,
    }
    return Proposal(**{**defaults, **kwargs})


def fired(history, proposal=None, rule_set=challenges.SHIPPED, **kwargs):
    findings = challenges.evaluate(rule_set, proposal or nfa(), history, **kwargs)
    return {f.rule.code: f for f in findings}


SCHOOL_AGE = D(2015, 6, 1)
TODDLER = D(2023, 6, 1)


def test_a_quiet_history_raises_nothing():
    history = History(SCHOOL_AGE, (ev(20, "health_visitor_contact"), ev(400, "was_not_brought")))
    assert fired(history) == {}


def test_closing_while_concerns_rise_shows_the_recent_events():
    history = History(
        SCHOOL_AGE,
        (
            ev(10, "persistent_absence", "EDUCATION"),
            ev(40, "was_not_brought"),
            ev(200, "safeguarding_concern", "EDUCATION"),
        ),
    )
    finding = fired(history)["closing_while_concerns_rise"]
    assert finding.version == challenges.SHIPPED.version
    assert [e.category for e in finding.evidence] == ["was_not_brought", "persistent_absence"]
    assert "concerns recorded by any agency: 2 (3 in the last 12 months)" in finding.explanation
    # Two concerns in the year are not enough.
    assert "closing_while_concerns_rise" not in fired(History(SCHOOL_AGE, history.events[:2]))


def test_one_domestic_abuse_incident_or_missing_episode_in_the_window_is_enough():
    da = History(SCHOOL_AGE, (ev(5, "domestic_abuse_incident", "POLICE", about=False),))
    assert "closing_while_concerns_rise" in fired(da)
    missing = History(SCHOOL_AGE, (ev(89, "missing_episode", "POLICE"),))
    assert "closing_while_concerns_rise" in fired(missing)
    old = History(SCHOOL_AGE, (ev(90, "missing_episode", "POLICE"),))
    assert "closing_while_concerns_rise" not in fired(old)


def test_concerns_that_accumulated_over_the_year_are_challenged_even_if_none_is_recent():
    history = History(
        SCHOOL_AGE,
        (
            ev(100, "persistent_absence", "EDUCATION"),
            ev(200, "was_not_brought"),
            ev(300, "safeguarding_concern", "EDUCATION"),
        ),
    )
    result = fired(history)
    assert set(result) == {"closing_while_concerns_accumulate"}
    assert (
        result["closing_while_concerns_accumulate"].explanation
    ) == "In the 365 days to 31 March 2025, concerns recorded by any agency: 3."


def test_a_young_child_repeatedly_not_brought():
    events = (ev(30, "was_not_brought"), ev(170, "was_not_brought"))
    assert "young_child_repeatedly_not_brought" in fired(History(TODDLER, events))
    # Five and over, or further apart than six months: not this rule.
    assert "young_child_repeatedly_not_brought" not in fired(History(SCHOOL_AGE, events))
    apart = (ev(30, "was_not_brought"), ev(200, "was_not_brought"))
    assert "young_child_repeatedly_not_brought" not in fired(History(TODDLER, apart))
    # An unknown age does not excuse the decision from the check.
    assert "young_child_repeatedly_not_brought" in fired(History(None, events))


@pytest.mark.parametrize(
    ("outcome", "challenged"),
    [
        (Outcome.NO_FURTHER_ACTION, True),
        (Outcome.EARLY_HELP, True),
        (Outcome.ASSESSMENT, False),
        (Outcome.STRATEGY_DISCUSSION, False),
    ],
)
def test_only_closing_stepping_down_or_no_further_action_is_challenged_for_rising_concerns(
    outcome, challenged
):
    history = History(SCHOOL_AGE, (ev(5, "domestic_abuse_incident", "POLICE"),))
    assert ("closing_while_concerns_rise" in fired(history, nfa(outcome=outcome))) is challenged


def test_a_repeat_referral_without_the_history_is_challenged():
    history = History(
        SCHOOL_AGE,
        (ev(0, "referral", "CSC"), ev(200, "referral", "CSC"), ev(400, "referral", "CSC")),
    )
    finding = fired(history, nfa(outcome=Outcome.ASSESSMENT))["repeat_referral_start_again"]
    assert [e.day for e in finding.evidence] == [ON - dt.timedelta(days=200)]
    assert "1 earlier referral in the 365 days before this one (12 September 2024)" in (
        finding.explanation
    )
    considered = nfa(outcome=Outcome.ASSESSMENT, history_considered=True)
    assert "repeat_referral_start_again" not in fired(history, considered)
    # Only at the referral decision.
    closing = nfa(step=DecisionStep.CASE_CLOSURE, outcome=Outcome.CLOSE_CASE)
    assert "repeat_referral_start_again" not in fired(history, closing)
    # The referral this decision answers is not an earlier one.
    first = History(SCHOOL_AGE, (ev(0, "referral", "CSC"),))
    assert "repeat_referral_start_again" not in fired(first, nfa(outcome=Outcome.ASSESSMENT))


def test_not_seen_alone_within_the_visiting_interval():
    # Last seen alone 14 calendar days before Monday 31 March 2025: 10 working days.
    history = History(SCHOOL_AGE, (ev(14, "child_seen_alone", "CSC"), ev(3, "home_visit", "CSC")))
    on_cp = nfa(plan=Plan.CHILD_PROTECTION, open_since=D(2024, 1, 1), outcome=Outcome.ASSESSMENT)
    assert "not_seen_alone" not in fired(history, on_cp)
    later = Proposal(**{**on_cp.__dict__, "on": ON + dt.timedelta(days=1)})
    finding = fired(history, later)["not_seen_alone"]
    assert "11 working days before the decision" in finding.explanation
    assert [e.category for e in finding.evidence] == ["child_seen_alone", "home_visit"]
    # A local closure day is not a working day.
    assert "not_seen_alone" not in fired(history, later, closures=frozenset({D(2025, 3, 24)}))
    # Not open: no visiting interval applies.
    assert "not_seen_alone" not in fired(history, nfa(on=ON + dt.timedelta(days=30)))


def test_never_seen_alone_counts_from_the_start_of_the_plan():
    history = History(SCHOOL_AGE, (ev(2, "home_visit", "CSC"), ev(60, "child_seen_alone", "CSC")))
    recent_plan = nfa(plan=Plan.CHILD_IN_NEED, open_since=ON - dt.timedelta(days=7))
    assert "not_seen_alone" not in fired(history, recent_plan)
    old_plan = nfa(plan=Plan.CHILD_IN_NEED, open_since=ON - dt.timedelta(days=40))
    finding = fired(history, old_plan)["not_seen_alone"]
    assert "Not recorded as seen alone since the child in need started" in finding.explanation
    assert "last on 30 January 2025, before this child in need" in finding.explanation


def test_an_injury_to_a_non_mobile_infant_without_a_strategy_discussion():
    baby = D(2025, 1, 1)
    injury = History(baby, (ev(10, "injury"),))
    finding = fired(injury, nfa(outcome=Outcome.ASSESSMENT))["infant_injury_no_strategy"]
    assert "(at 11 weeks)" in finding.explanation
    with_strategy = History(baby, (ev(10, "injury"), ev(8, "strategy_discussion", "CSC")))
    assert "infant_injury_no_strategy" not in fired(with_strategy, nfa(outcome=Outcome.ASSESSMENT))
    # Deciding to hold a strategy discussion answers the question.
    assert "infant_injury_no_strategy" not in fired(
        injury, nfa(outcome=Outcome.STRATEGY_DISCUSSION)
    )


def test_a_plan_ending_while_a_new_violent_adult_joined():
    violent = Adult(
        "P2",
        "Dean Example",
        joined_on=ON - dt.timedelta(days=100),
        left_on=None,
        records=(ev(500, "domestic_abuse_incident", "POLICE"), ev(20, "victim_of_crime", "POLICE")),
    )
    history = History(SCHOOL_AGE, (), household=(violent,))
    ending = nfa(step=DecisionStep.REVIEW_CONFERENCE, outcome=Outcome.STEP_DOWN_TO_CHILD_IN_NEED)
    finding = fired(history, ending)["plan_ended_new_violent_adult"]
    [fact] = finding.facts
    assert fact.text == (
        "Dean Example joined the household on 21 December 2024 and has 1 record of violence."
    )
    assert fact.about == "P2"
    assert [e.category for e in fact.evidence] == ["domestic_abuse_incident"]
    assert finding.explanation == fact.text
    assert [e.category for e in finding.evidence] == ["domestic_abuse_incident"]
    continuing = nfa(step=DecisionStep.REVIEW_CONFERENCE, outcome=Outcome.CONTINUE_PLAN)
    assert "plan_ended_new_violent_adult" not in fired(history, continuing)
    # Joined long ago, left already, or there since the child's birth: not new.
    for adult in (
        Adult("P2", "A", ON - dt.timedelta(days=800), None, violent.records),
        Adult("P2", "A", ON - dt.timedelta(days=100), ON - dt.timedelta(days=5), violent.records),
        Adult("P2", "A", SCHOOL_AGE, None, violent.records),
    ):
        assert "plan_ended_new_violent_adult" not in fired(
            History(SCHOOL_AGE, (), household=(adult,)), ending
        )


def test_an_inactive_rule_never_fires():
    data = copy.deepcopy(challenges.rule_set_to_data(challenges.SHIPPED))
    for rule in data["rules"]:
        rule["active"] = False
    data["version"] = "CR-off"
    quiet_rules = challenges.rule_set_from_data(data)
    history = History(SCHOOL_AGE, (ev(5, "domestic_abuse_incident", "POLICE"),))
    assert fired(history, rule_set=quiet_rules) == {}


def test_the_shipped_rules_round_trip_through_json():
    data = json.loads(json.dumps(challenges.rule_set_to_data(challenges.SHIPPED)))
    assert challenges.rule_set_from_data(data) == challenges.SHIPPED
    codes = [rule.code for rule in challenges.SHIPPED.rules]
    assert {
        "closing_while_concerns_rise",
        "repeat_referral_start_again",
        "not_seen_alone",
        "infant_injury_no_strategy",
        "plan_ended_new_violent_adult",
    } <= set(codes)


def _shipped():
    return copy.deepcopy(challenges.rule_set_to_data(challenges.SHIPPED))


def _set(data, path, value):
    target = data
    for key in path[:-1]:
        if isinstance(key, str) and key.startswith("@"):  # a rule by its code
            target = next(rule for rule in target if rule["code"] == key[1:])
        else:
            target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("version",), "", r"version: '' must be"),
        (("rules",), [], r"rules: must be a non-empty list"),
        (("rules", 0, "kind"), "risk_score", r"rules\[0\]\.kind: unknown kind 'risk_score'"),
        (("rules", 0, "code"), "Bad Code", r"rules\[0\]\.code: 'Bad Code' must be"),
        (("rules", 1, "code"), "closing_while_concerns_rise", r"rules\[1\]\.code: .* used twice"),
        (("rules", 0, "title"), "  ", r"rules\[0\]\.title: must be some text"),
        (("rules", 0, "question"), KeyError, r"rules\[0\]\.question: is required"),
        (("rules", 0, "outcomes"), ["close"], r"rules\[0\]\.outcomes\[0\]: unknown value 'close'"),
        (("rules", 0, "steps"), "referral", r"rules\[0\]\.steps: must be a list"),
        (("rules", 0, "active"), "yes", r"rules\[0\]\.active: must be true or false"),
        (("rules", 0, "colour"), "red", r"rules\[0\]: unknown field 'colour'"),
        (("rules", 0, "params", "window_days"), 3, r"window_days: must be a whole number from 7"),
        (("rules", 0, "params", "window_days"), "90", r"window_days: .* not '90'"),
        (("rules", 0, "params", "window_days"), KeyError, r"params\.window_days: is required"),
        (
            ("rules", 0, "params", "threshold"),
            3,
            r"unknown parameter 'threshold' for concerns_rose",
        ),
        (("rules", 0, "params", "watch"), {"score": {"recent": 1}}, r"unknown indicator 'score'"),
        (("rules", 0, "params", "watch"), {}, r"watch: must name at least one"),
        (
            ("rules", 0, "params", "watch"),
            {"concern_events": {"year": 2}},
            r"watch\.concern_events\.recent: is required",
        ),
        (
            ("rules", "@not_seen_alone", "params", "working_days"),
            {"respite": 5},
            r"rules\[\d\]\.params\.working_days: unknown key 'respite'",
        ),
        (
            ("rules", "@plan_ended_new_violent_adult", "params", "categories"),
            [],
            r"categories: must be a non-empty list",
        ),
    ],
)
def test_a_bad_rule_set_is_refused_naming_the_field(path, value, message):
    data = _shipped()
    _set(data, path, value)
    with pytest.raises(challenges.RuleSetError, match=message):
        challenges.rule_set_from_data(data)


@given(
    st.integers(7, 365),
    st.integers(1, 100),
    st.integers(0, 100),
    st.booleans(),
    st.lists(st.sampled_from([o.value for o in Outcome]), unique=True),
)
def test_property_any_valid_rule_set_round_trips(window, recent, year, active, outcomes):
    data = _shipped()
    data["rules"][0]["params"]["window_days"] = window
    data["rules"][0]["params"]["watch"] = {"concern_events": {"recent": recent, "year": year}}
    data["rules"][0]["active"] = active
    data["rules"][0]["outcomes"] = outcomes
    parsed = challenges.rule_set_from_data(data)
    assert challenges.rule_set_from_data(challenges.rule_set_to_data(parsed)) == parsed
