"""One record's identity, normalised into the columns the linkage model compares. Pure.

Real-time matching and batch linkage both call ``features``: one normalisation for both.

- names: case, accents, hyphens and apostrophes via ``people.normalise.name_key``;
  generation words ("junior", "jr", "senior", "snr", "ii", "iii") are taken off the name
  and kept apart; ``given1`` is the first given name, ``given_formal`` the formal names it
  may stand for (nickname table), ``given_near`` those of the known names one letter
  from an unknown one (a slip in a nickname); ``family_formal`` the formal names of the
  family-name words the table knows as given names (names swapped on a record, one of
  them a short form: "Rogers Andrea" against "Drea Rogers"); ``given_names`` and ``family_names`` hold every given-
  and family-name word the record has, including aliases and previous names from
  ``other_names`` (";"-separated; the last word of an alias is its family name).
- an unborn child ("Unborn", "Baby" as the given name): ``unborn`` set, the given name
  left out; the date of birth is the expected date (``prebirth``).
- date of birth: ISO ``YYYY-MM-DD`` (also accepted: ``DD/MM/YYYY``); anything else is
  missing and counted. ``dob_swapped`` is the date with day and month exchanged, when that
  is a different valid date, so blocking can find day/month swaps.
- NHS number: ten digits passing the modulus-11 check, else missing and counted.
- postcode: a valid UK postcode in ``LS1 4AP`` form, ``district`` its outward code (an
  outward code alone gives the district only); another country's postcode (letters and
  digits, at least one digit) kept in capitals without spaces and compared exactly, with
  no district; anything else missing and counted.
- address: ``name_key`` of the line, with the postcode taken out if it was written in;
  its words, house number and street (first word after the house number), for
  comparison and blocking.
"""

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from sightline.linkage.nicknames import formal_names, known, near_formal_names
from sightline.linkage.prebirth import is_unborn
from sightline.people import normalise

_GENERATION_WORDS = {
    "jr": "junior",
    "jnr": "junior",
    "junior": "junior",
    "sr": "senior",
    "snr": "senior",
    "senior": "senior",
    "ii": "junior",
    "iii": "junior",
}
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_POSTCODE_IN_TEXT = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}\b", re.IGNORECASE)

# The columns handed to the model, in order (``unique_id`` first).
COLUMNS = (
    "unique_id",
    "given",
    "given1",
    "given_formal",
    "given_near",
    "given_initial",
    "family",
    "family_initial",
    "family_parts",
    "family_formal",
    "given_names",
    "family_names",
    "name_keys",
    "generation",
    "unborn",
    "dob",
    "dob_swapped",
    "sex",
    "nhs",
    "postcode",
    "district",
    "address",
    "address_words",
    "house",
    "street",
)
ARRAY_COLUMNS = frozenset(
    {
        "given_formal",
        "given_near",
        "family_parts",
        "family_formal",
        "given_names",
        "family_names",
        "name_keys",
        "address_words",
    }
)
NAME_KEY_SEPARATOR = "|"
# At most this many ``name_keys`` per record (a record with many aliases).
MAX_NAME_KEYS = 16


class IdentityRecord(NamedTuple):
    """The identity fields of a person record as submitted (person-records format).

    A named tuple, not a frozen dataclass: a million of them are made to link a file,
    and each is a cache key (``_columns``); a tuple is made and hashed in C."""

    given_name: str = ""
    family_name: str = ""
    other_names: str = ""
    date_of_birth: str | dt.date | None = None
    sex: str = ""
    nhs_number: str = ""
    address: str = ""
    postcode: str = ""


@dataclass
class Problems:
    """What normalisation had to drop, counted (reported, never silent)."""

    invalid_nhs_numbers: int = 0
    invalid_dates_of_birth: int = 0
    invalid_postcodes: int = 0
    unmatchable: int = 0
    unmatchable_lines: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "invalid_nhs_numbers": self.invalid_nhs_numbers,
            "invalid_dates_of_birth": self.invalid_dates_of_birth,
            "invalid_postcodes": self.invalid_postcodes,
            "unmatchable": self.unmatchable,
        }


_NON_LETTER = re.compile(r"[^a-z0-9 ]+")


def name_key(text: str) -> str:
    """``people.normalise.name_key``, with a fast path for plain ASCII text (most of it):
    the same result, without the Unicode decomposition (a test holds the two equal)."""
    if text.isascii():
        lowered = text.lower().replace("-", " ").replace("'", "")
        return " ".join(_NON_LETTER.sub(" ", lowered).split())
    return normalise.name_key(text)


@lru_cache(maxsize=262144)
def _name(text: str) -> tuple[str, str | None]:
    """(normalised name without generation words, generation or None)."""
    words = name_key(text).split()
    generation = None
    kept: list[str] = []
    for word in words:
        if word in _GENERATION_WORDS and kept:
            generation = _GENERATION_WORDS[word]
        else:
            kept.append(word)
    return " ".join(kept), generation


_UK_OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_OTHER_POSTCODE = re.compile(r"^(?=.*[0-9])[A-Z0-9]{3,10}$")


@lru_cache(maxsize=65536)
def _postcode(text: str) -> tuple[str | None, str | None]:
    """(postcode, UK postcode district).

    A valid UK postcode: ``LS1 4AP`` form and its outward code. A UK outward code alone
    (``LS1``): no postcode, but the district. Another country's postcode (3 to 10 letters
    and digits with at least one digit: ``2600``, ``75008``, ``D02 X285``): capitals
    without spaces or hyphens, compared exactly, no district. Anything else: neither.
    """
    compact = "".join(text.upper().replace("-", " ").split())
    if not compact:
        return None, None
    if normalise.is_valid_postcode(compact):
        code = normalise.postcode(compact)
        return code, code.split(" ", 1)[0]
    if _UK_OUTWARD.match(compact):
        return None, compact
    return (compact, None) if _OTHER_POSTCODE.match(compact) else (None, None)


def _nhs(text: str) -> str | None:
    """Ten digits passing the modulus-11 check (as ``normalise.is_valid_nhs_number``)."""
    digits = "".join(text.split())
    if len(digits) != 10 or not digits.isdigit():
        return None
    return digits if normalise.nhs_check_digit(digits[:9]) == int(digits[9]) else None


def parse_date_of_birth(value: str | dt.date | None) -> dt.date | None:
    """A date from ``YYYY-MM-DD`` or ``DD/MM/YYYY``; None when blank or not a real date."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    text = value.strip()
    if not text:
        return None
    try:
        match = _UK_DATE.match(text)
        if match:
            return dt.date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def swapped_date(day: dt.date) -> dt.date | None:
    """``day`` with day and month exchanged, when that is another valid date."""
    if day.day == day.month or day.day > 12:
        return None
    return dt.date(day.year, day.day, day.month)


def _words(*texts: str) -> list[str]:
    seen: list[str] = []
    for text in texts:
        for word in _name(text)[0].split():
            if word not in seen:
                seen.append(word)
    return seen


def _alias_names(other_names: str) -> list[tuple[str, str]]:
    """(first given name, family name) of each alias; a one-word alias is a previous
    family name (given name "")."""
    names: list[tuple[str, str]] = []
    for alias in other_names.split(";") if other_names else []:
        words = _name(alias)[0].split()
        if len(words) == 1:
            names.append(("", words[0]))
        elif words:
            names.append((words[0], words[-1]))
    return names


def name_keys(given1: str, family: str, other_names: str) -> list[str]:
    """``given|family`` for the record's main name and every name it is also known by:
    each alias, and the main given name with each previous family name. Blocking on them
    lets either record's aliases meet the other's main name."""
    givens = [given1] if given1 else []
    families = [family] if family else []
    for alias_given, alias_family in _alias_names(other_names):
        if alias_given and alias_given not in givens:
            givens.append(alias_given)
        if alias_family not in families:
            families.append(alias_family)
    keys = [f"{g}{NAME_KEY_SEPARATOR}{f}" for g in givens for f in families]
    return keys[:MAX_NAME_KEYS]


def _aliases(other_names: str) -> tuple[list[str], list[str]]:
    """Given-name words and family-name words of the aliases ("Jay Smith; Amy Okafor"):
    the last word of each alias is its family name; a one-word alias counts as both."""
    given: list[str] = []
    family: list[str] = []
    for alias in other_names.split(";") if other_names else []:
        words = _name(alias)[0].split()
        if len(words) == 1:
            given.extend(words)
            family.extend(words)
        elif words:
            given.extend(words[:-1])
            family.append(words[-1])
    return given, family


def has_identity(record: IdentityRecord) -> bool:
    """Whether the record has anything to match on: a name, date of birth or NHS number
    (by the per-field functions, as ``normalising.normalise`` reads it for a batch)."""
    return (
        has_name(record.given_name)
        or has_name(record.family_name)
        or date_of_birth_columns(record.date_of_birth)[0]["dob"] is not None
        or nhs_number_columns(record.nhs_number)[0]["nhs"] is not None
    )


def features(
    record: IdentityRecord, unique_id: int, problems: Problems | None = None
) -> dict[str, Any]:
    """The model's input columns for ``record`` (blank values are None)."""
    columns, (bad_nhs, bad_dob, bad_postcode) = _columns(record)
    if problems is not None:
        problems.invalid_nhs_numbers += bad_nhs
        problems.invalid_dates_of_birth += bad_dob
        problems.invalid_postcodes += bad_postcode
    row = dict(columns)
    row["unique_id"] = unique_id
    return row


# Agencies often hold identical records: normalise each distinct record once (among the
# last 65,536 distinct records: a quarter of a million cached rows held about 0.3 GB per
# 100,000 records while a batch was normalised, and Python keeps that memory).
@lru_cache(maxsize=1 << 16)
def _columns(record: IdentityRecord) -> tuple[dict[str, Any], tuple[int, int, int]]:
    # Each field's columns come from a function of that field alone (cached: a million
    # records hold tens of thousands of distinct names and dates). A batch
    # (``normalising.normalise``) calls the same functions once per distinct value.
    dob, bad_dob = date_of_birth_columns(record.date_of_birth)
    nhs, bad_nhs = nhs_number_columns(record.nhs_number)
    postcode, bad_postcode = postcode_columns(record.postcode)
    columns = {
        "unique_id": None,
        **given_name_columns(record.given_name),
        **family_name_columns(record.family_name),
        **name_columns(record.given_name, record.family_name, record.other_names),
        **dob,
        **sex_columns(record.sex),
        **nhs,
        **postcode,
        **address_columns(record.address),
    }
    return {name: columns[name] for name in COLUMNS}, (bad_nhs, bad_dob, bad_postcode)


# The columns each field alone decides (``name_columns`` reads three fields).
GIVEN_NAME_COLUMNS = ("given", "given1", "given_formal", "given_near", "given_initial", "unborn")
FAMILY_NAME_COLUMNS = ("family", "family_initial", "family_parts", "family_formal")
NAME_COLUMNS = ("given_names", "family_names", "name_keys", "generation")
DATE_OF_BIRTH_COLUMNS = ("dob", "dob_swapped")
SEX_COLUMNS = ("sex",)
NHS_NUMBER_COLUMNS = ("nhs",)
POSTCODE_COLUMNS = ("postcode", "district")
ADDRESS_COLUMNS = ("address", "address_words", "house", "street")


@lru_cache(maxsize=1 << 16)
def given_name_columns(given_name: str) -> dict[str, Any]:
    """The given name's columns (``GIVEN_NAME_COLUMNS``)."""
    given, _generation, unborn, given1, given_formal, given_near = _given(given_name)
    return {
        "given": given or None,
        "given1": given1 or None,
        "given_formal": list(given_formal) if given_formal is not None else None,
        "given_near": list(given_near) if given_near is not None else None,
        "given_initial": given1[:1] or None,
        "unborn": "Y" if unborn else None,
    }


@lru_cache(maxsize=1 << 16)
def family_name_columns(family_name: str) -> dict[str, Any]:
    """The family name's columns (``FAMILY_NAME_COLUMNS``)."""
    family, _generation, family_parts, family_formal = _family(family_name)
    return {
        "family": family or None,
        "family_initial": family[:1] or None,
        "family_parts": list(family_parts) if family_parts is not None else None,
        "family_formal": list(family_formal) if family_formal is not None else None,
    }


def name_columns(given_name: str, family_name: str, other_names: str) -> dict[str, Any]:
    """Every given-name and family-name word (aliases too), the names the record is
    known by (``name_keys``), and a generation word from either name."""
    given, given_gen, _unborn, given1, _formal, _near = _given(given_name)
    family, family_gen, _parts, _family_formal = _family(family_name)
    if other_names:
        alias_given, alias_family = _aliases(other_names)
        given_names = _words(given, *alias_given)
        family_names = _words(family, *alias_family)
    else:
        given_names, family_names = list(_words_of(given)), list(_words_of(family))
    keys = name_keys(given1, family, other_names)
    return {
        "given_names": given_names or None,
        "family_names": family_names or None,
        "name_keys": keys or None,
        "generation": given_gen or family_gen,
    }


def has_name(text: str) -> bool:
    """Whether a given or family name has a word (an unborn child's "Unborn" counts)."""
    return bool(_name(text)[0])


def date_of_birth_columns(value: str | dt.date | None) -> tuple[dict[str, Any], int]:
    """The date's columns, and 1 if a value was given that is not a date."""
    dob, swapped, bad = _date(value)
    return {"dob": dob, "dob_swapped": swapped}, bad


def sex_columns(sex: str) -> dict[str, Any]:
    """F or M; anything else is not known."""
    code = sex.strip().upper()
    return {"sex": code if code in ("F", "M") else None}


def nhs_number_columns(text: str) -> tuple[dict[str, Any], int]:
    """The NHS number's column, and 1 if a value was given that is not a valid number."""
    given = bool(text.strip())
    nhs = _nhs(text) if given else None
    return {"nhs": nhs}, int(given and nhs is None)


def postcode_columns(text: str) -> tuple[dict[str, Any], int]:
    """The postcode's columns, and 1 if a value was given that is not a postcode."""
    postcode, district = _postcode(text) if text else (None, None)
    return {"postcode": postcode, "district": district}, int(
        bool(text.strip()) and postcode is None
    )


def address_columns(text: str) -> dict[str, Any]:
    """The address line's columns (``ADDRESS_COLUMNS``; ``_address``)."""
    address, address_words, house, street = _address(text)
    return {"address": address, "address_words": address_words, "house": house, "street": street}


@lru_cache(maxsize=1 << 16)
def _given(
    given_name: str,
) -> tuple[str, str | None, bool, str, tuple[str, ...] | None, tuple[str, ...] | None]:
    """A given name's columns: (normalised name, generation, "Unborn" or "Baby", first
    given name, its formal names, its near formal names)."""
    given, generation = _name(given_name)
    # "Unborn", "Baby": an expected child, the date of birth its expected date. The word
    # is not a name, so it is not compared as one.
    unborn = is_unborn(given)
    if unborn:
        given = ""
    given1 = given.split(" ", 1)[0] if given else ""
    first_written = given_name.split(None, 1)[0] if given else ""
    if "-" in first_written.strip("-"):
        # A hyphenated given name is one name (Lee-Anne: "leeanne", as Leanne is written).
        joined = "".join(_name(first_written)[0].split())
        given1 = joined or given1
    if not given1:
        return given, generation, unborn, given1, None, None
    return (
        given,
        generation,
        unborn,
        given1,
        tuple(formal_names(given1)),
        tuple(near_formal_names(given1)) or None,
    )


@lru_cache(maxsize=1 << 16)
def _family(
    family_name: str,
) -> tuple[str, str | None, tuple[str, ...] | None, tuple[str, ...] | None]:
    """A family name's columns: (normalised name, generation, its words, the formal names
    of those words the name dataset knows as given names)."""
    family, generation = _name(family_name)
    if not family:
        return family, generation, None, None
    parts = tuple(family.split())
    formal = sorted({name for part in parts if known(part) for name in formal_names(part)})
    return family, generation, parts, tuple(formal) or None


@lru_cache(maxsize=1 << 16)
def _words_of(text: str) -> tuple[str, ...]:
    """``_words(text)`` of one name."""
    return tuple(_words(text))


@lru_cache(maxsize=1 << 16)
def _date(value: str | dt.date | None) -> tuple[str | None, str | None, int]:
    """(ISO date of birth, the same with day and month swapped, 1 if given but not a
    date)."""
    dob = parse_date_of_birth(value)
    if dob is None:
        return None, None, int(value not in (None, ""))
    swapped = swapped_date(dob)
    return dob.isoformat(), swapped.isoformat() if swapped else None, 0


_DIGIT = re.compile(r"\d")


@lru_cache(maxsize=1 << 17)
def _address(text: str) -> tuple[str | None, list[str] | None, str | None, str | None]:
    """(normalised line without any postcode, its distinct words, the house number, the
    street: the first word without digits after the house number, or the line's first
    word without digits when there is no house number)."""
    if not text:
        return None, None, None, None
    address = name_key(_POSTCODE_IN_TEXT.sub(" ", text))
    if not address:
        return None, None, None, None
    words = address.split()
    at = next((index for index, word in enumerate(words[:3]) if _DIGIT.search(word)), None)
    house = words[at] if at is not None else None
    after = words[at + 1 :] if at is not None else words
    street = next((word for word in after if not _DIGIT.search(word)), None)
    return address, sorted(set(words)), house, street


def blocking_keys(row: dict[str, Any]) -> list[str]:
    """The index keys a record is stored under for real-time candidate retrieval: one per
    batch blocking rule (``comparisons.BLOCKING_RULES``), in the same fields."""
    keys: list[str] = []
    given1, family, dob = row["given1"], row["family"], row["dob"]
    postcode = row["postcode"]
    if row["nhs"]:
        keys.append(f"n:{row['nhs']}")
    if dob and family:
        keys.append(f"dfi:{dob}|{family[0]}")
    if dob and given1:
        keys.append(f"dgi:{dob}|{given1[0]}")
    if dob and row["house"]:
        keys.append(f"dh:{dob}|{row['house']}")
    # The main name and every alias (``name_keys``): either record's aliases meet the
    # other's main name.
    keys.extend(f"gf:{key}" for key in row.get("name_keys") or ())
    if row["address"]:
        keys.append(f"a:{row['address']}"[:200])
    if postcode and given1:
        keys.append(f"pg:{postcode}|{given1}")
    if postcode and dob:
        keys.append(f"pd:{postcode}|{dob}")
    return keys


def query_keys(row: dict[str, Any]) -> list[str]:
    """The keys to look up for a new record: its own keys, plus the swapped forms that
    the batch rules also find (given and family exchanged; day and month exchanged)."""
    keys = blocking_keys(row)
    given1, family = row["given1"], row["family"]
    if given1 and family:
        keys.append(f"gf:{family}|{given1}")
    if row["dob_swapped"] and family:
        keys.append(f"dfi:{row['dob_swapped']}|{family[0]}")
    return keys


def clear_caches() -> None:
    """Empty the normalisation caches: after a batch, they hold the columns of every
    distinct record it normalised (up to a quarter of a million rows' worth)."""
    for cached in (
        _columns,
        _address,
        _name,
        _postcode,
        _given,
        _family,
        _words_of,
        _date,
        given_name_columns,
        family_name_columns,
    ):
        cached.cache_clear()


def feature_rows(
    records: Iterable[IdentityRecord], problems: Problems | None = None
) -> list[dict[str, Any]]:
    return [features(record, index, problems) for index, record in enumerate(records)]


def identity_fingerprint(record: IdentityRecord) -> str:
    """A hash of the identity fields as submitted: changes whenever the evidence does."""
    dob = record.date_of_birth
    parts = [
        record.given_name,
        record.family_name,
        record.other_names,
        dob.isoformat() if isinstance(dob, dt.date) else (dob or ""),
        record.sex,
        record.nhs_number,
        record.address,
        record.postcode,
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def evidence_key(left: IdentityRecord, right: IdentityRecord) -> str:
    """The evidence a decision about the pair (left, right) was taken on, as one hash."""
    pair = "|".join(sorted((identity_fingerprint(left), identity_fingerprint(right))))
    return hashlib.sha256(pair.encode()).hexdigest()
