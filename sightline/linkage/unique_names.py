"""A record without an NHS number joins the one person known by its full name. Pure.

A record with neither a date of birth nor an NHS number (a housing or police record,
typically) at another address than the person's other records agrees with them on the
name alone, and the model scores that below the automatic threshold however rare the name
is: its term-frequency adjustments weigh the given name and the family name apart, as
though "Cameron" and "Nowacki" were drawn independently. What such a record carries is
its full name, and a full name borne by one person only among the records that do say
who they are (a date of birth or an NHS number) points to that person: nobody else in
the batch is known by it.

``join_by_unique_name`` joins such a record (with every record of its cluster, none of
which has an NHS number) to that person after clustering, when

- its main name (given and family) is borne by that one person alone among the persons
  with a date of birth or an NHS number, by any of their records' names, aliases and
  previous family names (``features.name_keys``), and one of that person's records has
  it as its main name;
- its cluster links to that person at the review threshold, and to nobody else (a link
  to anyone else is another candidate: it goes to review as before; another undated
  record of the name going to the same person is not);
- nothing holds them apart: no guarded or rejected pair, no sex that differs, no given
  name that is only an initial, and no other name on the record (an alias, a previous
  family name) that the person is not known by;
- a record with a date of birth (a school record, one digit wrong, at another address)
  joins only a person whose date of birth is known and a slip of its own (``SLIPS``);
- a name is borne by the bearers of its formal names too (a nickname stands for each
  Richard);
- a dated record whose name several persons bear joins the one bearer born on its date
  of birth, when every bearer's date is known (``_born_that_day``);
- the person has no record of the record's agency (``agencies``, when the run knows
  them): an agency knows a person once;
- the record has a postcode (a move to another town still joins): a police or social
  care record with no address is known by its name alone, and at 1,000,000 records such
  joins put one child's record with another child of the same name.

A name two dated persons bear (a father and his son, both Paul Dennis) joins neither.
What it cannot tell is a person with no dated record in the batch at all and a dated
namesake. The rule reads the batch as it is: as it grows, more names are borne by two
persons and fewer records are joined this way. Batch runs of Sightline's own records
only (household guards on, not one to one).
"""

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from sightline.linkage import comparisons
from sightline.linkage.nicknames import formal_names
from sightline.linkage.rows import FeatureRows, Row, at, column_of, present

# A dated record joins the one bearer of its name only when its date of birth is a slip
# of theirs: day and month swapped, one digit, a placeholder (1 January, the 1st of the
# month). Not "within a week" or "in the same year": two people of one name born the
# same year are two people.
SLIPS = frozenset({"swapped", "typo", "placeholder"})
# Why a batch run joined two clusters by this rule (a merge's reason; ``batch.joins``).
REASON = "unique name: the one person with a date of birth or NHS number known by the name"


def join_by_unique_name(
    rows: Sequence[Row],
    labels: Sequence[int],
    links: Iterable[tuple[int, int]],
    *,
    cannot_link: Iterable[tuple[int, int]] = (),
    agencies: Sequence[str] | None = None,
) -> list[int]:
    """``labels`` (a cluster number per row) with each cluster without an NHS number
    whose names one other dated or numbered person alone bears joined to that person's
    cluster (see the module doc).

    ``links``: the pairs scored at or above the review threshold (guarded or not);
    ``cannot_link``: pairs that must stay apart (guarded, rejected); ``agencies``: each
    row's agency, when known (a person who has a record of the cluster's agency already
    is not joined by name)."""
    labels = list(labels)
    dates = column_of(rows, "dob")
    given = column_of(rows, "given1")
    family = column_of(rows, "family")
    members = Members(labels)
    known = members.labels_of(np.flatnonzero(present(rows, "dob") | present(rows, "nhs")))
    # Without an NHS number; with a date of birth or without one (a dated record is then
    # joined only to a date of birth it is a slip of: ``SLIPS``).
    # Joined only when linked to the person at the review threshold: the links between
    # two clusters, read once, and only the clusters they touch looked at (at 1,000,000
    # records most clusters without an NHS number link to no other cluster at all).
    cross = [(left, right) for left, right in links if labels[left] != labels[right]]
    touched = {labels[i] for pair in cross for i in pair}
    unfit = unfit_clusters(rows, labels)
    candidates = {label for label in touched if not unfit[label]}
    if not candidates:
        return labels
    # A candidate is looked up by its main names (given|family); a person bears a name
    # by any of its records' names, aliases included (more bearers, fewer joins), and
    # is the one bearer only if one of its records has the name as its main name. A
    # name stands for its formal names too (``given_formal``): "Dickie Kamiński" is
    # borne by every Richard Kamiński and every Dickie, so two Richards make it no one's.
    main = [f"{g}|{f}" if g and f else "" for g, f in zip(given, family, strict=True)]

    def formal_keys(index: int) -> set[str]:
        # ``given_formal`` of the row: the given name and the formal names it stands for.
        names = formal_names(given[index])
        if len(names) == 1:
            return {main[index]}
        return {f"{name}|{family[index]}" for name in names}

    looked_up = {label: {k for i in members[label] for k in formal_keys(i)} for label in candidates}
    wanted = {key for names in looked_up.values() for key in names}
    # The given names wanted, by family name: most records' family names are not wanted,
    # and are passed over with one look-up.
    wanted_given: dict[str, set[str]] = {}
    for key in wanted:
        wanted_name, wanted_family = key.split("|", 1)
        wanted_given.setdefault(wanted_family, set()).add(wanted_name)
    bearers: dict[str, set[int]] = {}
    owners: dict[str, set[int]] = {}
    # The records bearing a wanted name, found in Arrow (a million records' name lists
    # are not made Python lists for a few thousand names): its main name or an alias.
    for index, key in bearing(rows, wanted):
        label = labels[index]
        if label in known:
            bearers.setdefault(key, set()).add(label)
            if key == main[index]:
                owners.setdefault(key, set()).add(label)
    # A nickname bears its formal names (its own name is among its keys already): the
    # records of a wanted family name whose given name stands for a formal name.
    for index, key in bearing_formal(rows, formal_of(given), wanted, set(wanted_given)):
        label = labels[index]
        if label in known:
            bearers.setdefault(key, set()).add(label)
    born: dict[int, frozenset[str]] = {}

    def dates_of(label: int) -> frozenset[str]:
        """A cluster's dates of birth (read once a cluster: common names' bearers are
        looked at again for each record of the name)."""
        found = born.get(label)
        if found is None:
            found = born[label] = frozenset(d for i in members[label] if (d := dates[i]))
        return found

    target: dict[int, int] = {}
    for label in candidates:
        names = {main[i] for i in members[label]}
        found = {person for name in looked_up[label] for person in bearers.get(name, ())} - {label}
        owning = {person for name in names for person in owners.get(name, ())}
        ours = dates_of(label)
        if len(found) > 1:
            found = _born_that_day(found, ours, dates_of)
        if len(found) == 1 and found <= owning:
            person = found.pop()
            theirs = dates_of(person)
            if dates_fit(ours, theirs):
                target[label] = person
    # An agency knows a person once: a person who has a record of this agency already,
    # under the name and date of birth, is another person of that name to it (two David
    # Baileys born on 4 September 2015, each with a health and a school record, in Leeds
    # and in Newcastle), or the agency's own duplicate, which the model links by the
    # address and date that agency keeps.
    if agencies is not None:
        held: dict[int, set[str]] = {}
        for label, person in list(target.items()):
            if person not in held:
                held[person] = {agencies[i] for i in members[person]}
            if any(agencies[i] in held[person] for i in members[label]):
                del target[label]
    # A record known by other names too (aliases, a previous family name) is the person
    # only if that person is known by them as well: Joanna Nowak, alias Joanna
    # Krawczyk, on a police record is not the Joanna Nowak of a health record that
    # knows no Krawczyk.
    target = known_by_its_names(
        rows, members, target, lambda label: {main[i] for i in members[label]}
    )
    # And a place: a record with no postcode (a police or social care record without an
    # address) is known by nothing but its name, which at 1,000,000 records put one
    # child's record with another child of the same name whose own records were all
    # undated. A postcode elsewhere (a move, the rule's purpose) still joins.
    postcodes = column_of(rows, "postcode")
    for label in list(target):
        if not any(postcodes[i] for i in members[label]):
            del target[label]
    del postcodes
    if not target:
        return labels
    # Every link at the review threshold goes to the one person, and one at least: the
    # model (its term-frequency adjustments) must find the name rare enough to be worth
    # a review on its own.
    # A link to another undated record of the same name (one going to the same person)
    # is no other candidate either.
    linked: set[int] = set()
    others: dict[int, set[int]] = {}
    for left, right in cross:
        for record, other in ((left, right), (right, left)):
            label = labels[record]
            if label not in target or labels[other] == label:
                continue
            if labels[other] == target[label]:
                linked.add(label)
            else:
                others.setdefault(label, set()).add(labels[other])
    target = {
        label: person
        for label, person in target.items()
        if label in linked and all(target.get(other) == person for other in others.get(label, ()))
    }
    return join(rows, labels, members, target, cannot_link)


def unfit_clusters(rows: Sequence[Row], labels: Sequence[int]) -> npt.NDArray[np.bool_]:
    """By cluster number (``labels``: one per row, non-negative): whether a record of the
    cluster has an NHS number, no given name longer than an initial, or no family name,
    which the rules never join by name (worked out over whole columns, not cluster by
    cluster)."""
    clusters = np.asarray(labels, dtype=np.int64)
    long_given = pc.fill_null(
        pc.greater(
            pc.utf8_length(arrow_column(rows, "given1", pa.string())), comparisons.INITIAL_LENGTH
        ),
        False,
    ).to_numpy(zero_copy_only=False)
    unfit = present(rows, "nhs") | ~long_given | ~present(rows, "family")
    flags = np.zeros(max(len(clusters), int(clusters.max(initial=0)) + 1), dtype=bool)
    flags[clusters[unfit]] = True
    return flags


def dates_fit(ours: Iterable[str], theirs: frozenset[str] | set[str]) -> bool:
    """Whether a cluster's dates of birth (``ours``) may be a person's (``theirs``): none,
    or the person's known and each one of them or a slip of one (``SLIPS``)."""
    ours = list(ours)
    return bool(theirs or not ours) and all(
        a == b or comparisons.date_level(a, b) in SLIPS for a in ours for b in theirs
    )


def known_by_its_names(
    rows: Sequence[Row],
    members: "Members",
    target: dict[int, int],
    mains: Callable[[int], set[str]],
) -> dict[int, int]:
    """``target`` (cluster: person) without the clusters known by other names too (an
    alias, a previous family name: ``name_keys`` beyond their main names, ``mains``)
    that the person is not known by."""
    keys = name_keys_at(
        rows, (i for pair in target.items() for label in pair for i in members[label])
    )
    kept = {}
    for label, person in target.items():
        own = {key for i in members[label] for key in keys[i] or ()}
        if own - mains(label) and not own <= {
            key for i in members[person] for key in keys[i] or ()
        }:
            continue
        kept[label] = person
    return kept


def join(
    rows: Sequence[Row],
    labels: list[int],
    members: "Members",
    target: dict[int, int],
    cannot_link: Iterable[tuple[int, int]],
) -> list[int]:
    """``labels`` with each cluster of ``target`` joined to its person's cluster, unless
    a record of one may not be one person with a record of the other (``held_apart``);
    joined clusters are numbered by their smallest member (as ``clustering.cluster``)."""
    apart: dict[int, set[int]] = {}
    for a, b in cannot_link:
        apart.setdefault(a, set()).add(b)
        apart.setdefault(b, set()).add(a)
    involved = [i for label, person in target.items() for i in members[label] + members[person]]
    found_rows = at(rows, involved)
    parent: dict[int, int] = {}

    def root(label: int) -> int:
        while parent.get(label, label) != label:
            label = parent[label]
        return label

    for label, person in target.items():
        if not held_apart(members[label], members[person], found_rows, apart):
            a, b = sorted((root(label), root(person)))
            if a != b:
                parent[b] = a
    groups: dict[int, list[int]] = {}
    for label in parent:
        groups.setdefault(root(label), []).append(label)
    for top, joined in groups.items():
        for i in (i for label in (top, *joined) for i in members[label]):
            labels[i] = top
    return labels


class Members:
    """The records of each cluster of ``labels``, found when asked (a million records
    are not grouped for the few thousand clusters the rule reads)."""

    def __init__(self, labels: Sequence[int]) -> None:
        self._labels = np.asarray(labels, dtype=np.int64)
        self._order = np.argsort(self._labels, kind="stable")
        self._sorted = self._labels[self._order]
        self._found: dict[int, list[int]] = {}

    def __getitem__(self, label: int) -> list[int]:
        found = self._found.get(label)
        if found is None:
            low, high = np.searchsorted(self._sorted, [label, label + 1])
            found = self._found[label] = self._order[low:high].tolist()
        return found

    def labels_of(self, records: Iterable[int]) -> set[int]:
        """The clusters of ``records``."""
        if isinstance(records, np.ndarray):
            chosen = records.astype(np.int64, copy=False)
        else:
            chosen = np.fromiter(records, dtype=np.int64)
        return set(np.unique(self._labels[chosen]).tolist())


def arrow_column(rows: Sequence[Row], name: str, kind: pa.DataType) -> pa.Array:
    if isinstance(rows, FeatureRows):
        return rows.table.column(name).combine_chunks()
    return pa.array(column_of(rows, name), kind)


def bearing(rows: Sequence[Row], wanted: set[str]) -> list[tuple[int, str]]:
    """(record, key) for each of the records' ``name_keys`` that is ``wanted``."""
    records, keys = bearing_arrays(rows, wanted)
    return list(zip(records.to_pylist(), keys.to_pylist(), strict=True))


def bearing_arrays(rows: Sequence[Row], wanted: set[str]) -> tuple[pa.Array, pa.Array]:
    """``bearing`` as two Arrow arrays: the records, and the wanted key each bears."""
    keys = arrow_column(rows, "name_keys", pa.list_(pa.string()))
    flat = pc.list_flatten(keys)
    hit = pc.fill_null(pc.is_in(flat, value_set=pa.array(sorted(wanted), flat.type)), False)
    return pc.filter(pc.list_parent_indices(keys), hit), pc.filter(flat, hit)


def formal_of(given: Sequence[str | None]) -> dict[str, list[str]]:
    """Each of the given names ``given`` that stands for formal names other than itself,
    with them (for ``bearing_formal``)."""
    return {
        name: more
        for name in set(given)
        if name and (more := [formal for formal in formal_names(name) if formal != name])
    }


def bearing_formal(
    rows: Sequence[Row],
    formal_of: dict[str, list[str]],
    wanted: set[str],
    families: set[str],
) -> list[tuple[int, str]]:
    """(record, "formal|family") for each record whose first given name stands for a
    formal name (``formal_of``: nickname to formal names) under which its full name is
    ``wanted`` (of ``families``, the wanted family names)."""
    records, keys = bearing_formal_arrays(rows, formal_of, wanted, families)
    return list(zip(records.to_pylist(), keys.to_pylist(), strict=True))


def bearing_formal_arrays(
    rows: Sequence[Row],
    formal_of: dict[str, list[str]],
    wanted: set[str],
    families: set[str],
) -> tuple[pa.Array, pa.Array]:
    """``bearing_formal`` as two Arrow arrays: the records, and the wanted key each bears."""
    given = arrow_column(rows, "given1", pa.string())
    family = arrow_column(rows, "family", pa.string())
    chosen = pc.fill_null(
        pc.and_(
            pc.is_in(given, value_set=pa.array(sorted(formal_of), given.type)),
            pc.is_in(family, value_set=pa.array(sorted(families), family.type)),
        ),
        False,
    )
    records = pa.array(np.flatnonzero(chosen.to_numpy(zero_copy_only=False)), pa.int64())
    found = pa.table(
        {
            "record": records,
            "given": given.take(records).cast(pa.string()),
            "family": family.take(records).cast(pa.string()),
        }
    )
    nicknames = [name for name, formals in formal_of.items() for _ in formals]
    formal = pa.table(
        {
            "given": pa.array(nicknames, pa.string()),
            "formal": pa.array([f for formals in formal_of.values() for f in formals], pa.string()),
        }
    )
    joined = found.join(formal, "given")
    keys = pc.binary_join_element_wise(joined["formal"], joined["family"], "|")
    hit = pc.fill_null(pc.is_in(keys, value_set=pa.array(sorted(wanted), pa.string())), False)
    return pc.filter(joined["record"], hit), pc.filter(keys, hit)


def name_keys_at(rows: Sequence[Row], records: Iterable[int]) -> dict[int, list[str] | None]:
    """The ``name_keys`` of ``records``."""
    return {index: row["name_keys"] for index, row in at(rows, records).items()}


def _born_that_day(
    bearers: set[int],
    days: frozenset[str],
    dates_of: Callable[[int], frozenset[str]],
) -> set[int]:
    """Of the persons ``bearers`` of a dated record's name, the one born on its date of
    birth (``days``), when there is one alone and every bearer's date of birth is known
    (``dates_of``: a person's dates); otherwise ``bearers`` unchanged. At 1,000,000
    records a common name has several bearers (two Eleanor Marshalls, born in 1944 and
    1987) and no undated record could join either; the record of Eleanor Marshall, born
    10 September 1944, at another address, is the 1944 Eleanor's when nobody else of that
    name was born that day. A bearer whose date is not known could be the one: then
    nobody is chosen."""
    if not days:
        return bearers
    born: set[int] = set()
    for person in bearers:
        theirs = dates_of(person)
        if not theirs:
            return bearers
        if theirs & days:
            born.add(person)
    return born if len(born) == 1 else bearers


def held_apart(
    records: Sequence[int],
    person: Sequence[int],
    found: dict[int, Row],
    apart: dict[int, set[int]],
) -> bool:
    """Whether any record of ``records`` may not be one person with any of ``person``:
    a pair held apart, a guard, or two recorded sexes that differ."""
    for i in records:
        if apart.get(i, set()) & set(person):
            return True
        for j in person:
            left, right = found[i], found[j]
            if left["sex"] and right["sex"] and left["sex"] != right["sex"]:
                return True
            if comparisons.guard_of(left, right):
                return True
    return False
