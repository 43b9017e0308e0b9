"""The linkage model's comparisons, each level written twice side by side: as SQL for
Splink (batch) and as Python (real-time scoring and explanations). Pure: no Django, no
Splink import. A test scores the same pairs both ways and requires equal weights.

Order matters: a pair takes the first level whose condition holds, as in SQL ``CASE``.

Twins, siblings and relatives who share a name are handled twice over:
- by the model (a different given name, a different date of birth weigh against), and
- by ``guard``: a pair that looks like two children of one family (family name agrees,
  given names differ beyond a typo or nickname), like a parent and child sharing a
  name (names agree, dates of birth far apart, or junior against senior), or whose sexes
  differ while the given names are not the same, is never linked automatically unless
  the NHS numbers agree. It goes to review if its probability
  reaches the review threshold, and clustering will not join it through a third record.
"""

import datetime as dt
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import jellyfish

from sightline.linkage import nicknames
from sightline.linkage.rows import column_of

Row = Mapping[str, Any]


def damerau_levenshtein(a: str, b: str) -> int:
    """Unrestricted Damerau-Levenshtein distance, as DuckDB's ``damerau_levenshtein``
    (``jellyfish``'s, compiled: the guard's reasons for review and real-time scoring
    compare tens of thousands of pairs of names in a batch)."""
    distance: int = jellyfish.damerau_levenshtein_distance(a, b)
    return distance


def _eq(left: Any, right: Any) -> bool:
    return left is not None and right is not None and left == right


def _within(left: str | None, right: str | None, distance: int, min_length: int = 0) -> bool:
    if left is None or right is None:
        return False
    if min_length and (len(left) < min_length or len(right) < min_length):
        return False
    if abs(len(left) - len(right)) > distance:
        return False
    return damerau_levenshtein(left, right) <= distance


def _overlap(left: Sequence[str] | None, right: Sequence[str] | None) -> bool:
    return left is not None and right is not None and bool(set(left) & set(right))


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _shared(left: Sequence[str] | None, right: Sequence[str] | None) -> int:
    if left is None or right is None:
        return 0
    return len(set(left) & set(right))


def _alike(left: Sequence[str] | None, right: Sequence[str] | None) -> bool:
    """At least half the words of two address lines shared (of their union), as the SQL
    ``3 * shared >= words_l + words_r`` (the lists hold distinct words)."""
    if left is None or right is None:
        return False
    return 3 * _shared(left, right) >= len(left) + len(right)


def _swapped(left: Row, right: Row) -> bool:
    """Given and family names exchanged, each within one edit, the given name one part of
    a double-barrelled family name, or a form of the name ("Rogers Andrea" against "Drea
    Rogers": Andrea, in the family-name field, is the name Drea stands for)."""
    return _crosses(left, right) and _crosses(right, left)


def _crosses(row: Row, other: Row) -> bool:
    """``row``'s given name written as ``other``'s family name (see ``_swapped``)."""
    return (
        _within(row["given1"], other["family"], 1)
        or _contains(other["family_parts"], row["given1"])
        # ``get``: a real-time index row written before the column existed has none
        # (the next ``link`` run rewrites the index).
        or _overlap(row["given_formal"], other.get("family_formal"))
    )


def _crossed(left: Row, right: Row) -> bool:
    """One record's given name in the other's family name field, within one edit."""
    return (
        _within(left["given1"], right["family"], 1)
        or _within(left["family"], right["given1"], 1)
        or _contains(right["family_parts"], left["given1"])
        or _contains(left["family_parts"], right["given1"])
    )


def _contains(items: Sequence[str] | None, item: str | None) -> bool:
    return items is not None and item is not None and item in items


def _prefix(left: str | None, right: str | None) -> bool:
    if not left or not right or left == right:
        return False
    return left.startswith(right) or right.startswith(left)


@dataclass(frozen=True)
class Level:
    key: str
    sql: str
    test: Callable[[Row, Row], bool]
    # What a practitioner reads in the explanation.
    explanation: str
    is_null: bool = False
    # Term-frequency adjustment (Splink's): agreeing on a rare value counts for more
    # than on a common one. The column whose value frequencies adjust this level.
    tf_column: str | None = None


@dataclass(frozen=True)
class Comparison:
    name: str
    description: str
    levels: tuple[Level, ...]

    def level_index(self, left: Row, right: Row) -> int:
        for index, level in enumerate(self.levels):
            if level.test(left, right):
                return index
        raise AssertionError("the last level of every comparison is ELSE")


def _null(*columns: str) -> Callable[[Row, Row], bool]:
    return lambda a, b: any(a[c] is None or b[c] is None for c in columns)


def _else(_l: Row, _r: Row) -> bool:
    return True


# Given and family names exchanged, each within one edit, the given name one part of a
# double-barrelled family name, or a form of the name in the other field (``_swapped``;
# the blocking rule for swaps needs them exact; other rules find the rest).
_SWAPPED_SQL = (
    '((abs(length("given1_l") - length("family_r")) <= 1 '
    'AND damerau_levenshtein("given1_l", "family_r") <= 1) '
    'OR list_contains("family_parts_r", "given1_l") '
    'OR coalesce(list_has_any("given_formal_l", "family_formal_r"), false)) '
    'AND ((abs(length("family_l") - length("given1_r")) <= 1 '
    'AND damerau_levenshtein("family_l", "given1_r") <= 1) '
    'OR list_contains("family_parts_l", "given1_r") '
    'OR coalesce(list_has_any("family_formal_l", "given_formal_r"), false))'
)
# One record's given name in the other's family name field (within one edit, or one
# part of a double-barrelled name), the other names differing.
_CROSSED_SQL = (
    '(abs(length("given1_l") - length("family_r")) <= 1 '
    'AND damerau_levenshtein("given1_l", "family_r") <= 1) '
    'OR (abs(length("family_l") - length("given1_r")) <= 1 '
    'AND damerau_levenshtein("family_l", "given1_r") <= 1) '
    'OR list_contains("family_parts_r", "given1_l") '
    'OR list_contains("family_parts_l", "given1_r")'
)
# One date of birth is 1 January and the other in the same year, or one is the 1st of a
# month and the other in the same month (dates are ISO ``YYYY-MM-DD``).
_PLACEHOLDER_SQL = (
    '(substr("dob_l", 1, 4) = substr("dob_r", 1, 4) '
    "AND (substr(\"dob_l\", 6, 5) = '01-01' OR substr(\"dob_r\", 6, 5) = '01-01')) "
    'OR (substr("dob_l", 1, 7) = substr("dob_r", 1, 7) '
    "AND (substr(\"dob_l\", 9, 2) = '01' OR substr(\"dob_r\", 9, 2) = '01'))"
)


def _placeholder(left: Row, right: Row) -> bool:
    a, b = left["dob"], right["dob"]
    return (a[:4] == b[:4] and "01-01" in (a[5:], b[5:])) or (
        a[:7] == b[:7] and "01" in (a[8:], b[8:])
    )


# Address lines alike: at least half of all their words shared.
_ALIKE_SQL = (
    '3 * length(list_intersect("address_words_l", "address_words_r")) '
    '>= length("address_words_l") + length("address_words_r")'
)
# A house number on only one of the two lines (two different numbers are neighbours).
_ONE_HOUSE_SQL = '("house_l" IS NULL) <> ("house_r" IS NULL)'

GIVEN = Comparison(
    name="given_name",
    description="Given name",
    levels=(
        Level(
            "missing",
            '"given1_l" IS NULL OR "given1_r" IS NULL',
            _null("given1"),
            "given name missing on one record",
            is_null=True,
        ),
        Level(
            "exact",
            '"given_l" = "given_r"',
            lambda a, b: _eq(a["given"], b["given"]),
            "given name agrees",
            tf_column="given1",
        ),
        Level(
            "first",
            '"given1_l" = "given1_r"',
            lambda a, b: _eq(a["given1"], b["given1"]),
            "first given name agrees",
            tf_column="given1",
        ),
        Level(
            "nickname",
            'list_has_any("given_formal_l", "given_formal_r")',
            lambda a, b: _overlap(a["given_formal"], b["given_formal"]),
            "given names agree as a nickname or short form",
        ),
        Level(
            "swapped",
            _SWAPPED_SQL,
            _swapped,
            "given and family names swapped",
        ),
        Level(
            "alias",
            'list_contains("given_names_r", "given1_l") '
            'OR list_contains("given_names_l", "given1_r")',
            lambda a, b: (
                _contains(b["given_names"], a["given1"]) or _contains(a["given_names"], b["given1"])
            ),
            "given name is among the other record's names or aliases",
        ),
        Level(
            "typo",
            'abs(length("given1_l") - length("given1_r")) <= 1 '
            'AND damerau_levenshtein("given1_l", "given1_r") <= 1',
            lambda a, b: _within(a["given1"], b["given1"], 1),
            "given name differs by one letter",
        ),
        Level(
            "near",
            'length("given1_l") >= 5 AND length("given1_r") >= 5 '
            'AND abs(length("given1_l") - length("given1_r")) <= 2 '
            'AND damerau_levenshtein("given1_l", "given1_r") <= 2',
            lambda a, b: _within(a["given1"], b["given1"], 2, min_length=5),
            "given name differs by two letters",
        ),
        Level(
            # A nickname with a slip (Nicolq for Nicky's Nicola, Edwward for Ed's
            # Edward): a name the dataset does not know, one letter from one it does.
            "nickname_typo",
            'list_has_any("given_near_l", "given_formal_r") '
            'OR list_has_any("given_near_r", "given_formal_l")',
            lambda a, b: (
                _overlap(a.get("given_near"), b["given_formal"])
                or _overlap(b.get("given_near"), a["given_formal"])
            ),
            "given names agree as a nickname or short form, one of them mistyped",
        ),
        Level(
            "prefix",
            'starts_with("given1_l", "given1_r") OR starts_with("given1_r", "given1_l")',
            lambda a, b: _prefix(a["given1"], b["given1"]),
            "one given name is an initial or shortening of the other",
        ),
        Level(
            "crossed",
            _CROSSED_SQL,
            _crossed,
            "given name written as the other record's family name",
        ),
        Level("else", "ELSE", _else, "given names differ"),
    ),
)

FAMILY = Comparison(
    name="family_name",
    description="Family name",
    levels=(
        Level(
            "missing",
            '"family_l" IS NULL OR "family_r" IS NULL',
            _null("family"),
            "family name missing on one record",
            is_null=True,
        ),
        Level(
            "exact",
            '"family_l" = "family_r"',
            lambda a, b: _eq(a["family"], b["family"]),
            "family name agrees",
            tf_column="family",
        ),
        Level(
            "swapped",
            _SWAPPED_SQL,
            _swapped,
            "given and family names swapped",
        ),
        Level(
            "part",
            'list_has_any("family_parts_l", "family_parts_r")',
            lambda a, b: _overlap(a["family_parts"], b["family_parts"]),
            "family names share a part (double-barrelled name)",
        ),
        Level(
            "alias",
            'list_has_any("family_parts_l", "family_names_r") '
            'OR list_has_any("family_parts_r", "family_names_l")',
            lambda a, b: (
                _overlap(a["family_parts"], b["family_names"])
                or _overlap(b["family_parts"], a["family_names"])
            ),
            "family name is among the other record's previous names or aliases",
        ),
        Level(
            "typo",
            'abs(length("family_l") - length("family_r")) <= 1 '
            'AND damerau_levenshtein("family_l", "family_r") <= 1',
            lambda a, b: _within(a["family"], b["family"], 1),
            "family name differs by one letter",
        ),
        Level(
            "near",
            'length("family_l") >= 5 AND length("family_r") >= 5 '
            'AND abs(length("family_l") - length("family_r")) <= 2 '
            'AND damerau_levenshtein("family_l", "family_r") <= 2',
            lambda a, b: _within(a["family"], b["family"], 2, min_length=5),
            "family name differs by two letters",
        ),
        Level("else", "ELSE", _else, "family names differ"),
    ),
)

DATE_OF_BIRTH = Comparison(
    name="date_of_birth",
    description="Date of birth",
    levels=(
        Level(
            "missing",
            '"dob_l" IS NULL OR "dob_r" IS NULL',
            _null("dob"),
            "date of birth missing on one record",
            is_null=True,
        ),
        Level(
            "exact",
            '"dob_l" = "dob_r"',
            lambda a, b: _eq(a["dob"], b["dob"]),
            "date of birth agrees",
        ),
        Level(
            "swapped",
            '"dob_swapped_l" = "dob_r"',
            lambda a, b: _eq(a["dob_swapped"], b["dob"]),
            "date of birth has day and month swapped",
        ),
        Level(
            "typo",
            # Dates are valid ISO dates, so one edit leaves two of year, month, day equal.
            '(substr("dob_l", 1, 7) = substr("dob_r", 1, 7) '
            'OR substr("dob_l", 6, 5) = substr("dob_r", 6, 5) '
            'OR (substr("dob_l", 1, 4) = substr("dob_r", 1, 4) '
            'AND substr("dob_l", 9, 2) = substr("dob_r", 9, 2))) '
            'AND damerau_levenshtein("dob_l", "dob_r") <= 1',
            lambda a, b: _within(a["dob"], b["dob"], 1),
            "date of birth differs by one digit",
        ),
        Level(
            # 1 January, or the 1st of the month, written when only the year (or the
            # year and month) was known: the other date in that year (month).
            "placeholder",
            _PLACEHOLDER_SQL,
            _placeholder,
            "date of birth is a placeholder (1 January or the 1st of the month) in the "
            "same year or month",
        ),
        Level(
            "close",
            'abs(date_diff(\'day\', CAST("dob_l" AS DATE), CAST("dob_r" AS DATE))) <= 7',
            lambda a, b: abs((_date(a["dob"]) - _date(b["dob"])).days) <= 7,
            "date of birth within a week",
        ),
        Level(
            "year",
            'substr("dob_l", 1, 4) = substr("dob_r", 1, 4)',
            lambda a, b: a["dob"][:4] == b["dob"][:4],
            "date of birth in the same year",
        ),
        Level("else", "ELSE", _else, "date of birth differs"),
    ),
)


def _day_month_swapped(date: str) -> str | None:
    """An ISO date with day and month exchanged, when that is another valid date (as
    ``features.swapped_date``)."""
    month, day = date[5:7], date[8:10]
    if day == month or int(day) > 12:
        return None
    return f"{date[:4]}-{day}-{month}"


def date_level(left: str, right: str) -> str:
    """The date-of-birth level of two ISO dates ("exact", "swapped", "typo", ...)."""
    rows = [{"dob": date, "dob_swapped": _day_month_swapped(date)} for date in (left, right)]
    index = DATE_OF_BIRTH.level_index(rows[0], rows[1])
    return DATE_OF_BIRTH.levels[index].key


def dates_apart(left: str, right: str) -> bool:
    """Two dates of birth that are not one date mistyped: none of the date-of-birth
    levels but "different" holds (not the same, swapped, a digit, a placeholder, within
    a week or in the same year). One person has one date of birth: clustering keeps
    records whose dates are apart out of one person (``clustering.cluster``)."""
    return date_level(left, right) == "else"


SEX = Comparison(
    name="sex",
    description="Sex",
    levels=(
        Level(
            "missing",
            '"sex_l" IS NULL OR "sex_r" IS NULL',
            _null("sex"),
            "sex missing or not known on one record",
            is_null=True,
        ),
        Level("exact", '"sex_l" = "sex_r"', lambda a, b: _eq(a["sex"], b["sex"]), "sex agrees"),
        Level("else", "ELSE", _else, "sex differs"),
    ),
)

NHS_NUMBER = Comparison(
    name="nhs_number",
    description="NHS number",
    levels=(
        Level(
            "missing",
            '"nhs_l" IS NULL OR "nhs_r" IS NULL',
            _null("nhs"),
            "NHS number missing (or invalid) on one record",
            is_null=True,
        ),
        Level(
            "exact", '"nhs_l" = "nhs_r"', lambda a, b: _eq(a["nhs"], b["nhs"]), "NHS number agrees"
        ),
        Level("else", "ELSE", _else, "NHS number differs"),
    ),
)

ADDRESS = Comparison(
    name="address",
    description="Address",
    levels=(
        Level(
            "missing",
            '("postcode_l" IS NULL OR "postcode_r" IS NULL) '
            'AND ("address_l" IS NULL OR "address_r" IS NULL)',
            lambda a, b: (
                (a["postcode"] is None or b["postcode"] is None)
                and (a["address"] is None or b["address"] is None)
            ),
            "address missing on one record",
            is_null=True,
        ),
        Level(
            "exact",
            '"postcode_l" = "postcode_r" AND "address_l" = "address_r"',
            lambda a, b: _eq(a["postcode"], b["postcode"]) and _eq(a["address"], b["address"]),
            "same address",
        ),
        Level(
            "similar_postcode",
            f'"postcode_l" = "postcode_r" AND {_ALIKE_SQL} '
            f'AND ("house_l" = "house_r" OR {_ONE_HOUSE_SQL} '
            'OR ("house_l" IS NULL AND "house_r" IS NULL))',
            lambda a, b: (
                _eq(a["postcode"], b["postcode"])
                and _alike(a["address_words"], b["address_words"])
                and (a["house"] is None or b["house"] is None or a["house"] == b["house"])
            ),
            "same postcode, address line mostly the same words, house number not different",
        ),
        Level(
            # The same house by postcode and number, the line mistyped (words split or
            # run together) or written differently.
            "postcode_house",
            '"postcode_l" = "postcode_r" AND "house_l" = "house_r"',
            lambda a, b: _eq(a["postcode"], b["postcode"]) and _eq(a["house"], b["house"]),
            "same postcode and house number, address line differs",
        ),
        Level(
            "postcode",
            '"postcode_l" = "postcode_r"',
            lambda a, b: _eq(a["postcode"], b["postcode"]),
            "same postcode",
        ),
        Level(
            "line",
            '"address_l" = "address_r"',
            lambda a, b: _eq(a["address"], b["address"]),
            "same address line, postcode differs or missing",
        ),
        Level(
            "similar",
            'length(list_intersect("address_words_l", "address_words_r")) >= 3 '
            f'AND ("house_l" = "house_r" OR ({_ONE_HOUSE_SQL} AND {_ALIKE_SQL}))',
            lambda a, b: (
                _shared(a["address_words"], b["address_words"]) >= 3
                and (
                    _eq(a["house"], b["house"])
                    or (
                        (a["house"] is None) != (b["house"] is None)
                        and _alike(a["address_words"], b["address_words"])
                    )
                )
            ),
            "similar address: three or more words shared, and the house number (or, when "
            "one line has none, half the words)",
        ),
        Level(
            # The same house number, the postcode mistyped.
            "house_postcode_typo",
            '"house_l" = "house_r" AND abs(length("postcode_l") - length("postcode_r")) <= 1 '
            'AND damerau_levenshtein("postcode_l", "postcode_r") <= 1',
            lambda a, b: _eq(a["house"], b["house"]) and _within(a["postcode"], b["postcode"], 1),
            "same house number, postcode differs by one character",
        ),
        Level(
            # The street and town with the house number or postcode mistyped (as FEBRL4
            # does; such pairs fell to "else"). On the demo data about as weak as "else".
            "street",
            'length(list_intersect("address_words_l", "address_words_r")) >= 3',
            lambda a, b: _shared(a["address_words"], b["address_words"]) >= 3,
            "three or more words of the address shared, house number or postcode differs",
        ),
        Level(
            "district",
            '"district_l" = "district_r"',
            lambda a, b: _eq(a["district"], b["district"]),
            "same postcode district",
        ),
        Level("else", "ELSE", _else, "different address"),
    ),
)

COMPARISONS: tuple[Comparison, ...] = (GIVEN, FAMILY, DATE_OF_BIRTH, SEX, NHS_NUMBER, ADDRESS)
_NAMED = {comparison.name: comparison for comparison in COMPARISONS}

# Batch blocking rules: the pairs the model scores. Real-time retrieval uses the same
# pairs of fields as index keys (``features.blocking_keys`` / ``features.query_keys``)
# for the first ten; the rest, added for recall when a name and a date of birth are both
# corrupted (FEBRL4: 110 of 126 true pairs the first ten missed), are batch only. On the
# 100,000-record demo data they add about 108,000 pairs to 744,000 (mostly members of
# one household, which the guards then hold apart).
# The rules on a shared address or postcode (a household, a block of flats, a hostel)
# skip pairs that look like two members of one household: a UK postcode (with a district)
# and given names with different initials and dates of birth in different years, both
# present. Such pairs are siblings or parent and child; the model scores them low and the
# guard holds them apart, yet they were most of the pairs scored (at 100,000 records of
# the independent corpus the address rule blocked 181,748 pairs, 5,055 of them true;
# with this condition 50,753 and 5,037). A record of the same person with a changed name
# *and* a changed year of birth at one address is what is given up (23 true pairs of
# 76,776 there, 4 of 98,133 on the demo data). Postcodes without a district (FEBRL4's)
# keep the rules as they were. A filter evaluated after the hash join on the equality
# columns, so it costs nothing in the join itself.
NOT_A_SIBLING = (
    ' AND (l."district" IS NULL OR l."given_initial" = r."given_initial"'
    ' OR substr(l."dob", 1, 4) = substr(r."dob", 1, 4)'
    ' OR l."dob" IS NULL OR r."dob" IS NULL OR l."given1" IS NULL OR r."given1" IS NULL)'
)

# Rules whose keys do not grow with the data (a date of birth, a house number, a pair of
# names) block pairs that grow with its square: at 100,000 and 200,000 records of the
# independent corpus the pairs of these rules that are not one person grew 3.5 to 4.1
# times for twice the records. Each such rule that found few true pairs for many false
# ones is held to records that could be one person on another field read after the hash
# join: the same or an unknown sex, the same or an unknown postcode district
# (``SAME_SEX``, ``SAME_DISTRICT``).
NOT_STRANGERS = (
    ' AND (l."sex" IS NULL OR r."sex" IS NULL OR l."sex" = r."sex" OR l."family" = r."family"'
    ' OR l."postcode" = r."postcode" OR l."given1" = r."given1")'
)
SAME_SEX = ' AND (l."sex" IS NULL OR r."sex" IS NULL OR l."sex" = r."sex")'
SAME_DISTRICT = ' AND (l."district" IS NULL OR r."district" IS NULL OR l."district" = r."district")'
# Two different NHS numbers are two people: clustering never joins them (``clustering``),
# so no rule but the number's own blocks such a pair. At 1,000,000 records of the
# independent corpus they were 1.6 million of the 6.5 million pairs blocked, none of them
# one person. Only valid numbers are kept (``features``), so a mistyped number is no
# number and still meets the other records.
ONE_NUMBER_AT_MOST = ' AND (l."nhs" IS NULL OR r."nhs" IS NULL OR l."nhs" = r."nhs")'
_RULES_AFTER_THE_NUMBER: tuple[str, ...] = (
    # Twins and siblings born on one day must meet here (and be guarded apart): a boy
    # and a girl meet when they share a family name, a postcode or a given name.
    'l."dob" = r."dob" AND l."family_initial" = r."family_initial"' + NOT_STRANGERS,
    # A family name changed (a previous name, a slip in its first letter): one date of
    # birth and one given initial, one sex (boy and girl twins meet in the rule above).
    'l."dob" = r."dob" AND l."given_initial" = r."given_initial"' + SAME_SEX,
    # A house number moves with the house: within one district.
    'l."dob" = r."dob" AND l."house" = r."house"' + SAME_DISTRICT,
    # Same names, dates of birth not far apart: the same year, or the same month and day
    # (a slip in the year), or one missing. Same names alone blocked 31.9 million pairs
    # at 1,000,000 records, nearly all namesakes born in different years (guarded, and
    # below the probability prediction keeps); these three find 1.3 million. As three
    # plain equality rules, not one rule with OR: DuckDB then joins on hashes (one rule
    # with OR took twice as long to predict as the 31.9 million pairs).
    # Every name a record is known by (main name, aliases, previous family names) against
    # every name of the other, born in the same year (``features.name_keys``, exploded by
    # Splink: one row per name). It holds the same-name pairs and adds the alias pairs.
    'l."name_keys" = r."name_keys" AND substr(l."dob", 1, 4) = substr(r."dob", 1, 4)',
    'l."given1" = r."given1" AND l."family" = r."family" '
    'AND substr(l."dob", 6, 5) = substr(r."dob", 6, 5)',
    'l."given1" = r."given1" AND l."family" = r."family" AND (l."dob" IS NULL OR r."dob" IS NULL)',
    'l."address" = r."address"' + NOT_A_SIBLING,
    'l."postcode" = r."postcode" AND l."given1" = r."given1"',
    'l."postcode" = r."postcode" AND l."dob" = r."dob"',
    # Names swapped: not narrowed by the dates of birth. FEBRL4 swaps names and mistypes
    # dates together: held to dates of birth a slip apart, 42 of its 250 pairs here went
    # and two-file recall fell 0.9902 -> 0.9894; the rule blocks about 1,200 pairs at
    # 100,000 records of the independent corpus, not worth it.
    'l."given1" = r."family" AND l."family" = r."given1"',
    'l."dob_swapped" = r."dob" AND l."family" = r."family"',
    'l."postcode" = r."postcode" AND l."given_initial" = r."given_initial"',
    'l."postcode" = r."postcode" AND l."family_initial" = r."family_initial"' + NOT_A_SIBLING,
    'l."postcode" = r."postcode" AND l."house" = r."house"' + NOT_A_SIBLING,
    # A street word is one street only within a district (3 true pairs of 20,398 at
    # 200,000 records of the independent corpus without this condition).
    'l."dob" = r."dob" AND l."street" = r."street"' + SAME_DISTRICT,
    # A UK postcode is one street (or part of one), so with a district this rule was
    # "same postcode": 250,184 pairs at 100,000 records of the independent corpus, 3 of
    # them true. Kept for postcodes without a district (another country's: FEBRL4).
    'l."district" IS NULL AND l."postcode" = r."postcode" AND l."street" = r."street"',
    # A street word is one street only within a district: "high" and "church" are in
    # every town, and without the district this rule blocked 2.2 million pairs at
    # 1,000,000 demo records. Where a postcode has no district (another country's, as
    # FEBRL4's), or one is missing, the rule stays as it was.
    'l."given1" = r."given1" AND l."street" = r."street" '
    'AND l."family_initial" = r."family_initial" '
    'AND (l."district" IS NULL OR r."district" IS NULL OR l."district" = r."district")',
)
BLOCKING_RULES: tuple[str, ...] = (
    'l."nhs" = r."nhs"',
    *(rule + ONE_NUMBER_AT_MOST for rule in _RULES_AFTER_THE_NUMBER),
)

# Array columns a blocking rule explodes (one row per element) before joining.
EXPLODED: dict[str, tuple[str, ...]] = {
    rule: ("name_keys",) for rule in BLOCKING_RULES if '"name_keys"' in rule
}


def blocking_rule(rule: str) -> dict[str, Any]:
    """One blocking rule as Splink settings."""
    entry: dict[str, Any] = {"blocking_rule": rule, "sql_dialect": "duckdb"}
    if rule in EXPLODED:
        entry["arrays_to_explode"] = list(EXPLODED[rule])
    return entry


# Training: blocking rules for expectation maximisation. Each leaves some comparisons free
# to be estimated; none has few distinct values (see shared/notes/splink5.md).
# Splink leaves out of each session every comparison whose SQL uses a column of the rule:
# the date-of-birth rule trains the names, the names rule trains date of birth.
TRAINING_RULES: tuple[str, ...] = (
    'l."dob" = r."dob"',
    'l."given1" = r."given1" AND l."family" = r."family"',
)
# Deterministic rules for estimating the share of pairs that match (with recall).
PRIOR_RULES: tuple[str, ...] = (
    'l."nhs" = r."nhs"',
    'l."given1" = r."given1" AND l."family" = r."family" AND l."dob" = r."dob"',
)


def settings_dict(*, link_type: str = "dedupe_only") -> dict[str, Any]:
    """Splink settings for an untrained model (m and u left for training)."""
    comparisons = []
    for comparison in COMPARISONS:
        levels = []
        for level in comparison.levels:
            entry: dict[str, Any] = {"sql_condition": level.sql, "label_for_charts": level.key}
            if level.is_null:
                entry["is_null_level"] = True
            if level.tf_column:
                # Each level adjusted against its own u (Splink otherwise looks for an
                # exact-match level on the column, which "given_name" has not).
                entry["tf_adjustment_column"] = level.tf_column
                entry["tf_adjustment_weight"] = TF_WEIGHT
                entry["disable_tf_exact_match_detection"] = True
            levels.append(entry)
        comparisons.append(
            {
                "output_column_name": comparison.name,
                "comparison_description": comparison.description,
                "comparison_levels": levels,
            }
        )
    return {
        "link_type": link_type,
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": 1e-6,
        "blocking_rules_to_generate_predictions": [blocking_rule(rule) for rule in BLOCKING_RULES],
        "comparisons": comparisons,
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
    }


# --- term frequencies -------------------------------------------------------------------

# How much of the term-frequency adjustment is applied (Splink's ``tf_adjustment_weight``).
TF_WEIGHT = 1.0
TF_COLUMNS: tuple[str, ...] = tuple(
    sorted({level.tf_column for c in COMPARISONS for level in c.levels if level.tf_column})
)
_TF_LEVEL_COLUMNS: dict[tuple[str, int], str] = {
    (c.name, index): level.tf_column
    for c in COMPARISONS
    for index, level in enumerate(c.levels)
    if level.tf_column
}
# Where a trained model keeps its term frequencies (taken out before Splink sees it).
TF_KEY = "sightline_term_frequencies"


@dataclass(frozen=True)
class TermFrequencies:
    """How often each value of the term-frequency columns occurs in the training records:
    ``totals`` the records with a value, ``counts`` the values seen more than once (a
    value not listed counts as seen once, as a value new to the data)."""

    totals: Mapping[str, int]
    counts: Mapping[str, Mapping[str, int]]

    @classmethod
    def of(cls, rows: Sequence[Row]) -> "TermFrequencies":
        totals: dict[str, int] = {}
        counts: dict[str, dict[str, int]] = {}
        for column in TF_COLUMNS:
            seen: dict[str, int] = {}
            for value in column_of(rows, column, keep=False):
                if value is not None:
                    seen[value] = seen.get(value, 0) + 1
            totals[column] = sum(seen.values())
            counts[column] = {value: n for value, n in seen.items() if n > 1}
        return cls(totals=totals, counts=counts)

    def as_dict(self) -> dict[str, Any]:
        return {"totals": dict(self.totals), "counts": {k: dict(v) for k, v in self.counts.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "TermFrequencies":
        return cls(totals=dict(data["totals"]), counts=dict(data["counts"]))

    def frequency(self, column: str, value: str | None) -> float | None:
        total = self.totals.get(column, 0)
        if value is None or not total:
            return None
        return self.counts.get(column, {}).get(value, 1) / total

    def columns(self, row: Row) -> dict[str, float | None]:
        """The ``tf_<column>`` values of ``row`` (Splink reads them from the input)."""
        return {f"tf_{column}": self.frequency(column, row[column]) for column in TF_COLUMNS}


def splink_settings(model: Mapping[str, Any]) -> dict[str, Any]:
    """A trained model as Splink settings (without Sightline's own keys)."""
    return {key: value for key, value in model.items() if key != TF_KEY}


# --- scoring with a trained model -------------------------------------------------------

# When training never saw a level (no pair fell in it), it is given these: the level then
# weighs neither for nor against, rather than failing.
UNOBSERVED = 1e-6


@dataclass(frozen=True)
class FieldEvidence:
    field: str
    level: str
    explanation: str
    weight: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "level": self.level,
            "explanation": self.explanation,
            "weight": round(self.weight, 2),
        }


@dataclass(frozen=True)
class PairScore:
    match_weight: float
    probability: float
    evidence: tuple[FieldEvidence, ...]
    # Why the pair must not be linked automatically (twins, siblings, namesakes), or "".
    guard: str

    @property
    def levels(self) -> dict[str, str]:
        return {item.field: item.level for item in self.evidence}


SIBLING_GUARD = "possible twins or siblings: same family, different given names"
TWIN_GUARD = "possible twins: same date of birth and sex, different given names"
SEX_GUARD = "recorded as different sexes"
NAMESAKE_GUARD = "possible relatives sharing a name: dates of birth far apart"
GENERATION_GUARD = "possible parent and child sharing a name: junior and senior"
# An unborn record joins its child by the household rule in a batch run (``prebirth``),
# never on a score: the date is an expected date and there is no given name.
PREBIRTH_GUARD = "pre-birth record: an unborn child is linked by the household rule, not a score"
SWAPPED_GUARD = "given and family names swapped, no exact date of birth to confirm them"
HOUSEHOLD_GUARD = (
    "no given name and no exact date of birth: the family name and address fit anyone in the "
    "household"
)

# Given names that are two names, not one name's variants: different ("else"), or one
# an initial (or two letters) of the other, which could stand for either twin. Names two
# letters apart (5+ letters) and longer shortenings are spelling variants and short forms
# (Mohamad/Muhammad, Alexa/Alexandra); two *common* names among them are held apart by
# ``common_names_guard``.
_SIBLING_GIVEN = frozenset({"else"})
# Twins: given names different, or one record's given name in the other's family-name
# field (names swapped on one record) while its own given name differs from the other's
# (Porter-Green Claas against his twin Maurycy Porter-Green: they share only the family
# name).
_TWIN_GIVEN = frozenset({"else", "crossed"})
_INITIAL = 2
# A given name this short is an initial (or two), not a name.
INITIAL_LENGTH = _INITIAL
_SIBLING_FAMILY = frozenset({"exact", "part", "alias", "typo", "near"})
_SAME_GIVEN_EXACTLY = frozenset({"exact", "first"})
# Address levels that name one house.
_ONE_HOUSE = frozenset({"exact", "similar_postcode", "postcode_house"})
_SAME_GIVEN = frozenset({"exact", "first", "nickname", "swapped", "typo", "nickname_typo"})


# Characters a scanned or faxed form is misread as (FEBRL's OCR errors, Christen 2005):
# "rn" read for "m", "ri" for "n", "vv" for "w", "cl" for "d", digits for letters. Two
# given names that are one after undoing these (Arny and Amy, Davvn and Dawn, Tiria and
# Tina) are one name misread, not two children. Applied in this order to both names.
OCR_CONFUSIONS: tuple[tuple[str, str], ...] = (
    ("rn", "m"),
    ("ri", "n"),
    ("vv", "w"),
    ("cl", "d"),
    ("0", "o"),
    ("5", "s"),
    ("1", "l"),
)


def ocr_key(name: str) -> str:
    """``name`` with the OCR confusions undone (``OCR_CONFUSIONS``)."""
    for misread, meant in OCR_CONFUSIONS:
        name = name.replace(misread, meant)
    return name


def ocr_key_sql(column: str) -> str:
    """``ocr_key`` as SQL over a column expression."""
    for misread, meant in OCR_CONFUSIONS:
        column = f"replace({column}, '{misread}', '{meant}')"
    return column


def _misread(left: Row, right: Row) -> bool:
    a, b = left["given1"], right["given1"]
    return bool(a and b and a != b and ocr_key(a) == ocr_key(b))


def guard(levels: Mapping[str, str], left: Row, right: Row) -> str:
    """The reason this pair may not be linked automatically, or "" (see module doc)."""
    if left.get("unborn") or right.get("unborn"):
        return PREBIRTH_GUARD
    if levels["nhs_number"] == "exact":
        return ""
    # One given name misread from a form (Arny for Amy) is one name, not two children's.
    misread = levels["given_name"] == "else" and _misread(left, right)
    different = (levels["given_name"] in _SIBLING_GIVEN and not misread) or (
        levels["given_name"] == "prefix"
        and min(len(left["given1"]), len(right["given1"])) <= _INITIAL
    )
    if different and levels["family_name"] in _SIBLING_FAMILY:
        return SIBLING_GUARD
    if (
        levels["given_name"] in _TWIN_GIVEN
        and not misread
        and levels["date_of_birth"] == "exact"
        and levels["sex"] == "exact"
    ):
        return TWIN_GUARD
    if levels["given_name"] in _SAME_GIVEN and levels["date_of_birth"] == "else":
        return NAMESAKE_GUARD
    # Names swapped count twice (given and family levels) and without the term-frequency
    # adjustment names in place get, so "Lewis Susan" outweighed "Susan Lewis" agreeing
    # in place (0.996 against 0.54 on the independent corpus, no date of birth, addresses
    # apart): two common words in either order are not a person without a date of birth.
    # At one house (the same address, or postcode and house number) the order of two
    # words is a clerk's slip: nobody lives with a namesake whose names are the other
    # way round (Glover Derek and Derrek Glover at 134 Queens Avenue).
    # The same holds for a date of birth that agrees only as a slip (a digit, a swap, a
    # placeholder): Thomas Lee (2023-12-09) and Lee Thomas (2020-12-09), two boys in
    # two towns, one digit apart, linked at 0.9996. Only an exact date confirms a swap.
    if (
        levels["given_name"] == "swapped"
        and levels["date_of_birth"] != "exact"
        and levels["address"] not in _ONE_HOUSE
    ):
        return SWAPPED_GUARD
    # A family name and an address name a household, not a person: with no given name
    # on one record, only the date of birth tells a mother from her unborn or newborn
    # child (a blank given name on a pre-birth record), or one sibling from another; so
    # it must agree exactly: a date missing, or one digit, the day and month or a
    # placeholder away (2020-03-04 against 2025-03-04), fits another member as well.
    if levels["given_name"] == "missing" and levels["date_of_birth"] != "exact":
        return HOUSEHOLD_GUARD
    gens = {left["generation"], right["generation"]}
    if "junior" in gens and "senior" in gens:
        return GENERATION_GUARD
    # Harry and Harriet: a nickname can bridge a boy's and a girl's name.
    if levels["sex"] == "else" and levels["given_name"] not in _SAME_GIVEN_EXACTLY:
        return SEX_GUARD
    return ""


class PairLevels(Mapping[str, str]):
    """A pair's level keys by comparison name, each worked out when first read. The
    guard reads only some of them: at 1,000,000 records, working out every level of the
    37,000 guarded review pairs in Python took seconds, most of it on levels the guard
    never read."""

    def __init__(self, left: Row, right: Row) -> None:
        self._left, self._right = left, right
        self._found: dict[str, str] = {}

    def __getitem__(self, name: str) -> str:
        found = self._found.get(name)
        if found is None:
            comparison = _NAMED[name]
            index = comparison.level_index(self._left, self._right)
            found = self._found[name] = comparison.levels[index].key
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(_NAMED)

    def __len__(self) -> int:
        return len(_NAMED)


def same_given_name(left: Row, right: Row) -> bool:
    """Whether two rows' given names are one name: the same, a nickname or short form, a
    slip of one letter, or swapped with the family name (issue 16: different children,
    twins above all, have different given names that are none of these)."""
    return GIVEN.levels[GIVEN.level_index(left, right)].key in _SAME_GIVEN


def guard_of(left: Row, right: Row) -> str:
    """``guard`` for two rows, their levels worked out as it reads them."""
    return guard(PairLevels(left, right), left, right)


_COLUMN_L = re.compile(r'"(\w+)_l"')
_COLUMN_R = re.compile(r'"(\w+)_r"')


def level_sql(comparison: Comparison, left: str, right: str) -> str:
    """A SQL ``CASE`` giving the level key of ``comparison`` for rows aliased ``left`` and
    ``right`` (the same conditions Splink evaluates)."""
    whens = []
    for level in comparison.levels:
        if level.sql == "ELSE":
            whens.append(f"ELSE '{level.key}'")
            continue
        condition = _COLUMN_R.sub(rf'{right}."\1"', _COLUMN_L.sub(rf'{left}."\1"', level.sql))
        whens.append(f"WHEN {condition} THEN '{level.key}'")
    return "CASE " + " ".join(whens) + " END"


COMMON_NAMES_GUARD = "possible twins or siblings: same family, two different common given names"


def given_name_counts(rows: Sequence[Row]) -> dict[str, int]:
    """How many records of ``rows`` use each first given name."""
    counts: dict[str, int] = {}
    for name in column_of(rows, "given1"):
        if name:
            counts[name] = counts.get(name, 0) + 1
    return counts


def common_given_names(
    rows: Sequence[Row],
    *,
    share: float = 2e-5,
    floor: int = 3,
    counts: Mapping[str, int] | None = None,
) -> frozenset[str]:
    """First given names common enough in ``rows`` to be names in their own right (not
    typos): used by at least ``floor`` records and ``share`` of all records.
    ``counts``: ``given_name_counts(rows)``, when already made."""
    if counts is None:
        counts = given_name_counts(rows)
    least = max(floor, int(share * len(rows)))
    return frozenset(name for name, count in counts.items() if count >= least)


# A slip is made on a small share of a name's records: a name used at least a tenth as
# often as the known name it is one letter from is a name in its own right, not a slip.
SLIP_SHARE = 0.1


def _a_name(name: str, formal: Sequence[str], counts: Mapping[str, int] | None) -> bool:
    """Whether ``name``, one letter from known names that stand for one of ``formal``
    (the other record's formal names), is used at least ``SLIP_SHARE`` as often as the
    most used of those names: a name in its own right, not a slip of one. Dale is one
    letter from Dave, not from David: a batch with many Davids and few Daves still has
    more Dales than a slip of Dave would make."""
    if counts is None:
        return False
    wanted = set(formal)
    near = [
        n for n in nicknames.one_edit_from(name) if wanted.intersection(nicknames.formal_names(n))
    ]
    return bool(near) and counts.get(name, 0) >= SLIP_SHARE * max(counts.get(n, 0) for n in near)


_SOUNDS = (("ph", "f"), ("ck", "c"), ("k", "c"), ("y", "i"), ("z", "s"))
_DOUBLED = re.compile(r"(.)\1+")
_SILENT_H = re.compile(r"(?<=[^aeiou])h|h$")


_LATER_VOWELS = re.compile(r"(?<=.)[aeiou]")
# A shortening this long is the same name (Magda, Magdalena); a shorter one (Leo, Leon)
# may be another.
_SHORTENING = 4


def spelling_key(name: str) -> str:
    """A name's spelling reduced to its first letter and consonants, roughly its sound:
    Hannah and Hana, Callum and Calum, Jayden and Jaiden, Finley and Finlay, Leanne and
    Lianne, Yusuf and Yousuf give one key; Jayden and Jaylen, Leo and Leon do not."""
    for written, sound in _SOUNDS:
        name = name.replace(written, sound)
    name = _SILENT_H.sub("", _DOUBLED.sub(r"\1", name))
    return _DOUBLED.sub(r"\1", _LATER_VOWELS.sub("", name))


def one_name(left: str, right: str) -> bool:
    """Two given names that are spellings or a long shortening of one name.

    A shortening of a name is that name only if the dataset does not know both as names
    of their own that it does not relate (``nicknames``): Magda and Magdalena are one
    name; Julia and Julian, Nicola and Nico, two (Julian Wallace, his sex recorded
    wrongly and no date of birth, joined his sister Julia's records at 1,000,000)."""
    shorter, longer = sorted((left, right), key=len)
    if len(shorter) >= _SHORTENING and longer.startswith(shorter):
        if nicknames.known(shorter) and nicknames.known(longer):
            return nicknames.variants(shorter, longer)
        return True
    return spelling_key(left) == spelling_key(right)


def common_names_guard(
    left: Row, right: Row, common: frozenset[str], counts: Mapping[str, int] | None = None
) -> str:
    """Samina and Amina, Leo and Lea: two *common* given names are two names, however few
    letters apart, unless they are nicknames or spellings of one name (Bill and William,
    Hannah and Hana). In one family, without agreeing NHS numbers, they are twins or
    siblings. A rare spelling near a common name is still read as a slip.

    ``counts`` (records per first given name, ``given_name_counts``; batch runs): a name
    the dataset does not know, one letter from one it does, is "a nickname with a slip"
    only when it is much rarer than the name it is near (``SLIP_SHARE``): 5arah and
    J0hn are slips of Sarah and John, however often duplicated records repeat them;
    Gerard, about as common as the dataset's Gerald, is a name, and Gerard and Gerald
    Cook are two brothers. Without counts (real-time) every such name reads as a slip."""
    a, b = left["given1"], right["given1"]
    if not a or not b or a == b or a not in common or b not in common:
        return ""
    if _overlap(left["given_formal"], right["given_formal"]):
        return ""
    for name, row, other in ((a, left, right), (b, right, left)):
        near = row.get("given_near")
        if (
            near
            and _overlap(near, other["given_formal"])
            and not _a_name(name, other["given_formal"], counts)
        ):
            return ""
    if one_name(a, b):
        return ""
    # One letter apart, one used far less than the other (``SLIP_SHARE``) and no name the
    # dataset knows: a slip repeated on a few records (Juiie and Katc beside Julie and
    # Kate). A known name stays a name however rare (Julian beside Julia, Lina beside
    # Linda), and names used about as often stay two (Ollie and Hollie).
    if counts is not None and _within(a, b, 1):
        rarer = min((a, b), key=lambda name: counts.get(name, 0))
        usual = b if rarer == a else a
        if counts.get(rarer, 0) < SLIP_SHARE * counts.get(usual, 0) and not nicknames.known(rarer):
            return ""
    if _eq(left["nhs"], right["nhs"]):
        return ""
    # One family: the same name, a part of a double-barrelled one, or a slip in it
    # (Hicks and yHicks: a mistyped family name does not make two common names one).
    same_family = (
        _eq(left["family"], right["family"])
        or _overlap(left["family_parts"], right["family_parts"])
        or _within(left["family"], right["family"], 1)
    )
    return COMMON_NAMES_GUARD if same_family else ""


def _case_sql(comparison: Comparison, left: str, right: str) -> str:
    return level_sql(comparison, left, right)


def _named_level(levels: Callable[[Comparison], str]) -> Callable[[Comparison, str, str], str]:
    return lambda comparison, _left, _right: levels(comparison)


def guard_sql(left: str, right: str, levels: Callable[[Comparison], str] | None = None) -> str:
    """``guard`` as a SQL condition over input rows aliased ``left`` and ``right``.

    ``levels``, when given, names the SQL of a comparison's level key (a column worked
    out once per pair, ``level_sql``) in place of its ``CASE``: the guard reads the
    level of a comparison several times, and DuckDB evaluated the ``CASE`` each time."""
    level_sql = _case_sql if levels is None else _named_level(levels)

    def among(comparison: Comparison, keys: frozenset[str]) -> str:
        values = ", ".join(f"'{key}'" for key in sorted(keys))
        return f"({level_sql(comparison, left, right)}) IN ({values})"

    given = level_sql(GIVEN, left, right)
    misread = (
        f"(({given}) = 'else' AND {left}.given1 <> {right}.given1 AND "
        f"{ocr_key_sql(f'{left}.given1')} = {ocr_key_sql(f'{right}.given1')})"
    )
    different = (
        f"(({among(GIVEN, _SIBLING_GIVEN)} AND NOT coalesce({misread}, false)) "
        f"OR (({given}) = 'prefix' AND "
        f"least(length({left}.given1), length({right}.given1)) <= {_INITIAL}))"
    )
    return (
        f"(coalesce({left}.unborn, {right}.unborn) IS NOT NULL OR "
        f"(({level_sql(NHS_NUMBER, left, right)}) <> 'exact' AND ("
        f"({different} AND {among(FAMILY, _SIBLING_FAMILY)})"
        f" OR ({among(GIVEN, _TWIN_GIVEN)} AND NOT coalesce({misread}, false) AND "
        f"({level_sql(DATE_OF_BIRTH, left, right)}) = 'exact' AND "
        f"({level_sql(SEX, left, right)}) = 'exact')"
        f" OR ({among(GIVEN, _SAME_GIVEN)} AND "
        f"({level_sql(DATE_OF_BIRTH, left, right)}) = 'else')"
        f" OR (({given}) = 'missing' AND "
        f"({level_sql(DATE_OF_BIRTH, left, right)}) <> 'exact')"
        f" OR (({given}) = 'swapped' AND "
        f"({level_sql(DATE_OF_BIRTH, left, right)}) <> 'exact' AND "
        f"NOT {among(ADDRESS, _ONE_HOUSE)})"
        f" OR (list_contains([{left}.generation, {right}.generation], 'junior')"
        f" AND list_contains([{left}.generation, {right}.generation], 'senior'))"
        f" OR (({level_sql(SEX, left, right)}) = 'else'"
        f" AND NOT {among(GIVEN, _SAME_GIVEN_EXACTLY)}))))"
    )


@dataclass(frozen=True)
class Weights:
    """The trained model as numbers: prior log-odds and each level's log2 Bayes factor."""

    prior_weight: float
    level_weights: dict[str, tuple[float, ...]]
    # log2 of u of each term-frequency-adjusted level, by (comparison, level index).
    tf_log2_u: dict[tuple[str, int], float] = field(default_factory=dict)
    frequencies: TermFrequencies | None = None

    @classmethod
    def from_model(cls, model: Mapping[str, Any]) -> "Weights":
        prior = float(model["probability_two_random_records_match"])
        level_weights: dict[str, tuple[float, ...]] = {}
        tf_log2_u: dict[tuple[str, int], float] = {}
        by_name = {c["output_column_name"]: c for c in model["comparisons"]}
        for comparison in COMPARISONS:
            levels = by_name[comparison.name]["comparison_levels"]
            if len(levels) != len(comparison.levels):
                raise ValueError(f"model does not match this code: {comparison.name} levels")
            weights = []
            for index, level in enumerate(levels):
                if level.get("is_null_level"):
                    weights.append(0.0)
                    continue
                m = level.get("m_probability") or UNOBSERVED
                u = level.get("u_probability") or UNOBSERVED
                weights.append(math.log2(m / u))
                if level.get("tf_adjustment_column"):
                    tf_log2_u[(comparison.name, index)] = math.log2(u)
            level_weights[comparison.name] = tuple(weights)
        frequencies = model.get(TF_KEY)
        return cls(
            prior_weight=math.log2(prior / (1 - prior)),
            level_weights=level_weights,
            tf_log2_u=tf_log2_u,
            frequencies=TermFrequencies.from_dict(frequencies) if frequencies else None,
        )

    def _frequency(self, row: Row, column: str) -> float | None:
        key = f"tf_{column}"
        if key in row:
            value: float | None = row[key]
            return value
        return self.frequencies.frequency(column, row[column]) if self.frequencies else None

    def tf_adjustment(self, comparison: str, index: int, left: Row, right: Row) -> float:
        """Splink's term-frequency adjustment of one level: ``w * (log2 u - log2 tf)``,
        tf the greater of the two values' frequencies (0 when neither is known)."""
        log2_u = self.tf_log2_u.get((comparison, index))
        if log2_u is None:
            return 0.0
        column = _TF_LEVEL_COLUMNS.get((comparison, index))
        if column is None:
            return 0.0
        known = [f for f in (self._frequency(left, column), self._frequency(right, column)) if f]
        if not known:
            return 0.0
        return TF_WEIGHT * (log2_u - math.log2(max(known)))


RETRAIN = "Train a new one with `sightline train-linkage-model`."


def model_mismatch(model: Mapping[str, Any]) -> str:
    """What differs between a trained model's comparisons and this code's ("" if none):
    a model trained by another version of Sightline scores levels that are not there."""
    by_name = {c.get("output_column_name"): c for c in model.get("comparisons", [])}
    for comparison in COMPARISONS:
        found = by_name.get(comparison.name)
        if found is None:
            return f"it has no {comparison.name} comparison"
        levels = found.get("comparison_levels", [])
        ours = [(level.sql, level.tf_column) for level in comparison.levels]
        theirs = [(lv.get("sql_condition"), lv.get("tf_adjustment_column")) for lv in levels]
        if ours != theirs:
            return f"its {comparison.name} levels are not this code's"
    return ""


def probability_from_weight(weight: float) -> float:
    if weight > 60:
        return 1.0
    if weight < -60:
        return 0.0
    odds: float = 2.0**weight
    return odds / (1 + odds)


def score(weights: Weights, left: Row, right: Row) -> PairScore:
    """Score one pair of feature rows with the trained model, with per-field evidence."""
    total = weights.prior_weight
    evidence = []
    for comparison in COMPARISONS:
        index = comparison.level_index(left, right)
        level = comparison.levels[index]
        weight = weights.level_weights[comparison.name][index]
        if level.tf_column:
            weight += weights.tf_adjustment(comparison.name, index, left, right)
        total += weight
        evidence.append(FieldEvidence(comparison.name, level.key, level.explanation, weight))
    levels = {item.field: item.level for item in evidence}
    return PairScore(
        match_weight=total,
        probability=probability_from_weight(total),
        evidence=tuple(evidence),
        guard=guard(levels, left, right),
    )
