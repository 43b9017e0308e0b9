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


@lru_cache(maxsize=1)
def _by_deletion() -> tuple[dict[str, set[str]], dict[tuple[int, str], set[str]]]:
    """The known names by each form with one letter (a to z) taken out: by the form, and
    by the form with the letter's position (a name one letter replaced shares the form at
    that position)."""
    deleted: dict[str, set[str]] = {}
    at: dict[tuple[int, str], set[str]] = {}
    for name in _known():
        for i, letter in enumerate(name):
            if letter in _LETTERS:
                form = name[:i] + name[i + 1 :]
                deleted.setdefault(form, set()).add(name)
                at.setdefault((i, form), set()).add(name)
    return deleted, at


@lru_cache(maxsize=65536)
def one_edit_from(name: str) -> frozenset[str]:
    """The known names one edit from ``name``: a letter taken out, two neighbouring
    letters swapped, or a letter (a to z) put in or in place of another. Looked up by
    each name's forms with a letter taken out, not by making every edit of ``name``
    (a few hundred strings a name)."""
    known_names = _known()
    deleted, at = _by_deletion()
    found: set[str] = set()
    for i in range(len(name)):
        form = name[:i] + name[i + 1 :]
        if form in known_names:  # a letter put in
            found.add(form)
        found |= at.get((i, form), set())  # a letter in place of another
        if i + 1 < len(name):  # two letters swapped
            swapped = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
            if swapped in known_names:
                found.add(swapped)
    found |= deleted.get(name, set())  # a letter taken out
    found.discard(name)
    return frozenset(found)


@lru_cache(maxsize=65536)
def near_formal_names(name: str) -> tuple[str, ...]:
    """For a name the dataset does not know, one letter from one or two names it does
    (a slip: Nicolq for Nicola, Katerine for Katherine), the formal names those stand
    for, sorted; otherwise ``()``. Known names and short ones are left as they are."""
    if len(name) < _MIN_LENGTH or name in _known():
        return ()
    neighbours = one_edit_from(name)
    if not neighbours or len(neighbours) > _MOST_NEIGHBOURS:
        return ()
    return tuple(sorted({formal for n in neighbours for formal in formal_names(n)}))
