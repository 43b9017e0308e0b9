"""The identity a person shows, chosen field by field from their source records, and
whether a new record agrees with it.

The rules are data: ``AGENCY_OF_RECORD`` says, for each field, which kinds of agency are
its agency of record, most authoritative first. No agency of record giving a value, the
first agency to have recorded one supplies it (never the newest: a later submission
cannot replace an established value). An NHS number is shown only when it is valid and
given by an agency of record or agreed by records of two agencies. docs/linkage.md
("Identity shown") explains and justifies the table.

No database access: ``people.actions`` turns source records into ``Claim`` rows.
"""

import datetime as dt
import enum
import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from sightline.agencies.models import AgencyKind
from sightline.people import normalise


class IdentityField(enum.StrEnum):
    NAME = "name"  # given and family name, from one record
    DATE_OF_BIRTH = "date_of_birth"
    SEX = "sex"
    NHS_NUMBER = "nhs_number"
    ADDRESS = "address"  # address line and postcode, from one record


LABELS: Mapping[IdentityField, str] = MappingProxyType(
    {
        IdentityField.NAME: "name",
        IdentityField.DATE_OF_BIRTH: "date of birth",
        IdentityField.SEX: "sex",
        IdentityField.NHS_NUMBER: "NHS number",
        IdentityField.ADDRESS: "address",
    }
)


@dataclass(frozen=True)
class Authority:
    """A kind of agency that is the agency of record for a field (``open_case``: only
    while that agency has an active involvement or a current plan for the person)."""

    kind: AgencyKind
    open_case: bool = False

    def describe(self) -> str:
        text = AgencyKind(self.kind).label.lower()
        return f"{text} with an open case" if self.open_case else text


_HEALTH = Authority(AgencyKind.HEALTH)
_SOCIAL_CARE = Authority(AgencyKind.CHILDRENS_SOCIAL_CARE)
_SOCIAL_CARE_OPEN_CASE = Authority(AgencyKind.CHILDRENS_SOCIAL_CARE, open_case=True)

# The agency of record for each field, most authoritative first. After these: the
# first agency to record a value (the NHS number excepted, see below).
AGENCY_OF_RECORD: Mapping[IdentityField, tuple[Authority, ...]] = MappingProxyType(
    {
        IdentityField.NHS_NUMBER: (_HEALTH, _SOCIAL_CARE),
        IdentityField.DATE_OF_BIRTH: (_HEALTH,),
        IdentityField.SEX: (_HEALTH,),
        IdentityField.NAME: (_SOCIAL_CARE_OPEN_CASE, _HEALTH),
        IdentityField.ADDRESS: (_SOCIAL_CARE_OPEN_CASE,),
    }
)
# An NHS number no agency of record gives is shown when records of this many agencies
# agree on it; otherwise none is shown.
NHS_AGREEING_AGENCIES = 2
# Kinds of agency whose precedence depends on an open case (recomputed when one opens).
OPEN_CASE_KINDS: frozenset[str] = frozenset(
    authority.kind
    for authorities in AGENCY_OF_RECORD.values()
    for authority in authorities
    if authority.open_case
)
# A new record may not change these when it joins a person (see ``changed_fields``);
# the address is left to the table: people move.
GUARDED_FIELDS = (
    IdentityField.NAME,
    IdentityField.DATE_OF_BIRTH,
    IdentityField.SEX,
    IdentityField.NHS_NUMBER,
)

Value = tuple[str, str] | dt.date | str


@dataclass(frozen=True)
class Claim:
    """What one source record says about a person, and where it comes from."""

    agency_code: str
    agency_name: str
    agency_kind: str
    record_id: str
    # When the record was first received, and its id (None before it is saved): the
    # earliest-established record comes first.
    established: dt.datetime
    record_pk: int | None
    # The agency has an active involvement or a current plan for the person.
    open_case: bool = False
    given_name: str = ""
    family_name: str = ""
    other_names: str = ""
    date_of_birth: dt.date | None = None
    sex: str = ""
    nhs_number: str = ""
    address: str = ""
    postcode: str = ""

    def value(self, name: IdentityField) -> Value | None:
        """This record's value of the field, or None when it gives none (an NHS number
        that fails the check counts as none)."""
        if name is IdentityField.NAME:
            given, family = self.given_name.strip(), self.family_name.strip()
            return (given, family) if given or family else None
        if name is IdentityField.DATE_OF_BIRTH:
            return self.date_of_birth
        if name is IdentityField.SEX:
            return self.sex or None
        if name is IdentityField.NHS_NUMBER:
            return _valid_nhs_number(self.nhs_number)
        address, postcode = self.address.strip(), self.postcode.strip()
        return (address, postcode) if address or postcode else None

    @property
    def seniority(self) -> tuple[dt.datetime, int]:
        return (self.established, self.record_pk if self.record_pk is not None else 1 << 62)

    def names(self) -> list[tuple[str, str]]:
        """(given, family) of the record's name and of each alias (``other_names``,
        ``;``-separated, the last word of an alias its family name)."""
        found = [(self.given_name, self.family_name)]
        for alias in self.other_names.split(";"):
            words = alias.split()
            if words:
                found.append((" ".join(words[:-1]), words[-1]))
        return [(g, f) for g, f in found if g.strip() or f.strip()]


@functools.lru_cache(maxsize=1 << 16)
def _valid_nhs_number(text: str) -> str | None:
    digits = normalise.nhs_digits(text)
    return digits if digits and normalise.is_valid_nhs_number(digits) else None


@dataclass(frozen=True)
class Source:
    """Which record supplied a field's value, and by which rule."""

    claim: Claim
    basis: str

    def as_dict(self) -> dict[str, str]:
        return {
            "agency": self.claim.agency_code,
            "agency_name": self.claim.agency_name,
            "record_id": self.claim.record_id,
            "basis": self.basis,
        }


@dataclass(frozen=True)
class Identity:
    """The identity a person shows, with the source of each field."""

    given_name: str = ""
    family_name: str = ""
    date_of_birth: dt.date | None = None
    sex: str = ""
    nhs_number: str = ""
    address: str = ""
    postcode: str = ""
    sources: Mapping[IdentityField, Source] = field(default_factory=dict)

    def key(self, name: IdentityField) -> object:
        """The field's value as compared for a change (names normalised)."""
        if name is IdentityField.NAME:
            return (_name_key(self.given_name), _name_key(self.family_name))
        if name is IdentityField.DATE_OF_BIRTH:
            return self.date_of_birth
        if name is IdentityField.SEX:
            return self.sex
        if name is IdentityField.NHS_NUMBER:
            return self.nhs_number
        return (self.address, self.postcode)

    def provenance(self) -> dict[str, dict[str, str]]:
        """For ``Person.identity_sources``: field -> agency, record and rule."""
        return {str(name): source.as_dict() for name, source in self.sources.items()}


def choose(name: IdentityField, claims: Iterable[Claim]) -> Source | None:
    """The record whose value of ``name`` the person shows, by the table's rules."""
    present = [claim for claim in claims if claim.value(name) is not None]
    if not present:
        return None
    label = LABELS[name]
    for authority in AGENCY_OF_RECORD[name]:
        fit = [
            claim
            for claim in present
            if claim.agency_kind == authority.kind and (claim.open_case or not authority.open_case)
        ]
        if fit:
            first = min(fit, key=lambda claim: claim.seniority)
            return Source(first, f"agency of record for the {label}: {authority.describe()}")
    if name is IdentityField.NHS_NUMBER:
        return _agreed_nhs_number(present)
    first = min(present, key=lambda claim: claim.seniority)
    return Source(first, f"first agency to record the {label}")


def _agreed_nhs_number(present: Sequence[Claim]) -> Source | None:
    agencies: dict[Value | None, set[str]] = defaultdict(set)
    first: dict[Value | None, Claim] = {}
    for claim in sorted(present, key=lambda claim: claim.seniority):
        value = claim.value(IdentityField.NHS_NUMBER)
        agencies[value].add(claim.agency_code)
        first.setdefault(value, claim)
    agreed = [value for value, codes in agencies.items() if len(codes) >= NHS_AGREEING_AGENCIES]
    if not agreed:
        return None
    # The number most agencies agree on; between equals, the one recorded first.
    best = min(agreed, key=lambda value: (-len(agencies[value]), first[value].seniority))
    return Source(first[best], f"NHS number agreed by {len(agencies[best])} agencies")


def shown_identity(claims: Sequence[Claim]) -> Identity:
    """The identity shown for a person with these records."""
    sources = {name: source for name in IdentityField if (source := choose(name, claims))}

    def value(name: IdentityField) -> Value | None:
        source = sources.get(name)
        return source.claim.value(name) if source else None

    name = value(IdentityField.NAME)
    address = value(IdentityField.ADDRESS)
    dob = value(IdentityField.DATE_OF_BIRTH)
    given, family = name if isinstance(name, tuple) else ("", "")
    line, postcode = address if isinstance(address, tuple) else ("", "")
    return Identity(
        given_name=given,
        family_name=family,
        date_of_birth=dob if isinstance(dob, dt.date) else None,
        sex=str(value(IdentityField.SEX) or ""),
        nhs_number=str(value(IdentityField.NHS_NUMBER) or ""),
        address=line,
        postcode=postcode,
        sources=sources,
    )


def changed_fields(before: Identity, after: Identity) -> tuple[IdentityField, ...]:
    """Guarded fields whose shown value ``after`` changes (a blank filled is no change)."""
    return tuple(
        name
        for name in GUARDED_FIELDS
        if name in before.sources and before.key(name) != after.key(name)
    )


@dataclass(frozen=True)
class Disagreement:
    field: IdentityField
    explanation: str


def disagreements(
    claim: Claim, others: Sequence[Claim], shown: Identity | None = None
) -> tuple[Disagreement, ...]:
    """Where ``claim`` contradicts the person that ``others`` (their other records) describe
    (``shown``: their identity, when already computed).

    - name: none of its names (or aliases) shares a given or family name with any name
      the person is known by, allowing a typo or a shortening (Will, William);
    - date of birth: not the one shown, beyond a day and month swapped or a slip in one
      of day, month or year;
    - NHS number: a valid one that none of the person's records gives, while they give one;
    - and a record that gives neither a name nor a date of birth, while the person has
      one, contradicts nothing but confirms nothing either: held as a disagreement.
    """
    if not others:
        return ()
    shown = shown or shown_identity(others)
    found: list[Disagreement] = []
    known_names = [pair for other in others for pair in other.names()]
    names = claim.names()
    if names and known_names and not _names_agree(names, known_names):
        found.append(
            Disagreement(IdentityField.NAME, "not one of the names the person is known by")
        )
    dob = claim.date_of_birth
    if dob and shown.date_of_birth and not _dates_agree(dob, shown.date_of_birth):
        found.append(Disagreement(IdentityField.DATE_OF_BIRTH, "a different date of birth"))
    nhs = claim.value(IdentityField.NHS_NUMBER)
    known_nhs = {value for other in others if (value := other.value(IdentityField.NHS_NUMBER))}
    if nhs and known_nhs and nhs not in known_nhs:
        found.append(Disagreement(IdentityField.NHS_NUMBER, "a different NHS number"))
    if not names and dob is None and (known_names or shown.date_of_birth):
        found.append(
            Disagreement(IdentityField.NAME, "no name or date of birth to confirm the person")
        )
    return tuple(found)


def _names_agree(left: Sequence[tuple[str, str]], right: Sequence[tuple[str, str]]) -> bool:
    words_left = {word for given, family in left for word in _words(given, family)}
    words_right = {word for given, family in right for word in _words(given, family)}
    return any(words_agree(a, b) for a in words_left for b in words_right)


@functools.lru_cache(maxsize=1 << 16)
def _words(given: str, family: str) -> tuple[str, ...]:
    return tuple(word for word in _name_key(f"{given} {family}").split() if len(word) >= 2)


@functools.lru_cache(maxsize=1 << 16)
def _name_key(text: str) -> str:
    return normalise.name_key(text)


def words_agree(a: str, b: str) -> bool:
    """Two name words are the same name: equal, one typo apart (four letters or more) or
    one the start of the other (three letters or more: Will, William)."""
    if a == b:
        return True
    shorter = min(len(a), len(b))
    if shorter >= 3 and (a.startswith(b) or b.startswith(a)):
        return True
    return shorter >= 4 and _one_edit_apart(a, b)


def _one_edit_apart(a: str, b: str) -> bool:
    """One insertion, deletion, substitution or swap of neighbours turns a into b."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def _dates_agree(a: dt.date, b: dt.date) -> bool:
    if a == b or (a.day == b.month and a.month == b.day and a.year == b.year):
        return True
    return sum((a.year != b.year, a.month != b.month, a.day != b.day)) == 1
