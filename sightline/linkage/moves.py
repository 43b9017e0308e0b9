"""A record without an NHS number joins the one person of its name whose household
lived at its address. Pure.

Families move, and the agencies that know them learn of it at different times: a
housing or police record keeps the old address after the health and school records
have the new one. Such a record often has no date of birth and no NHS number either
(issue 16: "missing dates of birth with a changed postcode"), so it agrees with the
person's other records on the name alone, which the model rightly scores low: at
1,000,000 records most names have several bearers, and ``unique_names`` joins only a
name one person bears. What tells the bearers apart is the household: the child's
mother, or a brother, is known at both addresses (her housing record at the old one,
her health record at the new), and only one of the Gary Morrises has a family of his
name that lived at the record's address.

``join_at_household_address`` joins a cluster of records without an NHS number (each
with a given name longer than an initial and a family name, one at least with a
postcode) to a person when

- of the persons with a date of birth or an NHS number who bear one of its names (by
  any record's main name or alias, or a formal name a nickname stands for: the bearers
  ``unique_names`` reads), exactly one **lives or lived at one of its postcodes**: that
  person has a record there, or another such person of the cluster's family name has
  records both there and at one of that person's postcodes (a household that moved);
- that person has one of the cluster's names, or a formal name of one, as a main name;
- a date of birth on the cluster is the person's, or a slip of it (``unique_names.SLIPS``);
- the cluster links at the review threshold to nobody else, except in pairs held
  apart (a mother and her son at the old address are guarded pairs, not candidates);
- the person is known by every other name on the cluster's records, and nothing holds
  them apart (a guarded or rejected pair, two recorded sexes: ``unique_names.held_apart``).

Unlike ``unique_names``, a person who has a record of the cluster's agency already may
be joined: "an agency knows a person once" keeps a second David Bailey of one school,
in another city, apart when the name is all there is; here the household places the
person at the record's address, and an agency's record from before the move beside its
record after it is the agency's own duplicate (at 1,000,000 independent records: about
800 more true pairs, no more persons merged; on the demo data as well).

Two bearers at the address (a mother and her daughter of one name, both dated) join
neither. What it cannot tell is a person known only by undated records (a mother
Rebecca Williams, none of whose records has a date of birth) and a dated namesake in a
household of her family name that moved: at 1,000,000 independent records, 2 of 3,715
joins were such. Batch runs of Sightline's own records only (household guards on, not
one to one), after ``unique_names``.
"""

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from sightline.linkage.rows import Row, at, column_of, present
from sightline.linkage.unique_names import (
    Members,
    arrow_column,
    bearing_arrays,
    bearing_formal_arrays,
    dates_fit,
    formal_of,
    join,
    known_by_its_names,
    unfit_clusters,
)

# Why a batch run joined two clusters by this rule (a merge's reason; ``batch.joins``).
REASON = "household address: the one person of the name whose household lived at the address"


def join_at_household_address(
    rows: Sequence[Row],
    labels: Sequence[int],
    links: Iterable[tuple[int, int]],
    *,
    cannot_link: Iterable[tuple[int, int]] = (),
) -> list[int]:
    """``labels`` (a cluster number per row) with each cluster without an NHS number
    joined to the one person of its name whose household lived at its address (see the
    module doc).

    ``links``: the pairs scored at or above the review threshold (guarded or not);
    ``cannot_link``: pairs that must stay apart (guarded, rejected)."""
    labels = list(labels)
    if len(labels) < 2:
        return labels
    cannot_link = list(cannot_link)
    clusters = np.asarray(labels, dtype=np.int64)
    has_nhs = present(rows, "nhs")
    given_column = arrow_column(rows, "given1", pa.string())
    family_column = arrow_column(rows, "family", pa.string())
    # Clusters are numbered by a member's position: a flag per number, no sorting.
    unfit_cluster = unfit_clusters(rows, labels)
    placed = np.zeros(len(labels), dtype=bool)
    placed[clusters[present(rows, "postcode")]] = True
    chosen = placed & ~unfit_cluster
    if not chosen.any():
        return labels
    dated = np.zeros(len(labels), dtype=bool)
    dated[clusters[present(rows, "dob") | has_nhs]] = True
    members = Members(labels)
    given = column_of(rows, "given1")
    family = column_of(rows, "family")
    postcodes = column_of(rows, "postcode")
    dates = column_of(rows, "dob")
    candidate_rows = np.flatnonzero(chosen[clusters]).tolist()
    formal = at(rows, candidate_rows, ("given_formal",))
    # Each cluster's names: its main names (given|family), and the formal names its
    # given names stand for (an undated "Bill Morris" is borne by every William Morris).
    mains: dict[int, set[str]] = {}
    looked_up: dict[int, set[str]] = {}
    own_rows: dict[int, list[int]] = {}
    for index in candidate_rows:
        names = formal[index]["given_formal"]
        label = labels[index]
        own_rows.setdefault(label, []).append(index)
        main = f"{given[index]}|{family[index]}"
        mains.setdefault(label, set()).add(main)
        looked = looked_up.setdefault(label, set())
        looked.add(main)
        looked.update(f"{name}|{family[index]}" for name in names or ())
    wanted = {key for keys in looked_up.values() for key in keys}
    # The dated or numbered clusters bearing each wanted name, and those whose record
    # has it as its main name, grouped in Arrow (a common name has thousands of records).
    records, keys = bearing_arrays(rows, wanted)
    held = pa.table(
        {
            "key": keys,
            "label": pa.array(clusters[records.to_numpy(zero_copy_only=False)], pa.int64()),
            "main": pc.binary_join_element_wise(
                given_column.take(records), family_column.take(records), "|"
            ),
        }
    )
    held = held.filter(pa.array(dated[held["label"].to_numpy()], pa.bool_()))
    bearers = _grouped(held)
    owners = _grouped(held.filter(pc.fill_null(pc.equal(held["key"], held["main"]), False)))
    # A nickname bears its formal names: "Bill Morris" is a bearer of William Morris.
    records, keys = bearing_formal_arrays(
        rows, formal_of(given), wanted, {key.split("|", 1)[1] for key in wanted}
    )
    found_labels = clusters[records.to_numpy(zero_copy_only=False)]
    keep = dated[found_labels]
    by_formal = _grouped(
        pa.table({"key": keys.filter(pa.array(keep)), "label": pa.array(found_labels[keep])})
    )
    for key, persons in by_formal.items():
        bearers.setdefault(key, set()).update(persons)
    found: dict[int, set[int]] = {}
    for label, keys in looked_up.items():
        persons = {person for key in keys for person in bearers.get(key, ())} - {label}
        if persons:
            found[label] = persons
    if not found:
        return labels
    # The households: dated or numbered persons of a cluster's family name with a record
    # at one of its postcodes, found in Arrow (a million records' family names and
    # postcodes are not looked at in Python).
    places = {
        f"{family[i]}|{postcodes[i]}" for label in found for i in own_rows[label] if postcodes[i]
    }
    postcode_column = arrow_column(rows, "postcode", pa.string())
    households = _dated_by(
        pc.binary_join_element_wise(family_column, postcode_column, "|"), places, clusters, dated
    )
    postcodes_of: dict[int, frozenset[str]] = {}

    def where(label: int) -> frozenset[str]:
        """A cluster's postcodes (read once a cluster)."""
        seen = postcodes_of.get(label)
        if seen is None:
            records = own_rows.get(label) or members[label]
            seen = postcodes_of[label] = frozenset(p for i in records if (p := postcodes[i]))
        return seen

    # Where each cluster's household lived: its own postcodes, and every postcode of a
    # person of its family name at one of them (a member of the household, known there).
    reach: dict[int, set[str]] = {}
    for label in found:
        here = set(where(label))
        for i in own_rows[label]:
            if postcodes[i]:
                for other in households.get(f"{family[i]}|{postcodes[i]}", ()):
                    if other != label:
                        here |= where(other)
        reach[label] = here
    # The dated or numbered persons with a record at each of those postcodes.
    lived_at = _dated_by(
        postcode_column, {p for seen in reach.values() for p in seen}, clusters, dated
    )

    target: dict[int, int] = {}
    for label, persons in found.items():
        # A bearer in the household itself (near) has a record at the cluster's own
        # postcode, so "another member known at both" never needs the bearer itself.
        lived_here = list(
            persons & {person for p in reach[label] for person in lived_at.get(p, ())}
        )
        if len(lived_here) != 1:
            continue
        person = lived_here[0]
        if not any(person in owners.get(key, ()) for key in looked_up[label]):
            continue
        ours = {d for i in own_rows[label] if (d := dates[i])}
        if dates_fit(ours, {d for i in members[person] if (d := dates[i])}):
            target[label] = person
    if not target:
        return labels
    # Known by other names too (an alias, a previous family name): only as the person.
    target = known_by_its_names(rows, members, target, mains.__getitem__)
    # Nobody else is linked at the review threshold, but for pairs held apart (the
    # mother and the brother at the old address are guarded pairs).
    apart = {(min(a, b), max(a, b)) for a, b in cannot_link}
    others: dict[int, set[int]] = {}
    for left, right in links:
        if labels[left] == labels[right] or (min(left, right), max(left, right)) in apart:
            continue
        for record, other in ((left, right), (right, left)):
            if labels[record] in target:
                others.setdefault(labels[record], set()).add(labels[other])
    target = {
        label: person for label, person in target.items() if not others.get(label, set()) - {person}
    }
    return join(rows, labels, members, target, cannot_link)


def _grouped(held: pa.Table) -> dict[str, set[int]]:
    """The labels of ``held`` by key."""
    grouped = held.group_by("key").aggregate([("label", "distinct")])
    return {
        key: set(labels)
        for key, labels in zip(
            grouped["key"].to_pylist(), grouped["label_distinct"].to_pylist(), strict=True
        )
    }


def _dated_by(
    keys: pa.Array,
    wanted: set[str],
    clusters: npt.NDArray[np.int64],
    dated: npt.NDArray[np.bool_],
) -> dict[str, set[int]]:
    """The dated or numbered clusters (``dated``, by cluster number) of the records
    whose key (one per record, in ``keys``) is ``wanted``, by key."""
    if not wanted:
        return {}
    hit = pc.fill_null(pc.is_in(keys, value_set=pa.array(sorted(wanted), pa.string())), False)
    records = np.flatnonzero(hit.to_numpy(zero_copy_only=False))
    found = clusters[records]
    keep = dated[found]
    return _grouped(
        pa.table(
            {
                "key": keys.take(pa.array(records[keep], pa.int64())),
                "label": pa.array(found[keep], pa.int64()),
            }
        )
    )
