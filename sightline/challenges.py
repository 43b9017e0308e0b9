"""Challenge rules as data, and their evaluation against a proposed decision. Pure: no Django.

A challenge puts the evidence in front of the person deciding and asks for a second look:
either a changed decision, or a rationale signed off by a second manager. It is never a
score. Each rule is data (a kind of check, its parameters, the words shown), collected in
a versioned ``RuleSet``: administrators publish new versions (``assessments.actions``),
and every challenge keeps the version that raised it.

The kinds of check are code, because each is a different question of the chronology:

- ``concerns_rose``: closing, stepping down or taking no further action while indicators
  rose over the last N days.
- ``repeat_referral_without_history``: a repeat referral within N days decided without
  recording that the history was considered ("start again").
- ``not_seen_alone``: a child open to social care not seen alone within the visiting
  interval for their plan (working days).
- ``infant_injury_without_strategy``: an injury to a non-mobile infant and no strategy
  discussion since.
- ``plan_ended_new_violent_adult``: a plan ended while an adult with a record of violence
  had recently joined the household.
"""

import datetime as dt
import enum
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from sightline import calendars, indicators
from sightline.assessments.workflow import CLOSING_OUTCOMES, DecisionStep, Outcome
from sightline.indicators import Event, History


class RuleKind(enum.StrEnum):
    CONCERNS_ROSE = "concerns_rose"
    REPEAT_REFERRAL = "repeat_referral_without_history"
    NOT_SEEN_ALONE = "not_seen_alone"
    INFANT_INJURY = "infant_injury_without_strategy"
    VIOLENT_ADULT = "plan_ended_new_violent_adult"


class Plan(enum.StrEnum):
    """What the child is open to social care for, which sets the visiting interval."""

    ASSESSMENT = "assessment"
    CHILD_IN_NEED = "child_in_need"
    CHILD_PROTECTION = "child_protection"
    LOOKED_AFTER = "looked_after"


class RuleSetError(ValueError):
    """A rule set that cannot be used; the message names the field."""


@dataclass(frozen=True)
class Rule:
    code: str
    kind: RuleKind
    title: str
    question: str
    params: Mapping[str, Any]
    steps: frozenset[DecisionStep] = frozenset()  # empty: every step
    outcomes: frozenset[Outcome] = frozenset()  # empty: every outcome
    active: bool = True

    def applies_to(self, step: DecisionStep, outcome: Outcome) -> bool:
        return (
            self.active
            and (not self.steps or step in self.steps)
            and (not self.outcomes or outcome in self.outcomes)
        )


@dataclass(frozen=True)
class RuleSet:
    version: str
    rules: tuple[Rule, ...]

    def rule(self, code: str) -> Rule:
        for rule in self.rules:
            if rule.code == code:
                return rule
        raise KeyError(code)


@dataclass(frozen=True)
class Proposal:
    """A decision as proposed, before it is stored."""

    step: DecisionStep
    outcome: Outcome
    on: dt.date
    history_considered: bool = False
    plan: Plan | None = None  # None: not open to social care
    open_since: dt.date | None = None  # when the plan (or assessment) started
    referral_on: dt.date | None = None  # the referral this answers; defaults to ``on``


@dataclass(frozen=True)
class Fact:
    """A sentence about someone other than the child (a household adult), with the person
    it is about and the events it rests on.

    Stored with the challenge so that a reader who may not see those events' detail for
    that person (``access.sections``) is shown a withheld phrase instead of the sentence.
    """

    text: str
    about: str  # the person's ref (``Adult.ref``)
    evidence: tuple[Event, ...]


@dataclass(frozen=True)
class Finding:
    """One rule that fired: what it asks, why, and the events behind it.

    When a finding has facts, its explanation is their texts joined by a space and says
    nothing else: a reader who may not see a fact is shown the explanation rebuilt from
    what they may see (``assessments.queries.challenge_rows``).
    """

    rule: Rule
    version: str
    explanation: str
    evidence: tuple[Event, ...] = ()
    facts: tuple[Fact, ...] = field(default=())


# --- evaluation ------------------------------------------------------------------------------


def _d(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _concerns_rose(
    rule: Rule, proposal: Proposal, history: History, _: frozenset[dt.date]
) -> Finding | None:
    window = int(rule.params["window_days"])
    watch: Mapping[str, Mapping[str, int]] = rule.params["watch"]
    under = int(rule.params["under_age"])
    born = history.date_of_birth
    if born is not None and _age(born, proposal.on) >= under:
        return None  # an unknown age does not excuse a decision from the check
    profile = indicators.profile(history, on=proposal.on, window_days=window)
    risen = []
    for code, minimum in watch.items():
        indicator = profile.get(code)
        if indicator.recent >= minimum["recent"] and indicator.year >= minimum["year"]:
            risen.append(indicator)
    if not risen:
        return None
    parts = []
    for indicator in risen:
        part = f"{indicator.label.lower()}: {indicator.recent}"
        if window < indicators.YEAR_DAYS:
            part += f" ({indicator.year} in the last 12 months)"
        parts.append(part)
    evidence = {e.ref: e for i in risen for e in i.recent_evidence}
    return Finding(
        rule,
        "",
        f"In the {window} days to {_d(proposal.on)}, " + "; ".join(parts) + ".",
        tuple(sorted(evidence.values(), key=lambda e: (e.day, e.ref))),
    )


def _repeat_referral(
    rule: Rule, proposal: Proposal, history: History, _: frozenset[dt.date]
) -> Finding | None:
    if proposal.history_considered:
        return None
    within = int(rule.params["within_days"])
    referral_on = proposal.referral_on or proposal.on
    earliest = referral_on - dt.timedelta(days=within)
    earlier = tuple(
        e
        for e in history.until(proposal.on)
        if e.category == indicators.REFERRAL_CATEGORY
        and e.about_child
        and earliest <= e.day < referral_on
    )
    if not earlier:
        return None
    days = ", ".join(_d(e.day) for e in earlier)
    return Finding(
        rule,
        "",
        f"{len(earlier)} earlier referral{'s' if len(earlier) > 1 else ''} in the {within} days "
        f"before this one ({days}), and the decision does not record that the history "
        "was considered.",
        earlier,
    )


def _not_seen_alone(
    rule: Rule, proposal: Proposal, history: History, closures: frozenset[dt.date]
) -> Finding | None:
    if proposal.plan is None:
        return None
    intervals: Mapping[str, int] = rule.params["working_days"]
    interval = intervals.get(proposal.plan.value)
    if interval is None:
        return None
    events = history.until(proposal.on)
    last = indicators.seen_alone(events, proposal.on).last
    plan = proposal.plan.value.replace("_", " ")
    # The interval runs from the last time seen alone, or from the start of the plan.
    since = proposal.open_since
    if last is not None and (since is None or last.day >= since):
        since = last.day
    if since is None:
        return None
    gap = calendars.working_days_between(since, proposal.on, closures)
    if gap <= interval:
        return None
    visits = tuple(
        e for e in events if e.category == indicators.HOME_VISIT_CATEGORY and e.day > since
    )
    if last is None or last.day < since:
        seen = "never" if last is None else f"last on {_d(last.day)}, before this {plan}"
        return Finding(
            rule,
            "",
            f"Not recorded as seen alone since the {plan} started on {_d(since)} ({seen}), "
            f"{gap} working days before the decision; the visiting interval for {plan} is "
            f"{interval} working days.",
            visits,
        )
    return Finding(
        rule,
        "",
        f"Last seen alone on {_d(last.day)}, {gap} working days before the decision; "
        f"the visiting interval for {plan} is {interval} working days.",
        (last, *visits),
    )


def _infant_injury(
    rule: Rule, proposal: Proposal, history: History, _: frozenset[dt.date]
) -> Finding | None:
    within = int(rule.params["within_days"])
    events = history.until(proposal.on)
    earliest = proposal.on - dt.timedelta(days=within)
    injuries = [
        e
        for e in events
        if e.day >= earliest and indicators.is_infant_injury(e, history.date_of_birth)
    ]
    if not injuries:
        return None
    strategies = [e.day for e in events if e.category == indicators.STRATEGY_CATEGORY]
    unanswered = tuple(e for e in injuries if not any(day >= e.day for day in strategies))
    if not unanswered:
        return None
    first = unanswered[0]
    age = ""
    if history.date_of_birth is not None:
        age = f" (at {(first.day - history.date_of_birth).days // 7} weeks)"
    return Finding(
        rule,
        "",
        f"Injury to a non-mobile infant on {_d(first.day)}{age}, and no strategy discussion "
        "recorded since.",
        unanswered,
    )


def _violent_adult(
    rule: Rule, proposal: Proposal, history: History, _: frozenset[dt.date]
) -> Finding | None:
    within = int(rule.params["joined_within_days"])
    categories = frozenset(rule.params["categories"])
    earliest = proposal.on - dt.timedelta(days=within)
    facts: list[Fact] = []
    evidence: list[Event] = []
    for adult in history.household:
        if adult.joined_on is None or not earliest <= adult.joined_on <= proposal.on:
            continue
        born = history.date_of_birth
        if born is not None and adult.joined_on <= born:
            continue  # there from the start: not a new adult
        if adult.left_on is not None and adult.left_on < proposal.on:
            continue
        violence = [e for e in adult.records if e.category in categories and e.day <= proposal.on]
        if not violence:
            continue
        facts.append(
            Fact(
                f"{adult.name} joined the household on {_d(adult.joined_on)} and has "
                f"{len(violence)} record{'s' if len(violence) > 1 else ''} of violence.",
                adult.ref,
                tuple(violence),
            )
        )
        evidence.extend(violence)
    if not facts:
        return None
    return Finding(
        rule,
        "",
        " ".join(fact.text for fact in facts),
        tuple(sorted({e.ref: e for e in evidence}.values(), key=lambda e: (e.day, e.ref))),
        tuple(facts),
    )


_Check = Callable[[Rule, Proposal, History, frozenset[dt.date]], Finding | None]
_CHECKS: Mapping[RuleKind, _Check] = MappingProxyType(
    {
        RuleKind.CONCERNS_ROSE: _concerns_rose,
        RuleKind.REPEAT_REFERRAL: _repeat_referral,
        RuleKind.NOT_SEEN_ALONE: _not_seen_alone,
        RuleKind.INFANT_INJURY: _infant_injury,
        RuleKind.VIOLENT_ADULT: _violent_adult,
    }
)


def evaluate(
    rule_set: RuleSet,
    proposal: Proposal,
    history: History,
    *,
    closures: frozenset[dt.date] = calendars.NO_CLOSURES,
) -> list[Finding]:
    """The rules of ``rule_set`` that fire for ``proposal``, in the rule set's order."""
    findings = []
    for rule in rule_set.rules:
        if not rule.applies_to(proposal.step, proposal.outcome):
            continue
        finding = _CHECKS[rule.kind](rule, proposal, history, closures)
        if finding is not None:
            findings.append(
                Finding(
                    rule, rule_set.version, finding.explanation, finding.evidence, finding.facts
                )
            )
    return findings


# --- rules as data: parsing and the shipped set ---------------------------------------------


_CODE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")


def _int(path: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RuleSetError(f"{path}: must be a whole number from {low} to {high}, not {value!r}")
    return value


def _mapping(path: str, value: object) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise RuleSetError(f"{path}: must be an object, not {type(value).__name__}")
    return value


def _int_map(
    path: str, value: object, keys: Sequence[str], low: int, high: int
) -> Mapping[str, int]:
    mapping = _mapping(path, value)
    if not mapping:
        raise RuleSetError(f"{path}: must name at least one of: {', '.join(keys)}")
    result = {}
    for key, item in mapping.items():
        if key not in keys:
            raise RuleSetError(f"{path}: unknown key {key!r}; known: {', '.join(keys)}")
        result[key] = _int(f"{path}.{key}", item, low, high)
    return MappingProxyType(result)


def _categories(path: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not value:
        raise RuleSetError(f"{path}: must be a non-empty list of category codes")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not _CODE.match(item):
            raise RuleSetError(f"{path}[{i}]: {item!r} is not a category code")
    return tuple(value)


def _watch(path: str, value: object) -> Mapping[str, Mapping[str, int]]:
    mapping = _mapping(path, value)
    if not mapping:
        raise RuleSetError(
            f"{path}: must name at least one of: {', '.join(indicators.INDICATOR_CODES)}"
        )
    result = {}
    for code, item in mapping.items():
        if code not in indicators.INDICATOR_CODES:
            raise RuleSetError(
                f"{path}: unknown indicator {code!r}; known: "
                + ", ".join(indicators.INDICATOR_CODES)
            )
        limits = _mapping(f"{path}.{code}", item)
        unknown = set(limits) - {"recent", "year"}
        if unknown:
            raise RuleSetError(f"{path}.{code}: unknown key {sorted(unknown)[0]!r}")
        if "recent" not in limits:
            raise RuleSetError(f"{path}.{code}.recent: is required")
        recent = _int(f"{path}.{code}.recent", limits["recent"], 1, 100)
        year = _int(f"{path}.{code}.year", limits.get("year", 0), 0, 100)
        result[code] = MappingProxyType({"recent": recent, "year": year})
    return MappingProxyType(result)


_ParamParser = Callable[[str, object], object]
_PARAMS: Mapping[RuleKind, Mapping[str, _ParamParser]] = MappingProxyType(
    {
        RuleKind.CONCERNS_ROSE: {
            "window_days": lambda p, v: _int(p, v, 7, indicators.YEAR_DAYS),
            "watch": _watch,
            "under_age": lambda p, v: _int(p, v, 1, 18),
        },
        RuleKind.REPEAT_REFERRAL: {"within_days": lambda p, v: _int(p, v, 1, 730)},
        RuleKind.NOT_SEEN_ALONE: {
            "working_days": lambda p, v: _int_map(p, v, [plan.value for plan in Plan], 1, 130)
        },
        RuleKind.INFANT_INJURY: {"within_days": lambda p, v: _int(p, v, 1, 730)},
        RuleKind.VIOLENT_ADULT: {
            "joined_within_days": lambda p, v: _int(p, v, 1, 730),
            "categories": _categories,
        },
    }
)


def _text(path: str, value: object, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RuleSetError(f"{path}: must be some text")
    if len(value) > limit:
        raise RuleSetError(f"{path}: must be at most {limit} characters")
    return value.strip()


def _enum_set(path: str, value: object, enum_type: type[enum.StrEnum]) -> frozenset[Any]:
    if not isinstance(value, list | tuple):
        raise RuleSetError(f"{path}: must be a list (empty for all)")
    result = set()
    for i, item in enumerate(value):
        try:
            result.add(enum_type(item))
        except ValueError:
            known = ", ".join(member.value for member in enum_type)
            raise RuleSetError(f"{path}[{i}]: unknown value {item!r}; known: {known}") from None
    return frozenset(result)


_RULE_KEYS = frozenset(
    {"code", "kind", "title", "question", "params", "steps", "outcomes", "active"}
)


def _rule(path: str, data: object) -> Rule:
    raw = _mapping(path, data)
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise RuleSetError(f"{path}: unknown field {sorted(unknown)[0]!r}")
    for required in ("code", "kind", "title", "question", "params"):
        if required not in raw:
            raise RuleSetError(f"{path}.{required}: is required")
    code = raw["code"]
    if not isinstance(code, str) or not _CODE.match(code):
        raise RuleSetError(
            f"{path}.code: {code!r} must be lower-case letters, digits and underscores"
        )
    try:
        kind = RuleKind(str(raw["kind"]))
    except ValueError:
        known = ", ".join(k.value for k in RuleKind)
        raise RuleSetError(f"{path}.kind: unknown kind {raw['kind']!r}; known: {known}") from None
    params_raw = _mapping(f"{path}.params", raw["params"])
    parsers = _PARAMS[kind]
    for name in params_raw:
        if name not in parsers:
            raise RuleSetError(
                f"{path}.params: unknown parameter {name!r} for {kind.value}; "
                f"known: {', '.join(parsers)}"
            )
    params = {}
    for name, parse in parsers.items():
        if name not in params_raw:
            raise RuleSetError(f"{path}.params.{name}: is required for {kind.value}")
        params[name] = parse(f"{path}.params.{name}", params_raw[name])
    active = raw.get("active", True)
    if not isinstance(active, bool):
        raise RuleSetError(f"{path}.active: must be true or false")
    return Rule(
        code=code,
        kind=kind,
        title=_text(f"{path}.title", raw["title"], 200),
        question=_text(f"{path}.question", raw["question"], 500),
        params=MappingProxyType(params),
        steps=_enum_set(f"{path}.steps", raw.get("steps", []), DecisionStep),
        outcomes=_enum_set(f"{path}.outcomes", raw.get("outcomes", []), Outcome),
        active=active,
    )


def rule_set_from_data(data: object) -> RuleSet:
    """A ``RuleSet`` from JSON-shaped data, or ``RuleSetError`` naming the bad field."""
    raw = _mapping("rule set", data)
    unknown = set(raw) - {"version", "rules"}
    if unknown:
        raise RuleSetError(f"rule set: unknown field {sorted(unknown)[0]!r}")
    version = raw.get("version")
    if not isinstance(version, str) or not _VERSION.match(version):
        raise RuleSetError(
            f"version: {version!r} must be 1-32 letters, digits, dots, dashes or underscores"
        )
    rules_raw = raw.get("rules")
    if not isinstance(rules_raw, list) or not rules_raw:
        raise RuleSetError("rules: must be a non-empty list")
    rules = tuple(_rule(f"rules[{i}]", item) for i, item in enumerate(rules_raw))
    seen: set[str] = set()
    for i, rule in enumerate(rules):
        if rule.code in seen:
            raise RuleSetError(f"rules[{i}].code: {rule.code!r} is used twice")
        seen.add(rule.code)
    return RuleSet(version, rules)


def _plain(value: object) -> object:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list | frozenset | set):
        items = [_plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, frozenset | set) else items
    return value


def rule_set_to_data(rule_set: RuleSet) -> dict[str, Any]:
    """JSON-shaped data that ``rule_set_from_data`` reads back to an equal ``RuleSet``."""
    return {
        "version": rule_set.version,
        "rules": [
            {
                "code": rule.code,
                "kind": rule.kind.value,
                "title": rule.title,
                "question": rule.question,
                "steps": _plain(frozenset(s.value for s in rule.steps)),
                "outcomes": _plain(frozenset(o.value for o in rule.outcomes)),
                "active": rule.active,
                "params": _plain(rule.params),
            }
            for rule in rule_set.rules
        ],
    }


_CLOSING = sorted(o.value for o in CLOSING_OUTCOMES)
SHIPPED_DATA: Mapping[str, Any] = MappingProxyType(
    {
        "version": "CR2025.1",
        "rules": [
            {
                "code": "closing_while_concerns_rise",
                "kind": RuleKind.CONCERNS_ROSE.value,
                "title": "Closing, stepping down or no further action while concerns rise",
                "question": (
                    "Concerns about this child have risen recently. What has changed that "
                    "makes it safe to close, step down or take no further action now?"
                ),
                "outcomes": _CLOSING,
                "params": {
                    "window_days": 90,
                    "under_age": 18,
                    "watch": {
                        indicators.CONCERNS: {"recent": 1, "year": 3},
                        indicators.DOMESTIC_ABUSE: {"recent": 1},
                        indicators.MISSING: {"recent": 1},
                        indicators.INFANT_INJURIES: {"recent": 1},
                    },
                },
            },
            {
                "code": "closing_while_concerns_accumulate",
                "kind": RuleKind.CONCERNS_ROSE.value,
                "title": "Closing, stepping down or no further action after a year of concerns",
                "question": (
                    "Several agencies' concerns have built up over the last year, even if none "
                    "is recent. Taken together, what do they say about this child's life?"
                ),
                "outcomes": _CLOSING,
                "params": {
                    "window_days": 365,
                    "under_age": 18,
                    "watch": {indicators.CONCERNS: {"recent": 3}},
                },
            },
            {
                "code": "young_child_repeatedly_not_brought",
                "kind": RuleKind.CONCERNS_ROSE.value,
                "title": "Closing, stepping down or no further action when a young child is "
                "repeatedly not brought",
                "question": (
                    "A child under five depends on their carers to be taken to appointments. "
                    "What do the missed appointments say about the care they are getting?"
                ),
                "outcomes": _CLOSING,
                "params": {
                    "window_days": 182,
                    "under_age": 5,
                    "watch": {indicators.NOT_BROUGHT: {"recent": 2}},
                },
            },
            {
                "code": "repeat_referral_start_again",
                "kind": RuleKind.REPEAT_REFERRAL.value,
                "title": "Repeat referral decided without the history",
                "question": (
                    "This child was referred within the last 12 months. Record what the "
                    "earlier referrals found and how they shape this decision."
                ),
                "steps": [DecisionStep.REFERRAL_DECISION.value],
                "params": {"within_days": 365},
            },
            {
                "code": "not_seen_alone",
                "kind": RuleKind.NOT_SEEN_ALONE.value,
                "title": "Child not seen alone within the visiting interval",
                "question": (
                    "The child has not been seen alone within the visiting interval. How do "
                    "we know what life is like for them before this decision is made?"
                ),
                "params": {
                    "working_days": {
                        Plan.ASSESSMENT.value: 20,
                        Plan.CHILD_IN_NEED.value: 20,
                        Plan.CHILD_PROTECTION.value: 10,
                        Plan.LOOKED_AFTER.value: 30,
                    }
                },
            },
            {
                "code": "infant_injury_no_strategy",
                "kind": RuleKind.INFANT_INJURY.value,
                "title": "Injury to a non-mobile infant without a strategy discussion",
                "question": (
                    "An injury to a baby who is not yet mobile needs a strategy discussion. "
                    "Why is this decision being made without one?"
                ),
                "outcomes": sorted(
                    o.value
                    for o in Outcome
                    if o
                    not in {
                        Outcome.STRATEGY_DISCUSSION,
                        Outcome.SECTION47_ENQUIRY,
                        Outcome.INITIAL_CONFERENCE,
                        Outcome.CHILD_PROTECTION_PLAN,
                    }
                ),
                "params": {"within_days": 365},
            },
            {
                "code": "plan_ended_new_violent_adult",
                "kind": RuleKind.VIOLENT_ADULT.value,
                "title": "Plan ending while a new adult with a record of violence has joined",
                "question": (
                    "An adult with a record of violence has recently joined the household. "
                    "How has the risk they pose been assessed before the plan ends?"
                ),
                "outcomes": _CLOSING,
                "params": {
                    "joined_within_days": 365,
                    "categories": ["domestic_abuse_incident", "suspect_in_crime", "arrest"],
                },
            },
        ],
    }
)
SHIPPED: RuleSet = rule_set_from_data(SHIPPED_DATA)
