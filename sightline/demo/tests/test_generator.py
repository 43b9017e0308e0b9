"""The demo data generator: pure, so no database. Data sets are built once per module."""

import datetime as dt
import re
from collections import Counter, defaultdict

import pytest

from sightline.chronology.vocabulary import STARTING_VOCABULARY
from sightline.demo import generator as gen
from sightline.demo import names
from sightline.demo import returns as demo_returns
from sightline.demo.files import event_row, person_row
from sightline.importing.formats import LONDON, parse_event, parse_person_record
from sightline.people.models import (
    InvolvementRole,
    ProtectionCategory,
    RelationshipKind,
    StatusKind,
)
from sightline.people.normalise import is_valid_nhs_number, nhs_check_digit

AS_OF = dt.date(2026, 11, 25)
VOCABULARY = {code for codes in STARTING_VOCABULARY.values() for code, _ in codes}


def households(children: int, seed: int = 20261126, **kwargs) -> list[gen.Household]:
    config = gen.DemoConfig(children=children, seed=seed, as_of=AS_OF)
    return list(gen.generate(config, **kwargs))


@pytest.fixture(scope="module")
def data() -> list[gen.Household]:
    return households(2000)


@pytest.fixture(scope="module")
def small() -> list[gen.Household]:
    return households(150, seed=7)


def records(data):
    return [r for h in data for r in h.records]


def events(data):
    return [e for h in data for e in h.events]


def persons(data):
    return [p for h in data for p in h.persons]


def test_it_gives_the_same_data_for_the_same_seed(small):
    again = households(150, seed=7)
    assert again == small


def test_it_gives_different_data_for_another_seed(small):
    other = households(150, seed=8)
    assert [p.given_name for p in persons(other)] != [p.given_name for p in persons(small)]


def test_it_makes_exactly_the_children_asked_for(data, small):
    assert sum(p.role == gen.CHILD for p in persons(data)) == 2000
    assert sum(p.role == gen.CHILD for p in persons(small)) == 150
    one = households(1)
    assert [p.role for p in persons(one)].count(gen.CHILD) == 1


def test_it_refuses_no_children():
    with pytest.raises(ValueError, match="at least 1"):
        households(0)


def test_leaving_events_out_changes_nothing_else(small):
    without = households(150, seed=7, with_events=False)
    assert all(not h.events for h in without)
    for a, b in zip(small, without, strict=True):
        assert (a.persons, a.records, a.relationships, a.involvements, a.statuses, a.patterns) == (
            b.persons,
            b.records,
            b.relationships,
            b.involvements,
            b.statuses,
            b.patterns,
        )


# -- NHS numbers -------------------------------------------------------------------------


def test_nhs_numbers_are_valid_unique_and_in_the_test_range(data):
    numbers = [p.nhs_number for p in persons(data)]
    assert len(set(numbers)) == len(numbers)
    for number in numbers:
        assert re.fullmatch(r"999\d{7}", number)
        assert int(number[9]) == nhs_check_digit(number[:9])
        assert is_valid_nhs_number(number)


def test_nhs_number_index_is_a_permutation_of_the_range():
    seen = set()
    for index in range(20_000):
        number = gen.nhs_number(index)
        if number is None:
            assert nhs_check_digit(f"{999_000_000 + index * 7919 % 1_000_000:09d}") is None
            continue
        assert number not in seen
        seen.add(number)
    assert 17_000 < len(seen) < 19_500  # about one nine-digit stem in eleven has no check digit


def test_a_record_with_an_nhs_number_has_its_persons_number(data):
    truth = {p.person_id: p.nhs_number for p in persons(data)}
    with_number = [r for r in records(data) if r.nhs_number]
    assert with_number
    assert all(r.nhs_number == truth[r.person_id] for r in with_number)


# -- the person-records format ----------------------------------------------------------


def test_every_person_record_passes_the_format_rules(data):
    for line, record in enumerate(records(data), start=2):
        row = person_row(record)
        assert set(row) == {
            "record_id",
            "agency",
            "given_name",
            "family_name",
            "other_names",
            "date_of_birth",
            "sex",
            "nhs_number",
            "address",
            "postcode",
        }
        parsed, errors = parse_person_record(row, line=line)
        assert errors == [], record
        assert parsed is not None
        # The same rules, checked here without the parser.
        assert record.record_id
        assert record.agency in gen.AGENCY_CODES
        assert record.given_name or record.family_name or record.date_of_birth or record.nhs_number
        assert record.date_of_birth is None or record.date_of_birth <= AS_OF
        assert record.sex in {"", "F", "M", "X"}
        assert record.nhs_number == "" or is_valid_nhs_number(record.nhs_number)


def test_record_ids_are_unique_within_each_agency(data):
    keys = [(r.agency, r.record_id) for r in records(data)]
    assert len(set(keys)) == len(keys)


def test_records_carry_identity_noise_across_agencies(data):
    truth = {p.person_id: p for p in persons(data)}
    outside_health = [r for r in records(data) if r.agency != gen.HEALTH]
    missing_nhs = sum(not r.nhs_number for r in outside_health) / len(outside_health)
    assert 0.4 < missing_nhs < 0.9
    noise: Counter[str] = Counter()
    for r in records(data):
        true = truth[r.person_id]
        if r.given_name != true.given_name:
            noise["given_name"] += 1
            if r.given_name in names.NICKNAMES.get(true.given_name, ()):
                noise["nickname"] += 1
        if r.family_name.lower() != true.family_name.lower():
            noise["family_name"] += 1
        if r.date_of_birth and r.date_of_birth != true.date_of_birth:
            noise["date_of_birth"] += 1
            dob = true.date_of_birth
            if (r.date_of_birth.month, r.date_of_birth.day) == (dob.day, dob.month):
                noise["day_month_swap"] += 1
        if r.other_names:
            noise["alias"] += 1
        if r.postcode.replace(" ", "").upper() not in {"", true.postcode.replace(" ", "")}:
            noise["moved"] += 1
    for kind in ("given_name", "nickname", "family_name", "date_of_birth", "day_month_swap", "alias", "moved"):  # fmt: skip
        assert noise[kind] > 5, kind
    # Most records are still recognisably the same person.
    assert noise["given_name"] < 0.2 * len(records(data))


def test_children_are_known_to_several_agencies_and_adults_mostly_to_police_health_housing(data):
    agencies = defaultdict(set)
    for r in records(data):
        agencies[r.person_id].add(r.agency)
    children = [p for p in persons(data) if p.role == gen.CHILD]
    adults = [p for p in persons(data) if p.role == gen.ADULT]
    several = sum(len(agencies[c.person_id]) >= 2 for c in children)
    assert several > 0.7 * len(children)
    adult_agencies = Counter(a for p in adults for a in agencies[p.person_id])
    assert adult_agencies[gen.EDUCATION] == 0
    assert adult_agencies[gen.HEALTH] > adult_agencies[gen.CSC]


# -- events ---------------------------------------------------------------------------------


def test_every_event_passes_the_format_rules_and_names_records_of_its_agency(data):
    held = {(r.agency, r.record_id) for r in records(data)}
    now = dt.datetime.combine(AS_OF + dt.timedelta(days=1), dt.time(), tzinfo=LONDON)
    ids = set()
    for line, event in enumerate(events(data), start=2):
        parsed, errors = parse_event(event_row(event), line=line, now=now)
        assert errors == [], event
        assert parsed is not None
        assert (event.agency, event.subject_record_id) in held
        assert all((event.agency, other) in held for other in event.other_record_ids)
        assert event.subject_record_id not in event.other_record_ids
        assert event.category in VOCABULARY
        assert event.significance in {"low", "medium", "high"}
        assert 0 < len(event.summary) <= 4000
        assert "{" not in event.summary
        assert "}" not in event.summary
        assert event.occurred_at.date() <= AS_OF
        assert event.occurred_at.hour != 1  # never in the hour the clocks skip
        ids.add((event.agency, event.event_id))
    assert len(ids) == len(events(data))


def test_events_are_about_children_and_not_before_their_birth(data):
    by_record = {(r.agency, r.record_id): r.person_id for r in records(data)}
    truth = {p.person_id: p for p in persons(data)}
    for event in events(data):
        child = truth[by_record[(event.agency, event.subject_record_id)]]
        assert child.role == gen.CHILD
        assert event.occurred_at.date() >= child.date_of_birth


def test_there_are_enough_events_for_the_demo_and_from_every_agency(data):
    counts = Counter(e.agency for e in events(data))
    assert len(events(data)) >= 50_000
    assert set(counts) == set(gen.AGENCY_CODES)
    categories = Counter(e.category for e in events(data))
    assert len(categories) > 35


def test_most_histories_are_quiet_and_a_minority_escalate(data):
    concern = Counter(h.concern for h in data)
    total = sum(concern.values())
    assert 0.3 < concern[gen.QUIET] / total < 0.55
    assert 0.18 < concern[gen.ESCALATING] / total < 0.38
    by_record = {(r.agency, r.record_id): r.person_id for r in records(data)}
    concerning = {
        by_record[(e.agency, e.subject_record_id)] for e in events(data) if e.significance != "low"
    }
    children = [p.person_id for p in persons(data) if p.role == gen.CHILD]
    quiet = sum(c not in concerning for c in children) / len(children)
    assert 0.55 < quiet < 0.8
    patterns = Counter(p.pattern for h in data for p in h.patterns)
    assert set(patterns) == set(gen.PATTERNS)
    assert patterns[gen.NEGLECT] > patterns[gen.EXPLOITATION]


# -- twins and households -----------------------------------------------------------------------


def test_twins_share_a_birthday_and_household_but_not_a_name(data):
    sets = defaultdict(list)
    for person in persons(data):
        if person.twin_set:
            sets[person.twin_set].append(person)
    assert len(sets) >= 20
    for twins in sets.values():
        assert len(twins) == 2
        a, b = twins
        assert a.role == b.role == gen.CHILD
        assert a.date_of_birth == b.date_of_birth
        assert a.household_id == b.household_id
        assert a.given_name != b.given_name
        assert a.nhs_number != b.nhs_number


def test_households_have_various_shapes(data):
    kinds: Counter[str] = Counter()
    for household in data:
        adults = [p for p in household.persons if p.role == gen.ADULT]
        relationship_kinds = {r.kind for r in household.relationships}
        if RelationshipKind.PARTNER_OF_PARENT in relationship_kinds:
            kinds["step"] += 1
        elif RelationshipKind.CARER in relationship_kinds:
            kinds["kinship"] += 1
        elif len(adults) == 1:
            kinds["single"] += 1
        elif len(adults) >= 2:
            kinds["couple"] += 1
        if sum(p.role == gen.CHILD for p in household.persons) > 1:
            kinds["siblings"] += 1
    assert all(kinds[k] > 10 for k in ("step", "kinship", "single", "couple", "siblings")), kinds


def test_relationships_join_people_of_one_household(data):
    for household in data:
        ids = {p.person_id for p in household.persons}
        for r in household.relationships:
            assert r.kind in RelationshipKind.values
            assert r.person_id in ids
            assert r.relative_id in ids
            assert r.person_id != r.relative_id
            assert r.started_on is None or r.started_on <= AS_OF


# -- ground truth: patterns, plans and involvements -------------------------------------------------


def test_patterns_name_a_child_and_that_childs_events(data):
    for household in data:
        truth = {p.person_id: p for p in household.persons}
        record_owner = {(r.agency, r.record_id): r.person_id for r in household.records}
        keys = {f"{e.agency}:{e.event_id}": e for e in household.events}
        for pattern in household.patterns:
            assert pattern.pattern in gen.PATTERNS
            assert truth[pattern.person_id].role == gen.CHILD
            assert pattern.event_keys
            categories = set()
            for key in pattern.event_keys:
                event = keys[key]
                assert record_owner[(event.agency, event.subject_record_id)] == pattern.person_id
                categories.add(event.category)
            assert categories & {"contact", "referral"}
            signature = {
                gen.NEGLECT: {"was_not_brought"},
                gen.DOMESTIC_ABUSE: {"domestic_abuse_incident"},
                gen.EXPLOITATION: {"missing_episode"},
                gen.PHYSICAL_ABUSE: {"injury_non_mobile_infant"},
            }[pattern.pattern]
            assert categories & signature, (pattern.pattern, categories)


def test_plan_periods_match_the_plan_events(data):
    starts = {
        gen.CP: "cp_plan_started",
        gen.CIN: "cin_plan_started",
        gen.LAC: "looked_after_started",
    }
    ends = {gen.CP: "cp_plan_ended", gen.CIN: "cin_plan_ended", gen.LAC: "looked_after_ended"}
    seen: Counter[str] = Counter()
    # A step the year's returns hold is recorded by their import, not by the generator.
    owner = {r.record_id: r.person_id for h in data for r in h.records if r.agency == gen.CSC}
    year = demo_returns.build(data, seed=20261126, as_of=AS_OF)
    imported = {(owner[r], c, d) for r, c, d in demo_returns.imported_steps(year)}
    for household in data:
        generated = {(owner[e.subject_record_id], e.category, e.occurred_at.date()) for e in household.events if e.agency == gen.CSC}  # fmt: skip
        assert not generated & imported
        csc = generated | imported
        for status in household.statuses:
            seen[status.kind] += 1
            assert status.kind in StatusKind.values
            if status.kind == gen.CP:
                assert status.protection_category in ProtectionCategory.values
            else:
                assert status.protection_category == ""
            started = (status.person_id, starts[status.kind], status.started_on)
            assert started in csc
            seen["imported"] += started in imported
            if status.ended_on is not None:
                assert status.started_on <= status.ended_on <= AS_OF
                assert (status.person_id, ends[status.kind], status.ended_on) in csc
    assert all(seen[kind] > 10 for kind in (gen.CP, gen.CIN, gen.LAC, "imported")), seen


def test_involvements_are_dated_and_held_by_the_right_practitioners(data):
    roster = gen.build_roster(gen.DemoConfig(children=2000, seed=20261126, as_of=AS_OF))
    practitioners = {p.key: p for p in roster.all()}
    roles: Counter[str] = Counter()
    for household in data:
        agencies = defaultdict(set)
        for r in household.records:
            agencies[r.person_id].add(r.agency)
        for i in household.involvements:
            roles[i.role] += 1
            assert i.role in InvolvementRole.values
            assert practitioners[i.practitioner_key].agency == i.agency
            assert i.started_on <= AS_OF
            assert i.ended_on is None or i.started_on <= i.ended_on <= AS_OF
            if i.role == gen.SOCIAL_WORKER:
                assert gen.CSC in agencies[i.person_id]
    for role in (gen.SOCIAL_WORKER, gen.HEALTH_VISITOR, gen.SCHOOL_LEAD, gen.POLICE_OFFICER, gen.HOUSING_OFFICER):  # fmt: skip
        assert roles[role] > 10, role
    open_cases = sum(
        1
        for h in data
        for i in h.involvements
        if i.practitioner_key == roster.social_workers[0].key and i.ended_on is None
    )
    assert 25 <= open_cases <= 70  # the persona's caseload: about 40


def test_the_first_household_shows_every_agency_to_the_personas(data):
    showcase = data[0]
    roster = gen.build_roster(gen.DemoConfig(children=2000, seed=20261126, as_of=AS_OF))
    owner = {(r.agency, r.record_id): r.person_id for r in showcase.records}
    agencies = defaultdict(set)
    for e in showcase.events:
        agencies[owner[(e.agency, e.subject_record_id)]].add(e.agency)
    index = showcase.patterns[0].person_id
    assert len(agencies[index]) >= 4
    held = {(i.practitioner_key, i.person_id) for i in showcase.involvements if i.ended_on is None}
    for practitioner in (roster.social_workers[0], roster.police_officers[0], roster.primary_leads[0], roster.housing_officers[0]):  # fmt: skip
        assert (practitioner.key, index) in held
    assert any(key == roster.health_visitors[0].key for key, _ in held)
    # Its records are clean, so deterministic linking joins them into one person.
    numbers = {r.nhs_number for r in showcase.records if r.person_id == index}
    assert len(numbers) == 1
    assert "" not in numbers
