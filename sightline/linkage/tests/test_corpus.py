"""The independent evaluation corpus (sightline.linkage.corpus)."""

import ast
import csv
import datetime as dt
import random
from collections import defaultdict
from pathlib import Path

import pytest
from django.core.management import call_command

from sightline.importing.formats import parse_person_record
from sightline.linkage import linkfile
from sightline.linkage.corpus import errors, generator, sources
from sightline.people.normalise import is_valid_nhs_number, is_valid_postcode

CORPUS_DIR = Path(generator.__file__).parent


@pytest.fixture(scope="module")
def corpus() -> generator.Corpus:
    return generator.generate(records=6000, seed=7)


def by_person(corpus: generator.Corpus) -> dict[str, list[tuple[dict[str, str], dict[str, str]]]]:
    people: dict[str, list[tuple[dict[str, str], dict[str, str]]]] = defaultdict(list)
    for row, truth in zip(corpus.rows, corpus.truth, strict=True):
        people[truth["true_person_id"]].append((row, truth))
    return people


DATE_ERRORS = {"day_month_swap", "one_digit", "first_january", "first_of_month", "pre_birth"}


def true_dob(records: list[tuple[dict[str, str], dict[str, str]]]) -> str | None:
    """The date of birth on the person's records that carry no date error."""
    dates = {
        row["date_of_birth"]
        for row, truth in records
        if row["date_of_birth"] and not DATE_ERRORS & set(truth["errors"].split(";"))
    }
    assert len(dates) <= 1, dates
    return next(iter(dates), None)


def test_it_is_deterministic_with_a_seed():
    first = generator.generate(records=800, seed=11)
    again = generator.generate(records=800, seed=11)
    other = generator.generate(records=800, seed=12)
    assert first.rows == again.rows
    assert first.truth == again.truth
    assert first.rows != other.rows


def test_it_writes_exactly_the_records_asked_for_in_the_person_records_format(tmp_path):
    out = tmp_path / "people.csv"
    call_command("generate-linkage-corpus", records=1500, seed=5, out=out)
    with out.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == linkfile.COLUMNS
        rows = list(reader)
    assert len(rows) == 1500
    # Every row passes the importer's own validation (the format, followed exactly).
    for line, row in enumerate(rows, start=2):
        parsed, problems = parse_person_record(row, line=line)
        assert parsed is not None, problems
    assert len({(r["agency"], r["record_id"]) for r in rows}) == 1500
    # The linkage reader takes it as it is.
    assert len(linkfile.read_records(out)) == 1500
    with (tmp_path / "people.truth.csv").open(encoding="utf-8", newline="") as handle:
        truth = list(csv.DictReader(handle))
    assert [(t["agency"], t["record_id"]) for t in truth] == [
        (r["agency"], r["record_id"]) for r in rows
    ]


def test_the_truth_is_consistent_with_the_records(corpus):
    people = by_person(corpus)
    owner_of_nhs: dict[str, str] = {}
    for person, records in people.items():
        numbers = {row["nhs_number"] for row, _ in records if row["nhs_number"]}
        assert len(numbers) <= 1  # NHS numbers are never mistyped here
        for number in numbers:
            assert is_valid_nhs_number(number)
            assert number.startswith("999")
            assert owner_of_nhs.setdefault(number, person) == person
        true_dob(records)  # one date of birth on the records without a date error
        assert len({t["role"] for _, t in records} - {"unborn"}) <= 1
        assert len({t["household_id"] for _, t in records}) == 1
    # Twins and triplets: same true date of birth and household, different given names
    # that are not nicknames of one another.
    sets: dict[str, list[str]] = defaultdict(list)
    for person, records in people.items():
        if records[0][1]["twin_set"]:
            sets[records[0][1]["twin_set"]].append(person)
    # (A twin with no record at any agency, or cut off by the record count, is absent.)
    assert sum(len(members) >= 2 for members in sets.values()) > len(sets) / 2
    for members in sets.values():
        assert len(members) <= 3
        dobs = {true_dob(people[m]) for m in members} - {None}
        assert len(dobs) <= 1
        assert len({people[m][0][1]["household_id"] for m in members}) == 1


def test_every_error_type_is_present_and_does_what_it_says(corpus):
    seen: dict[str, list[tuple[dict[str, str], dict[str, str]]]] = defaultdict(list)
    for row, truth in zip(corpus.rows, corpus.truth, strict=True):
        for kind in filter(None, truth["errors"].split(";")):
            seen[kind].append((row, truth))
    expected = {
        *(f"{field}_{kind}" for field in ("given", "family") for kind in (
            "insert", "delete", "substitute", "transpose", "ocr", "phonetic")),
        "nickname", "alias", "previous_family_name", "previous_name_in_other_names",
        "middle_name_in_given", "one_part_of_family_name", "swapped_names",
        "day_month_swap", "one_digit", "first_january", "first_of_month",
        "missing_date_of_birth", "missing_nhs_number", "missing_address", "missing_postcode",
        "old_address", "postcode_typo", "pre_birth",
    }  # fmt: skip
    assert expected <= set(seen)
    people = by_person(corpus)
    for row, truth in seen["day_month_swap"]:
        dob = true_dob(people[truth["true_person_id"]])
        if dob:
            day = dt.date.fromisoformat(dob)
            assert row["date_of_birth"] == day.replace(month=day.day, day=day.month).isoformat()
    for row, _ in seen["first_january"]:
        assert row["date_of_birth"].endswith("-01-01")
    for row, _ in seen["missing_nhs_number"]:
        assert row["nhs_number"] == ""
    for row, _ in seen["alias"]:
        assert row["other_names"]
    for row, truth in seen["pre_birth"]:
        assert truth["role"] == "unborn"
        assert row["nhs_number"] == ""
        born = true_dob([r for r in people[truth["true_person_id"]] if r[1]["role"] != "unborn"])
        if born:
            gap = abs(dt.date.fromisoformat(row["date_of_birth"]) - dt.date.fromisoformat(born))
            assert gap <= dt.timedelta(days=42)
    for row, _ in seen["postcode_typo"]:
        assert is_valid_postcode(row["postcode"])
    nicknamed = [
        row["given_name"].lower()
        for row, truth in seen["nickname"]
        if not any(kind.startswith("given_") for kind in truth["errors"].split(";"))
        and "swapped_names" not in truth["errors"]
    ]
    assert nicknamed
    all_nicknames = {n for nicks in sources.nicknames_of().values() for n in nicks}
    assert all(name.split()[0] in all_nicknames for name in nicknamed)
    # Multi-agency: each kind of agency, several records for most children.
    assert {t["agency"] for t in corpus.truth} == set(generator.AGENCIES)
    child_records = [len(r) for r in people.values() if r[0][1]["role"] == "child"]
    assert sum(n >= 2 for n in child_records) > len(child_records) / 2


def test_the_single_value_errors():
    rng = random.Random(3)
    assert len(errors.insert(rng, "william")) == 8
    assert len(errors.delete(rng, "william")) == 6
    swapped = errors.transpose(rng, "abcd")
    assert sorted(swapped) == list("abcd")
    assert sum(a != b for a, b in zip(swapped, "abcd", strict=True)) == 2
    changed = errors.substitute(rng, "smith")
    assert len(changed) == 5
    assert sum(a != b for a, b in zip(changed, "smith", strict=True)) == 1
    assert errors.ocr(rng, "Emma") in {"Ernma", "Emrna", "Ecmma"}
    assert errors.phonetic(rng, "Sophie") in {"Sofie", "Sophy"}
    assert errors.swap_day_month(dt.date(2015, 3, 7)) == dt.date(2015, 7, 3)
    assert errors.swap_day_month(dt.date(2015, 3, 17)) is None
    assert errors.swap_day_month(dt.date(2015, 3, 3)) is None
    for _ in range(50):
        day = dt.date(2014, 11, 23)
        slipped = errors.one_digit(rng, day)
        assert slipped != day
        assert sum(a != b for a, b in zip(slipped.isoformat(), day.isoformat(), strict=True)) == 1
        assert is_valid_postcode(errors.postcode_typo(rng, "LS10 1AB", sources.UNIT_LETTERS))


def test_it_imports_nothing_from_sightline_outside_the_corpus():
    """Written apart from the demo generator and the matcher: an import of either (or of
    anything else of Sightline's) would let their assumptions in."""
    for path in CORPUS_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.startswith("sightline"):
                    assert name.startswith("sightline.linkage.corpus"), (path.name, name)


def test_it_reads_name_variants_in_either_direction():
    assert sources.variants("Sam", "Samuel")
    assert sources.variants("Samuel", "Sam")
    assert sources.variants("Mary", "Maureen")  # the dataset lists Mary under Maureen
    assert sources.variants("Maureen", "Mary")
    assert sources.variants("Kate", "Katie")  # two nicknames of Katherine
    assert sources.variants("Lucy", "lucy")
    assert not sources.variants("Alexander", "Alexandra")  # two names sharing Alex
    assert not sources.variants("Grace", "Amira")


def test_twins_never_have_variants_of_one_name_whichever_is_named_first():
    """Issue 16: real twins have different names, not variants of one name. The check
    read only "the later twin's name is a nickname of an earlier one's", so a twin Sam
    (drawn first) beside a twin Samuel, or Mary beside Maureen, got through."""
    made = generator._Generator(3, generator.Rates(twins=1.0))
    sets = 0
    for number in range(1, 3001):
        twins: dict[str, list[str]] = defaultdict(list)
        for person in made.household(number).people:
            if person.twin_set:
                twins[person.twin_set].append(person.given)
        for names in twins.values():
            sets += 1
            for i, name in enumerate(names):
                for other in names[i + 1 :]:
                    assert not sources.variants(name, other), names
                    assert not sources.sound_alike(name, other), names
    assert sets > 3000


def test_it_hears_two_spellings_of_one_name():
    """The 1,000,000-record corpus had twins Phillip and Philip Walters: the name source
    lists both spellings and the nicknames dataset pairs neither."""
    assert sources.sound_alike("Phillip", "Philip")
    assert sources.sound_alike("Steven", "Stephen")
    assert sources.sound_alike("Catherine", "Katherine")
    assert not sources.sound_alike("Leo", "Leon")
    assert not sources.sound_alike("Ava", "Eva")
    assert not sources.sound_alike("", "")


def test_a_mothers_children_never_share_a_name_or_variants_of_one():
    """Siblings, not only twins: their names were drawn independently, so two brothers
    were both Daniel Williams, two sisters Lucy Dixon, and sisters Margaret and Rita."""
    made = generator._Generator(5, generator.Rates())
    families = 0
    for number in range(1, 4001):
        children = [p.given for p in made.household(number).people if p.role == generator.CHILD]
        families += len(children) > 1
        for i, name in enumerate(children):
            for other in children[i + 1 :]:
                assert not sources.variants(name, other), children
                assert not sources.sound_alike(name, other), children
    assert families > 1000
