"""Nicknames, diminutives and spelling variants of given names. Pure: data and one lookup.

The names come from the curated ``nicknames`` package (Apache-2.0, pinned in
requirements.txt): English given names and their nicknames. Two local data files adjust
it for England, each line with its source:

- ``data/name_variants.csv``: forms common in England that the dataset lacks (Alfie,
  Mohammed/Muhammad, Rhys/Reece); a test fails when the dataset gains one of them.
- ``data/distinct_names.csv``: pairs the dataset relates that are two names in their own
  right (Emily and Emma), so twins given them are not read as one child.

A name stands for itself and for every formal name it may be a nickname of (``alex`` for
Alexander and Alexandra), so the lookup returns a set; two given names are "the same by
nickname" when their sets meet.
"""

import csv
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from nicknames import NickNamer

DATA = Path(__file__).with_name("data")
VARIANTS_FILE = DATA / "name_variants.csv"
DISTINCT_FILE = DATA / "distinct_names.csv"


def _data_rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        yield from csv.DictReader(line for line in handle if not line.startswith("#"))


def local_variants() -> list[tuple[str, str]]:
    """(formal, form) pairs added locally."""
    return [(row["formal"], row["form"]) for row in _data_rows(VARIANTS_FILE)]


def distinct_pairs() -> list[tuple[str, str]]:
    """Pairs the dataset relates that are two different names here."""
    return [(row["name"], row["other"]) for row in _data_rows(DISTINCT_FILE)]


def build(
    lookup: dict[str, set[str]],
    additions: Iterable[tuple[str, str]],
    distinct: Iterable[tuple[str, str]],
) -> dict[str, frozenset[str]]:
    """name -> the formal names it may stand for (itself included), from a formal ->
    nicknames ``lookup``, local ``additions`` and pairs that are ``distinct`` names."""
    apart = {frozenset(pair) for pair in distinct}
    table: dict[str, set[str]] = {}
    for formal, forms in lookup.items():
        for form in forms:
            if formal != form and frozenset((formal, form)) not in apart:
                table.setdefault(form, {form}).add(formal)
    for formal, form in additions:
        table.setdefault(form, {form}).add(formal)
    # Two distinct names may still meet through a formal name both are listed under
    # (Emily and Emma under Emeline): neither stands for it.
    for pair in apart:
        left, right = sorted(pair)
        shared = table.get(left, {left}) & table.get(right, {right})
        for name in (left, right):
            if name in table:
                table[name] -= shared - {name}
    return {name: frozenset(formals) for name, formals in table.items()}


@lru_cache(maxsize=1)
def _table() -> dict[str, frozenset[str]]:
    return build(NickNamer.default_lookup(), local_variants(), distinct_pairs())


@lru_cache(maxsize=65536)
def formal_names(name: str) -> tuple[str, ...]:
    """``name`` and the formal names it may stand for, sorted; ``(name,)`` if the
    dataset knows no other.

    ``name`` must already be normalised (``people.normalise.name_key``, one word).
    """
    if not name:
        return ()
    return tuple(sorted(_table().get(name, frozenset((name,)))))


def variants(left: str, right: str) -> bool:
    """Whether two normalised given names are nicknames or variants of one name."""
    return bool(set(formal_names(left)) & set(formal_names(right)))


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    """Every name the dataset and the local files know (as a formal name or a form)."""
    names = {name for pair in distinct_pairs() for name in pair}
    names.update(name for pair in local_variants() for name in pair)
    for formal, forms in NickNamer.default_lookup().items():
        names.add(formal)
        names.update(forms)
    return frozenset(names)


def known(name: str) -> bool:
    """Whether the dataset or the local files know ``name`` (normalised) as a name."""
    return name in _known()


_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# A name this short one letter from a known name is as likely another name as a slip.
_MIN_LENGTH = 4
# More known names than this one letter away: no telling which was meant.
_MOST_NEIGHBOURS = 2


def _one_edit(name: str) -> set[str]:
    splits = [(name[:i], name[i:]) for i in range(len(name) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    return (deletes | transposes | replaces | inserts) - {name}


@lru_cache(maxsize=65536)
def near_formal_names(name: str) -> tuple[str, ...]:
    """For a name the dataset does not know, one letter from one or two names it does
    (a slip: Nicolq for Nicola, Katerine for Katherine), the formal names those stand
    for, sorted; otherwise ``()``. Known names and short ones are left as they are."""
    if len(name) < _MIN_LENGTH or name in _known():
        return ()
    neighbours = _one_edit(name) & _known()
    if not neighbours or len(neighbours) > _MOST_NEIGHBOURS:
        return ()
    return tuple(sorted({formal for n in neighbours for formal in formal_names(n)}))
