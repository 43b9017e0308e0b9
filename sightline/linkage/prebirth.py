"""Pre-birth records: an unborn child's record and the born child's. Pure.

Before a birth, agencies record the expected child as "Unborn" (or "Baby") with the
mother's family name and address, and the expected date of delivery in the date-of-birth
field. After the birth, the child has a record of its own. The two are the same child
when the born child lives in the same household and was born within six weeks of the
expected date; but that is never certain enough to link on its own:

- an unborn record is never linked automatically (``comparisons.guard``);
- it is put to review with the one born child that fits;
- when two or more born children fit (twins, or a sibling born within weeks at the
  same address), nothing is proposed: which child the plan was for is a practitioner's
  question, not a guess.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sightline.linkage.rows import column_of

Row = Mapping[str, Any]

# Given names that stand for an expected child, not a name (normalised).
UNBORN_NAMES = frozenset(
    {"unborn", "unborn baby", "unborn child", "baby", "baby of", "expected baby", "unborn baby of"}
)
WINDOW = dt.timedelta(weeks=6)
REASON = "pre-birth record: the child born within 6 weeks of the expected date, same household"


def is_unborn(given: str) -> bool:
    """Whether a normalised given name is a placeholder for an unborn child."""
    return given in UNBORN_NAMES or given.startswith("unborn ")


def _household_keys(row: Row) -> list[str]:
    keys = []
    if row["address"]:
        keys.append(f"a:{row['address']}")
    if row["postcode"] and row["house"]:
        keys.append(f"ph:{row['postcode']}|{row['house']}")
    return keys


def _born_within(expected: str, born: str) -> bool:
    return abs(dt.date.fromisoformat(born) - dt.date.fromisoformat(expected)) <= WINDOW


def candidates(rows: Sequence[Row]) -> dict[int, list[int]]:
    """For each unborn row (by position), the born rows of its household (same address
    line, or same postcode and house number) born within six weeks of its expected date."""
    unborns, dates = column_of(rows, "unborn", keep=False), column_of(rows, "dob")
    unborn = [i for i, (u, dob) in enumerate(zip(unborns, dates, strict=True)) if u and dob]
    del unborns
    if not unborn:
        return {}
    keys_of = {name: column_of(rows, name, keep=False) for name in ("address", "postcode", "house")}
    columns = [keys_of["address"], keys_of["postcode"], keys_of["house"]]
    del keys_of

    def household(index: int) -> list[str]:
        return _household_keys(
            {
                "address": columns[0][index],
                "postcode": columns[1][index],
                "house": columns[2][index],
            }
        )

    wanted = {key for index in unborn for key in household(index)}
    households: dict[str, list[int]] = defaultdict(list)
    unborn_set = set(unborn)
    for index, dob in enumerate(dates):
        if dob and index not in unborn_set:
            for key in household(index):
                if key in wanted:
                    households[key].append(index)
    found: dict[int, list[int]] = {}
    for index in unborn:
        expected = dates[index]
        born = {
            other
            for key in household(index)
            for other in households.get(key, ())
            if _born_within(expected, dates[other])
        }
        if born:
            found[index] = sorted(born)
    return found


def proposals(rows: Sequence[Row], labels: Sequence[int]) -> tuple[list[tuple[int, int]], set[int]]:
    """(unborn, born) pairs to put to review, one per unborn row whose fitting born
    records are all one person (``labels``: the clustering); and the unborn rows with two
    or more born children fitting, for which nothing may be proposed."""
    pairs = []
    ambiguous = set()
    for unborn, born in candidates(rows).items():
        children = {labels[b] for b in born} - {labels[unborn]}
        if len(children) == 1:
            pairs.append((unborn, born[0]))
        elif len(children) > 1:
            ambiguous.add(unborn)
    return pairs, ambiguous
