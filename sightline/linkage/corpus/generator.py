"""Households of people, the records each agency holds about them, and the truth.

Everything is drawn from one ``random.Random(seed)``: the same arguments give the same
files, row for row. Only the corpus's own modules are used (see the package docstring).
"""

import csv
import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sightline.linkage.corpus import errors, sources

AS_OF = dt.date(2026, 1, 1)
HEALTH, EDUCATION, CSC, POLICE, HOUSING = "HEALTH", "EDUCATION", "CSC", "POLICE", "HOUSING"
COLUMNS = (
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
)
TRUTH_COLUMNS = (
    "agency",
    "record_id",
    "true_person_id",
    "twin_set",
    "household_id",
    "role",
    "errors",
)
CHILD, MOTHER, FATHER, UNBORN = "child", "mother", "father", "unborn"


@dataclass(frozen=True)
class Agency:
    """How completely and how cleanly one kind of agency records a person."""

    code: str
    prefix: str
    nhs: float  # share of records with the NHS number
    dob: float  # ... with a date of birth
    sex: float
    address: float
    postcode: float
    known_as: float  # the given name as a nickname or diminutive, when it has one
    alias: float  # other names (aliases) recorded
    capitals: float  # names written in capitals
    typo: float  # per name or address field: one typing, OCR or phonetic error
    dob_error: float  # a wrong date of birth (swap, placeholder, one digit)
    stale_address: float  # the address before a move, when the person moved


AGENCIES: dict[str, Agency] = {
    HEALTH: Agency(HEALTH, "RHX", 0.96, 0.995, 0.99, 0.97, 0.97, 0.02, 0.01, 0.0, 0.04, 0.01, 0.25),
    EDUCATION: Agency(EDUCATION, "UPN", 0.10, 0.99, 0.98, 0.92, 0.95, 0.20, 0.01, 0.0, 0.06, 0.03, 0.3),
    CSC: Agency(CSC, "LCS", 0.70, 0.92, 0.95, 0.90, 0.90, 0.08, 0.06, 0.05, 0.07, 0.04, 0.3),
    POLICE: Agency(POLICE, "NIC", 0.04, 0.85, 0.97, 0.75, 0.70, 0.15, 0.30, 0.8, 0.10, 0.08, 0.5),
    HOUSING: Agency(HOUSING, "HSG", 0.03, 0.55, 0.50, 0.99, 0.99, 0.10, 0.01, 0.1, 0.08, 0.05, 0.6),
}  # fmt: skip

# Which agencies hold a record about each kind of person, and how likely.
HOLDERS: dict[str, tuple[tuple[str, float], ...]] = {
    CHILD: ((HEALTH, 0.95), (EDUCATION, 0.9), (CSC, 0.35), (POLICE, 0.06), (HOUSING, 0.25)),
    MOTHER: ((HEALTH, 0.8), (CSC, 0.4), (POLICE, 0.12), (HOUSING, 0.5)),
    FATHER: ((HEALTH, 0.6), (CSC, 0.2), (POLICE, 0.25), (HOUSING, 0.2)),
}


@dataclass(frozen=True)
class Rates:
    twins: float = 0.025  # per birth (England: about 0.014; raised to count them)
    triplets: float = 0.0025
    father: float = 0.55  # a father or partner in the household
    previous_family_name: float = 0.3  # of mothers: a maiden or earlier married name
    under_previous_name: float = 0.3  # of a mother's records: filed under that name
    moved: float = 0.3  # households that moved (the old address still on some records)
    flats: float = 0.08  # households in a block of flats with one postcode
    hostel: float = 0.01  # households in a hostel (many families, one address)
    unborn: float = 0.25  # of babies under one: an "Unborn" record before the birth
    second_record: float = 0.05  # a second record of the same agency (a duplicate)
    middle_name: float = 0.5
    middle_in_given: float = 0.08  # given and middle names in the given-name field
    swapped_names: float = 0.01  # given and family names in each other's fields
    double_barrelled: float = 0.04  # a family name of two parts
    one_part: float = 0.4  # of double-barrelled names: only one part recorded
    postcode_typo: float = 0.02
    wrong_sex: float = 0.004


@dataclass
class Person:
    id: str
    role: str
    sex: str
    given: str
    middle: str
    family: str
    dob: dt.date
    nhs: str
    twin_set: str = ""
    previous_family: str = ""


@dataclass
class Place:
    address: str
    postcode: str


@dataclass
class Household:
    id: str
    people: list[Person] = field(default_factory=list)
    place: Place = field(default_factory=lambda: Place("", ""))
    previous: Place | None = None
    unborn_of: Person | None = None  # the baby recorded before birth
    expected: dt.date | None = None


@dataclass(frozen=True)
class Record:
    agency: str
    values: dict[str, str]
    person: Person
    household: str
    role: str
    errors: tuple[str, ...]


@dataclass
class Corpus:
    rows: list[dict[str, str]]  # the person-records file, in order
    truth: list[dict[str, str]]  # one per row, the same order


class _Generator:
    def __init__(self, seed: int, rates: Rates) -> None:
        self.rng = random.Random(seed)  # noqa: S311 (synthetic data, not security)
        self.rates = rates
        self.nhs_used: set[str] = set()
        self.people = 0
        self.twin_sets = 0
        self.streets: list[tuple[str, str, str]] = []  # postcode, street, town

    # --- people ----------------------------------------------------------------------

    def given(self, sex: str) -> str:
        pool = sources.given_names(sex)
        return self.rng.choices(pool.values, cum_weights=pool.cumulative)[0]

    def family(self) -> str:
        pool = sources.family_names()
        name = self.rng.choices(pool.values, cum_weights=pool.cumulative)[0]
        if self.rng.random() < self.rates.double_barrelled:
            other = self.rng.choices(pool.values, cum_weights=pool.cumulative)[0]
            if other != name:
                name = f"{name}-{other}"
        return name

    def nhs_number(self) -> str:
        while True:
            digits = "999" + "".join(self.rng.choice("0123456789") for _ in range(6))
            total = sum(int(d) * (10 - i) for i, d in enumerate(digits))
            check = 11 - total % 11
            if check == 10:
                continue
            number = digits + str(0 if check == 11 else check)
            if number not in self.nhs_used:
                self.nhs_used.add(number)
                return number

    def person(self, role: str, sex: str, family: str, dob: dt.date) -> Person:
        self.people += 1
        middle = self.given(sex) if self.rng.random() < self.rates.middle_name else ""
        return Person(
            id=f"TP{self.people:07d}",
            role=role,
            sex=sex,
            given=self.given(sex),
            middle=middle,
            family=family,
            dob=dob,
            nhs=self.nhs_number(),
        )

    def date_between(self, first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=self.rng.randrange(max(1, (last - first).days)))

    # --- places ----------------------------------------------------------------------

    def postcode(self) -> tuple[str, str]:
        area, town = self.rng.choice(sources.TOWNS)
        district = self.rng.randint(1, 20)
        inward = f"{self.rng.randint(0, 9)}{self.rng.choice(sources.UNIT_LETTERS)}"
        inward += self.rng.choice(sources.UNIT_LETTERS)
        return f"{area}{district} {inward}", town

    def street(self) -> str:
        word = self.rng.choice(sources.STREET_WORDS)
        return f"{word} {self.rng.choice(sources.STREET_TYPES)}"

    def place(self) -> Place:
        """A home: a house on a street (a postcode shared with other homes half the
        time), a flat in a block or a room in a hostel (many homes, one postcode)."""
        rng, rates = self.rng, self.rates
        if self.streets and rng.random() < 0.5:
            postcode, street, town = rng.choice(self.streets)
        else:
            postcode, town = self.postcode()
            street = self.street()
            self.streets.append((postcode, street, town))
        roll = rng.random()
        if roll < rates.hostel:
            return Place(f"Room {rng.randint(1, 40)}, Foyer Hostel, {street}, {town}", postcode)
        if roll < rates.hostel + rates.flats:
            building = rng.choice(sources.BUILDINGS)
            return Place(f"Flat {rng.randint(1, 80)}, {building}, {street}, {town}", postcode)
        return Place(f"{rng.randint(1, 180)} {street}, {town}", postcode)

    # --- households ------------------------------------------------------------------

    def household(self, number: int) -> Household:
        rates, rng = self.rates, self.rng
        house = Household(id=f"H{number:06d}")
        house.place = self.place()
        if rng.random() < rates.moved:
            house.previous = self.place()
        family = self.family()
        mother_dob = self.date_between(dt.date(1976, 1, 1), dt.date(2006, 1, 1))
        mother = self.person(MOTHER, "F", family, mother_dob)
        if rng.random() < rates.previous_family_name:
            mother.previous_family = self.family()
        house.people.append(mother)
        father_family = family
        if rng.random() < rates.father:
            father_family = family if rng.random() < 0.7 else self.family()
            father_dob = mother_dob - dt.timedelta(days=rng.randint(-1500, 3000))
            house.people.append(self.person(FATHER, "M", father_family, father_dob))
        # Births: from the mother's 17th birthday, about two years apart.
        first = max(mother_dob + dt.timedelta(days=17 * 365), dt.date(2008, 1, 2))
        births = 1 + min(5, int(rng.expovariate(1 / 1.3)))
        when = self.date_between(first, AS_OF - dt.timedelta(days=30))
        babies: list[Person] = []
        for _ in range(births):
            if when >= AS_OF:
                break
            roll = rng.random()
            size = 3 if roll < rates.triplets else 2 if roll < rates.triplets + rates.twins else 1
            child_family = family if rng.random() < 0.88 else father_family
            born = [self.person(CHILD, rng.choice("FM"), child_family, when) for _ in range(size)]
            # A mother's children have different names, not variants of one name (issue
            # 16: "different children need different given names that are not nickname,
            # diminutive or spelling variants of each other"), twins and siblings alike,
            # read both ways: a twin Sam beside a twin Samuel was let through when Sam
            # was drawn first, and siblings' names were drawn independently (two brothers
            # Daniel Williams, two sisters Lucy Dixon, sisters Margaret and Rita). Nor
            # two spellings of one name: twins Phillip and Philip were drawn, as the
            # name source lists both and the nicknames dataset pairs neither.
            names = {sibling.given.lower() for sibling in babies}
            for baby in born:
                while any(
                    sources.variants(baby.given, n) or sources.sound_alike(baby.given, n)
                    for n in names
                ):
                    baby.given = self.given(baby.sex)
                names.add(baby.given.lower())
            if size > 1:
                self.twin_sets += 1
                for baby in born:
                    baby.twin_set = f"TS{self.twin_sets:05d}"
            babies.extend(born)
            when += dt.timedelta(days=rng.randint(300, 1500))
        house.people.extend(babies)
        youngest = babies[-1] if babies else None
        if youngest and (AS_OF - youngest.dob).days < 365 and rng.random() < rates.unborn:
            house.unborn_of = youngest
            house.expected = youngest.dob + dt.timedelta(days=rng.randint(-21, 21))
        return house

    # --- records ---------------------------------------------------------------------

    def records(self, house: Household) -> list[Record]:
        out: list[Record] = []
        for person in house.people:
            for code, chance in HOLDERS[person.role]:
                if code == EDUCATION and (AS_OF - person.dob).days < 4 * 365:
                    continue
                if self.rng.random() < chance:
                    out.append(self.record(AGENCIES[code], person, house))
                    if self.rng.random() < self.rates.second_record:
                        out.append(self.record(AGENCIES[code], person, house))
        if house.unborn_of is not None and house.expected is not None:
            out.append(self.unborn(house.unborn_of, house))
        return out

    def unborn(self, baby: Person, house: Household) -> Record:
        """The pre-birth record: "Unborn" and the mother's family name, the expected date,
        the mother's address; no NHS number or sex yet."""
        mother = house.people[0]
        place = house.previous if house.previous and self.rng.random() < 0.3 else house.place
        assert house.expected is not None  # noqa: S101 (checked by the caller)
        values = {
            "given_name": "Unborn" if self.rng.random() < 0.8 else "",
            "family_name": mother.family,
            "other_names": "",
            "date_of_birth": house.expected.isoformat(),
            "sex": "",
            "nhs_number": "",
            "address": place.address,
            "postcode": place.postcode,
        }
        agency = CSC if self.rng.random() < 0.7 else HEALTH
        return Record(agency, values, baby, house.id, UNBORN, ("pre_birth",))

    def record(self, agency: Agency, person: Person, house: Household) -> Record:
        rng, rates = self.rng, self.rates
        done: list[str] = []
        given, family = person.given, person.family
        nicks = sources.nicknames_of().get(given.lower(), ())
        if nicks and rng.random() < agency.known_as:
            given = rng.choice(nicks).capitalize()
            done.append("nickname")
        elif person.middle and rng.random() < rates.middle_in_given:
            given = f"{given} {person.middle}"
            done.append("middle_name_in_given")
        if person.previous_family and rng.random() < rates.under_previous_name:
            family = person.previous_family
            done.append("previous_family_name")
        if "-" in family and rng.random() < rates.one_part:
            family = rng.choice(family.split("-"))
            done.append("one_part_of_family_name")
        if rng.random() < agency.typo:
            given, kind = errors.typo(rng, given)
            done.append(f"given_{kind}")
        if rng.random() < agency.typo:
            family, kind = errors.typo(rng, family)
            done.append(f"family_{kind}")
        other: list[str] = []
        if person.previous_family and family != person.previous_family and rng.random() < 0.5:
            other.append(f"{person.given} {person.previous_family}")
            done.append("previous_name_in_other_names")
        if rng.random() < agency.alias:
            alias_given = self.given(person.sex)
            alias_family = family if rng.random() < 0.5 else self.family()
            # A police record: two other names; one of them may be the main name elsewhere.
            other.append(f"{alias_given} {alias_family}")
            if rng.random() < 0.5:
                other.append(f"{person.given} {person.family}")
            done.append("alias")
        if rng.random() < rates.swapped_names:
            given, family = family, given
            done.append("swapped_names")
        dob = self.date_of_birth(agency, person, done)
        sex = person.sex if rng.random() < agency.sex else ""
        if sex and rng.random() < rates.wrong_sex:
            sex = "M" if sex == "F" else "F"
            done.append("wrong_sex")
        if not sex:
            done.append("missing_sex")
        nhs = person.nhs if rng.random() < agency.nhs else ""
        if not nhs:
            done.append("missing_nhs_number")
        place = house.place
        if house.previous is not None and rng.random() < agency.stale_address:
            place = house.previous
            done.append("old_address")
        address = place.address if rng.random() < agency.address else ""
        postcode = place.postcode if rng.random() < agency.postcode else ""
        if address and rng.random() < agency.typo:
            address, kind = errors.typo(rng, address)
            done.append(f"address_{kind}")
        if not address:
            done.append("missing_address")
        if postcode and rng.random() < rates.postcode_typo:
            postcode = errors.postcode_typo(rng, postcode, sources.UNIT_LETTERS)
            done.append("postcode_typo")
        if not postcode:
            done.append("missing_postcode")
        if rng.random() < agency.capitals:
            given, family = given.upper(), family.upper()
            other = [name.upper() for name in other]
        values = {
            "given_name": given,
            "family_name": family,
            "other_names": "; ".join(other),
            "date_of_birth": dob,
            "sex": sex,
            "nhs_number": nhs,
            "address": address,
            "postcode": postcode,
        }
        return Record(agency.code, values, person, house.id, person.role, tuple(done))

    def date_of_birth(self, agency: Agency, person: Person, done: list[str]) -> str:
        rng = self.rng
        if rng.random() >= agency.dob:
            done.append("missing_date_of_birth")
            return ""
        dob = person.dob
        if rng.random() < agency.dob_error:
            kind = rng.choices(
                ("day_month_swap", "one_digit", "first_january", "first_of_month"),
                weights=(40, 30, 18, 12),
            )[0]
            changed: dt.date | None
            if kind == "day_month_swap":
                changed = errors.swap_day_month(dob)
            elif kind == "one_digit":
                changed = errors.one_digit(rng, dob, AS_OF)
            elif kind == "first_january":
                changed = dob.replace(month=1, day=1)
            else:
                changed = dob.replace(day=1)
            if changed is not None and changed != dob:
                dob = changed
                done.append(kind)
        return dob.isoformat()


def generate(*, records: int, seed: int, rates: Rates | None = None) -> Corpus:
    """About ``records`` agency records (exactly that many), shuffled, with the truth."""
    if records < 1:
        raise ValueError("at least one record")
    generator = _Generator(seed, rates or Rates())
    made: list[Record] = []
    number = 0
    while len(made) < records:
        number += 1
        made.extend(generator.records(generator.household(number)))
    del made[records:]
    generator.rng.shuffle(made)
    counters: dict[str, int] = {}
    rows: list[dict[str, str]] = []
    truth: list[dict[str, str]] = []
    for record in made:
        counters[record.agency] = counters.get(record.agency, 0) + 1
        record_id = f"{AGENCIES[record.agency].prefix}{counters[record.agency]:08d}"
        rows.append({"record_id": record_id, "agency": record.agency, **record.values})
        truth.append(
            {
                "agency": record.agency,
                "record_id": record_id,
                "true_person_id": record.person.id,
                "twin_set": record.person.twin_set,
                "household_id": record.household,
                "role": record.role,
                "errors": ";".join(record.errors),
            }
        )
    return Corpus(rows, truth)


def truth_path(out: Path) -> Path:
    """Where the truth is written beside a corpus file: ``people.csv`` -> ``people.truth.csv``."""
    return out.with_name(f"{out.stem}.truth{out.suffix or '.csv'}")


def write(corpus: Corpus, out: Path, truth: Path | None = None) -> Path:
    """The records in the person-records format to ``out``; the truth to ``truth``
    (default ``truth_path(out)``). Returns the truth file's path."""
    truth = truth or truth_path(out)
    _write_csv(out, COLUMNS, corpus.rows)
    _write_csv(truth, TRUTH_COLUMNS, corpus.truth)
    return truth


def _write_csv(path: Path, columns: Sequence[str], rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
