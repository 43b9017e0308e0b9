"""Pre-birth records: an unborn child's record and the born child's. Pure.

Before a birth, agencies record the expected child as "Unborn" (or "Baby") with the
mother's family name and address, and the expected date of delivery in the date-of-birth
field. After the birth, the child has a record of its own. The household rule (issue 16,
item 5): an unborn record is the child of its household (same address line, or same
postcode, house number and street initial) born within six weeks of the expected date.

- When exactly **one** born child (one person after clustering) fits, a batch run links
  the unborn record to that child **automatically** (``link``), with ``REASON`` as the
  link's reason. It is a rule, not a score: the unborn record is never joined on the
  model's score (``comparisons.guard`` holds every pair with an unborn record back).
- When **two or more** born children fit (twins, or a sibling born within weeks at the
  same address), the unborn record is linked to none of them: each fitting child is put
  to review with it (one pair per child, ``REASON_CHILDREN``). Which child a pre-birth
  plan was for is a practitioner's question, not a guess. A born record anywhere with a
  fitting child's date of birth and family name (or the unborn record's family name),
  not in that child's person, is a second child too (``_possible_twins``): one twin's
  records may carry the family's old address while the other's are at home. One under
  the fitting child's own given name is that child's record, not a twin's.
- When the one child's records at the address all carry another family name than the
  unborn record (the mother's), and another child of the unborn record's family name
  was born anywhere nearer the expected date, both are put to review (``REASON_FAMILY``): a home changes
  hands, and the old address of one family holds the next family's baby.
- When a person of the unborn record's family name at its household has an NHS number
  but no date of birth on any of their records, and is not the one child, both go to
  review (``REASON_UNDATED``): a twin whose health record gives no date is a second
  child the dates cannot rule out (at 1,000,000 independent records, twin Debra Preston's
  one record had no date, and the unborn record joined her sister Janice).
- The join is refused when it would put together two records a practitioner decided are
  different people (nothing is proposed: they said so), or two different NHS numbers,
  two records of one source (one-to-one linkage), born records whose dates of birth are
  apart, or two unborn records whose expected dates are more than six weeks apart (two
  pregnancies). Refused for any reason but a practitioner's decision, the pair goes to
  review (``REASON_REFUSED``).
- Two unborn records of one pregnancy (social care's and midwifery's, expected dates
  within six weeks) each fit the one child, and both join it.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sightline.linkage.comparisons import dates_apart, same_given_name
from sightline.linkage.rows import at, column_of, with_values

Row = Mapping[str, Any]

# Given names that stand for an expected child, not a name (normalised).
UNBORN_NAMES = frozenset(
    {"unborn", "unborn baby", "unborn child", "baby", "baby of", "expected baby", "unborn baby of"}
)
WINDOW = dt.timedelta(weeks=6)
REASON = "pre-birth record: the one child born within 6 weeks of the expected date, same household"
REASON_CHILDREN = (
    "pre-birth record: two or more children born within 6 weeks of the expected date, "
    "same household (twins or siblings): which child was expected?"
)
REASON_REFUSED = (
    "pre-birth record: the one child born within 6 weeks of the expected date, same "
    "household, but not linked: another NHS number, another pregnancy's record, or a "
    "record of the same source"
)
REASON_FAMILY = (
    "pre-birth record: the child born within 6 weeks at its address has another family "
    "name, and a child of its family name was born elsewhere nearer the expected date: "
    "which child was expected?"
)
REASON_UNDATED = (
    "pre-birth record: one child born within 6 weeks of the expected date, and a person of "
    "its family at its address registered with an NHS number whose records give no date "
    "of birth (a twin?): which child was expected?"
)
# The reasons a pre-birth pair is put to review with (``batch`` keeps them on the pair).
REVIEW_REASONS = frozenset({REASON_CHILDREN, REASON_REFUSED, REASON_FAMILY, REASON_UNDATED})


def is_unborn(given: str) -> bool:
    """Whether a normalised given name is a placeholder for an unborn child."""
    return given in UNBORN_NAMES or given.startswith("unborn ")


def _household_keys(row: Row) -> list[str]:
    """An address line names a home only within its postcode district (a town has a
    Manor Drive in M12 and another in M18); without a postcode it stands alone. A
    postcode and house number name one with the street's initial: 61 Willow Place and
    61 Springfield Walk in one postcode are two homes (at 1,000,000 records an unborn
    Edwards joined Rosemary Hall, born at the other), while 61 Wilow Place, mistyped, is
    still the first."""
    keys = []
    if row["address"]:
        keys.append(f"a:{row['address']}|{row['district'] or ''}")
    if row["postcode"] and row["house"]:
        keys.append(f"ph:{row['postcode']}|{row['house']}|{(row['street'] or '')[:1]}")
    return keys


def _born_within(expected: str, born: str) -> bool:
    return abs(dt.date.fromisoformat(born) - dt.date.fromisoformat(expected)) <= WINDOW


# The columns a household key is made of (``_household_keys``).
_HOME = ("address", "postcode", "house", "district", "street")


def _near(rows: Sequence[Row], homes: Mapping[int, Row]) -> list[int]:
    """The rows at one of ``homes``' address lines or postcodes: a household key holds
    one of the two, so only these rows (a few in a thousand) can share a home's key.
    Found in Arrow."""
    return with_values(
        rows,
        {
            "address": {home["address"] for home in homes.values()} - {None},
            "postcode": {home["postcode"] for home in homes.values()} - {None},
        },
    )


def candidates(rows: Sequence[Row]) -> dict[int, list[int]]:
    """For each unborn row (by position), the born rows of its household (same address
    line in the same postcode district, or same postcode, house number and street
    initial) born within six weeks of its expected date."""
    unborns, dates = column_of(rows, "unborn", keep=False), column_of(rows, "dob")
    unborn = [i for i, (u, dob) in enumerate(zip(unborns, dates, strict=True)) if u and dob]
    del unborns
    if not unborn:
        return {}
    homes = at(rows, unborn, _HOME)
    wanted = {key for index in unborn for key in _household_keys(homes[index])}
    households: dict[str, list[int]] = defaultdict(list)
    unborn_set = set(unborn)
    near = _near(rows, homes)
    read = at(rows, (i for i in near if dates[i] and i not in unborn_set), _HOME)
    for index, row in read.items():
        for key in _household_keys(row):
            if key in wanted:
                households[key].append(index)
    found: dict[int, list[int]] = {}
    for index in unborn:
        expected = dates[index]
        born = {
            other
            for key in _household_keys(homes[index])
            for other in households.get(key, ())
            if _born_within(expected, dates[other])
        }
        if born:
            found[index] = sorted(born)
    return found


def _possible_twins(
    rows: Sequence[Row], found: Mapping[int, list[int]], unborn_rows: set[int]
) -> dict[int, list[int]]:
    """For each unborn row (``found``: its fitting born rows), the born rows anywhere
    with a fitting row's date of birth and its family name (or the unborn record's): a
    twin whose records carry the family's old address, or another agency's address,
    fits the expected date as well as the one found at home.

    A row whose given name is the fitting row's own (the same, a short form, a slip:
    ``comparisons.same_given_name``) is that child's record elsewhere, not a twin: twins
    have different given names (issue 16). Counted as twins, the child's own records at
    an old address sent its unborn record to review (Laura Davis at home, her social
    care record, Lauda Davis, at the family's old address in another town)."""
    families, dates = column_of(rows, "family"), column_of(rows, "dob")
    keys = {
        unborn: {
            (family, dates[b], b)
            for b in born
            for family in (families[b], families[unborn])
            if family
        }
        for unborn, born in found.items()
    }
    wanted = {(family, dob) for here in keys.values() for family, dob, _b in here}
    rows_of: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, key in enumerate(zip(families, dates, strict=True)):
        if key in wanted and index not in unborn_rows:
            rows_of[key].append(index)
    read = at(
        rows,
        {b for here in keys.values() for _f, _d, b in here}
        | {index for indices in rows_of.values() for index in indices},
    )
    return {
        unborn: sorted(
            {
                index
                for family, dob, b in here
                for index in rows_of.get((family, dob), ())
                if index == b or not same_given_name(read[index], read[b])
            }
        )
        for unborn, here in keys.items()
    }


def _undated_at_home(rows: Sequence[Row], found: Mapping[int, list[int]]) -> dict[int, list[int]]:
    """For each unborn row (``found``), the rows of its household with its family name,
    an NHS number and no date of birth (not unborn records)."""
    homes = at(rows, found, (*_HOME, "family"))
    households: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, row in at(
        rows, _near(rows, homes), (*_HOME, "family", "dob", "nhs", "unborn")
    ).items():
        if row["family"] and row["nhs"] and not row["dob"] and not row["unborn"]:
            for key in _household_keys(row):
                households[key, row["family"]].append(index)
    return {
        unborn: sorted(
            {
                index
                for key in _household_keys(home)
                for index in households.get((key, home["family"]), ())
            }
        )
        for unborn, home in homes.items()
        if home["family"]
    }


def _born_under_its_name(
    rows: Sequence[Row], found: Mapping[int, list[int]], unborn_rows: set[int]
) -> dict[int, list[int]]:
    """For each unborn row whose fitting born rows (``found``) all have another family
    name than its own (the mother's), the born rows anywhere of its family name born
    nearer its expected date than any of them. A child may carry the father's name; but a
    home changes hands, and a family's old address holds the next family's baby: at
    1,000,000 records an unborn Short at the Shorts' old address joined Lauren King,
    born there a month before the expected date, while Krystian Short was born 18 days
    before it in Nottingham."""
    families, dates = column_of(rows, "family"), column_of(rows, "dob")
    wanted: dict[str, list[int]] = defaultdict(list)
    nearest: dict[int, int] = {}
    for unborn, born in found.items():
        family = families[unborn]
        if family and all(families[b] != family for b in born):
            wanted[family].append(unborn)
            nearest[unborn] = min(_days(dates[unborn], dates[b]) for b in born)
    if not wanted:
        return {}
    out: dict[int, list[int]] = defaultdict(list)
    for index, (family, dob) in enumerate(zip(families, dates, strict=True)):
        if dob and family in wanted and index not in unborn_rows:
            for unborn in wanted[family]:
                if _days(dates[unborn], dob) < nearest[unborn]:
                    out[unborn].append(index)
    return dict(out)


@dataclass
class Outcome:
    """What the household rule did to a clustering (``link``)."""

    # A person label for every row: ``labels`` with the unborn records joined.
    labels: list[int]
    # (unborn, born) pairs joined automatically by the rule (``REASON``).
    links: list[tuple[int, int]] = field(default_factory=list)
    # (unborn, born, reason) pairs for review: one per fitting child.
    review: list[tuple[int, int, str]] = field(default_factory=list)


# A join refused because a practitioner decided the two are different people.
_DECIDED = "decided"


def _days(expected: str, born: str) -> int:
    return abs((dt.date.fromisoformat(born) - dt.date.fromisoformat(expected)).days)


def link(
    rows: Sequence[Row],
    labels: Sequence[int],
    *,
    cannot_link: Iterable[tuple[int, int]] = (),
    held_apart: Iterable[tuple[int, int]] = (),
    sources: Sequence[str] | None = None,
) -> Outcome:
    """Join each unborn record to the one born child of its household that fits
    (``candidates``), put it to review with each child when two or more fit.

    ``labels``: the clustering of ``rows`` (a label per row). ``cannot_link``: pairs a
    practitioner decided are different people: no join, and no review. ``held_apart``:
    pairs the guards hold apart (none with an unborn record). ``sources``: one source per
    row, in one-to-one linkage (no person takes two records of one source).

    Unborn records are taken nearest birth first (then by position); a born child's
    person is the one its fitting records were clustered into, so a child with two
    records fitting is one child. An unborn record already in a fitting child's person
    (a practitioner's confirmed link) is left where it is.
    """
    found = candidates(rows)
    result = Outcome(labels=list(labels))
    if not found:
        return result
    dates = column_of(rows, "dob")
    nhs = column_of(rows, "nhs")
    unborn_rows = {i for i, flag in enumerate(column_of(rows, "unborn", keep=False)) if flag}
    elsewhere = _possible_twins(rows, found, unborn_rows)
    under_its_name = _born_under_its_name(rows, found, unborn_rows)
    undated = _undated_at_home(rows, found)
    involved = {labels[u] for u in found} | {
        labels[b]
        for by in (found, elsewhere, under_its_name, undated)
        for born in by.values()
        for b in born
    }
    members: dict[int, list[int]] = defaultdict(list)
    for index, label in enumerate(labels):
        if label in involved:
            members[label].append(index)
    parent = {label: label for label in involved}

    def find(label: int) -> int:
        while parent[label] != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    def pairs_of(pairs: Iterable[tuple[int, int]]) -> dict[int, set[int]]:
        out: dict[int, set[int]] = defaultdict(set)
        for a, b in pairs:
            out[a].add(b)
            out[b].add(a)
        return out

    decided, apart = pairs_of(cannot_link), pairs_of(held_apart)

    def refused(a: int, b: int) -> str | None:
        left, right = members[a], members[b]
        right_set = set(right)
        if any(decided.get(m, set()) & right_set for m in left):
            return _DECIDED
        if any(apart.get(m, set()) & right_set for m in left):
            return "held apart"
        numbers = [{nhs[m] for m in side if nhs[m]} for side in (left, right)]
        if numbers[0] and numbers[1] and numbers[0] != numbers[1]:
            return "NHS numbers"
        if sources is not None and {sources[m] for m in left} & {sources[m] for m in right}:
            return "one source"
        expected = [
            [dates[m] for m in side if m in unborn_rows and dates[m]] for side in (left, right)
        ]
        if any(not _born_within(x, y) for x in expected[0] for y in expected[1]):
            return "two pregnancies"
        if numbers[0] and numbers[0] == numbers[1]:
            return None
        born = [
            [dates[m] for m in side if m not in unborn_rows and dates[m]] for side in (left, right)
        ]
        if any(dates_apart(x, y) for x in born[0] for y in born[1]):
            return "dates of birth"
        return None

    def nearest(unborn: int) -> int:
        return min(_days(dates[unborn], dates[b]) for b in found[unborn])

    for unborn in sorted(found, key=lambda u: (nearest(u), u)):
        own = find(labels[unborn])
        children: dict[int, int] = {}
        for born in sorted(found[unborn], key=lambda b: (_days(dates[unborn], dates[b]), b)):
            children.setdefault(find(labels[born]), born)
        if own in children:
            continue
        for born in elsewhere.get(unborn, ()):
            children.setdefault(find(labels[born]), born)
        reason = REASON_CHILDREN
        if len(children) == 1:
            for born in under_its_name.get(unborn, ()):
                children.setdefault(find(labels[born]), born)
            reason = REASON_FAMILY
        if len(children) == 1:
            for record in undated.get(unborn, ()):
                person = find(labels[record])
                if person != own and not any(dates[m] for m in members[person]):
                    children.setdefault(person, record)
            reason = REASON_UNDATED
        if len(children) > 1:
            result.review.extend((unborn, born, reason) for born in sorted(children.values()))
            continue
        ((child, born),) = children.items()
        why = refused(own, child)
        if why is None:
            parent[child] = own
            members[own].extend(members.pop(child))
            result.links.append((unborn, born))
        elif why != _DECIDED:
            result.review.append((unborn, born, REASON_REFUSED))
    if result.links:
        label_of = {root: min(members[root]) for root in members}
        result.labels = [
            label_of[find(label)] if label in parent else label for label in result.labels
        ]
    return result
