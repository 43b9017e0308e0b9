"""Records into persons: joining linked pairs, strongest first, under constraints. Pure.

Plain connected components would let a chain of links join two records that must stay
apart (twin A links to a nameless record C, C links to twin B). Here a join is refused
when it would put together:
- two records a practitioner decided are different people (a rejected match, an un-merge),
- two records whose pair is guarded (possible twins, siblings, namesakes), or
- two different valid NHS numbers, or
- in one-to-one linkage of deduplicated sources, two records of the same source.
Pairs a practitioner confirmed are joined first, whatever the model says.

Joining strongest first makes one-to-one linkage "best link first": a record joins the
other source's record it links to most strongly, unless that record was taken by a
stronger link (Splink's ``cluster_using_single_best_links`` is the same idea; ours keeps
the other constraints above).
"""

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from sightline.linkage import components
from sightline.linkage.comparisons import dates_apart


@dataclass(frozen=True)
class Edge:
    left: int
    right: int
    weight: float


class _Clusters:
    def __init__(
        self,
        size: int,
        nhs: Sequence[str | None],
        sources: Sequence[str] | None,
        dates: Sequence[str | None] | None = None,
    ) -> None:
        self.parent = list(range(size))
        self.members: dict[int, list[int]] = {i: [i] for i in range(size)}
        self.nhs: dict[int, set[str]] = {i: {n} for i, n in enumerate(nhs) if n}
        self.dates: dict[int, set[str]] = {i: {d} for i, d in enumerate(dates or ()) if d}
        self.sources: dict[int, set[str]] | None = (
            {i: {source} for i, source in enumerate(sources)} if sources is not None else None
        )

    def find(self, item: int) -> int:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: int, b: int) -> None:
        if len(self.members[a]) < len(self.members[b]):
            a, b = b, a
        self.parent[b] = a
        self.members[a].extend(self.members.pop(b))
        if b in self.nhs:
            self.nhs.setdefault(a, set()).update(self.nhs.pop(b))
        if b in self.dates:
            self.dates.setdefault(a, set()).update(self.dates.pop(b))
        if self.sources is not None:
            self.sources[a].update(self.sources.pop(b))


def overruled_by_number(
    held_apart: Iterable[tuple[int, int]],
    edges: Iterable[Edge],
    nhs: Sequence[str | None],
) -> list[tuple[int, int]]:
    """``held_apart`` without the pairs an NHS number overrules.

    A guard reads two records' names; an NHS number says whose a record is. Record
    ``y`` carries a number that another record ``x`` carries too, so ``x`` and ``y`` are
    one person however ``y`` spells the name (Jody beside Jodie, Andrev beside Andrew,
    Micah beside Michael, one number). A record ``s`` linked automatically to ``x`` (the
    model over the threshold and no guard on the pair: names that are one name) is then
    not held apart from ``y`` by ``y``'s spelling: the pair (``s``, ``y``) is left out.
    Otherwise every member of ``x``'s person holds ``s`` out of it, and the school record
    of Jodie Fisher stays a person of its own because the social care record says Jody.
    Pairs where ``s`` has a number of its own are kept (different numbers keep apart
    anyway)."""
    held_apart = list(held_apart)
    # Only the records of these pairs and their numbers are read (a million records'
    # links are not indexed for a few thousand pairs).
    numbers = {nhs[i] for pair in held_apart for i in pair if nhs[i]}
    unnumbered = {i for pair in held_apart for i in pair if not nhs[i]}
    if not numbers or not unnumbered:
        return held_apart
    by_number: dict[str, set[int]] = {}
    for index, number in enumerate(nhs):
        if number and number in numbers:
            by_number.setdefault(number, set()).add(index)
    linked: dict[int, set[int]] = {}
    for edge in edges:
        if edge.left in unnumbered:
            linked.setdefault(edge.left, set()).add(edge.right)
        if edge.right in unnumbered:
            linked.setdefault(edge.right, set()).add(edge.left)
    kept = []
    for a, b in held_apart:
        overruled = False
        for s, y in ((a, b), (b, a)):
            number = nhs[y]
            if nhs[s] or not number:
                continue
            if linked.get(s, set()) & (by_number[number] - {y}):
                overruled = True
        if not overruled:
            kept.append((a, b))
    return kept


def ambiguous_records(
    edges: Iterable[Edge],
    *,
    nhs: Sequence[str | None] | None = None,
    cannot_link: Iterable[tuple[int, int]] = (),
    weak: Collection[int] | None = None,
    possible: Iterable[Edge] = (),
) -> set[int]:
    """Records that link to two records which must stay apart (a guarded pair, or two
    different valid NHS numbers): the record fits both, so which one it belongs to is a
    guess. Joining strongest first would put it with whichever scored a little higher;
    a record without a date of birth (or a given name) that links to a parent and a
    child sharing a name, or to both twins, would then show one person's record under
    the other. Such a record is left to review instead.

    ``weak``, when given: the records that cannot tell two guarded records apart
    themselves (no date of birth, no given name, or an initial). Only they are made
    ambiguous by a guarded pair: a record with a date of birth and a given name that
    links to two records held apart (two mistyped copies of its own name, say) tells
    which of them is nearer, and joining strongest first decides. For them, links at
    the review threshold (``possible``) count as well: an undated record that links
    automatically to one child and fits that child's namesake brother at the review
    threshold is a guess between the two. Two different NHS numbers count for every
    record, through ``edges`` alone.
    """
    apart = {(min(a, b), max(a, b)) for a, b in cannot_link}
    neighbours: dict[int, list[int]] = {}
    for edge in edges:
        neighbours.setdefault(edge.left, []).append(edge.right)
        neighbours.setdefault(edge.right, []).append(edge.left)
    candidates: dict[int, list[int]] = {}
    if weak is not None:
        for edge in possible:
            for record, other in ((edge.left, edge.right), (edge.right, edge.left)):
                if record in weak:
                    candidates.setdefault(record, []).append(other)
    found: set[int] = set()
    # A record with no automatic link joins no one: nothing to hold back.
    for record, linked in neighbours.items():
        numbers = {nhs[other] for other in linked if nhs[other]} if nhs is not None else set()
        if len(numbers) > 1:
            found.add(record)
            continue
        if weak is not None:
            if record not in weak:
                continue
            linked = list(dict.fromkeys(linked + candidates.get(record, [])))
        if len(linked) < 2:
            continue
        if any(
            (min(a, b), max(a, b)) in apart for i, a in enumerate(linked) for b in linked[i + 1 :]
        ):
            found.add(record)
    return found


def fits_two_persons(
    size: int,
    edges: Sequence[Edge],
    *,
    weak: Collection[int],
    nhs: Sequence[str | None] | None = None,
    cannot_link: Iterable[tuple[int, int]] = (),
    must_link: Iterable[tuple[int, int]] = (),
    one_per_source: Sequence[str] | None = None,
    dates: Sequence[str | None] | None = None,
) -> set[int]:
    """Weak records (``weak``: no date of birth, no given name, or an initial) whose
    links reach two *persons* that must stay apart: ``ambiguous_records`` read on
    clusters instead of pairs.

    The persons are those the other records make first (``cluster`` of the links
    between records that can tell twins apart, as it joins them before any weak
    record's link). Two of them must stay apart when joining them is refused: two
    different NHS numbers, two dates of birth apart (``comparisons.dates_apart``),
    or a guarded pair (``cannot_link``) with one record in each. A weak record that
    links automatically to both fits both, whichever scored a little higher. Only
    automatic links count here: at the review threshold an undated record fits every
    namesake in the country born in another year (measured on the independent corpus,
    counting them held back about 120 records at 100,000, nearly all rightly linked). Pairwise, it fits two records that are not
    themselves a guarded pair: Rita Martin, no date of birth, at the address of her
    sister Margaret (2015; Rita is Margaret's nickname) and of her own dated record
    (2016); the two sisters' records were never compared, so only their dates of birth
    hold them apart, and the undated record went to whichever scored higher.
    """
    weak = set(weak)
    if not weak:
        return set()
    edges = list(edges)
    cannot_link = list(cannot_link)
    strong = [e for e in edges if e.left not in weak and e.right not in weak]
    labels = cluster(
        size,
        strong,
        nhs=nhs,
        cannot_link=cannot_link,
        must_link=must_link,
        one_per_source=one_per_source,
        dates=dates,
    )
    reach: dict[int, set[int]] = {}
    for edge in edges:
        for record, other in ((edge.left, edge.right), (edge.right, edge.left)):
            if record in weak and labels[other] != labels[record]:
                reach.setdefault(record, set()).add(labels[other])
    reach = {record: found for record, found in reach.items() if len(found) > 1}
    if not reach:
        return set()
    wanted = set().union(*reach.values())
    members: dict[int, list[int]] = {}
    for record, label in enumerate(labels):
        if label in wanted:
            members.setdefault(label, []).append(record)
    apart: dict[int, set[int]] = {}
    for a, b in cannot_link:
        apart.setdefault(a, set()).add(b)
        apart.setdefault(b, set()).add(a)

    def numbers(label: int) -> set[str]:
        return {n for r in members[label] if (n := nhs[r])} if nhs is not None else set()

    def born(label: int) -> set[str]:
        return {d for r in members[label] if (d := dates[r])} if dates is not None else set()

    def held_apart(a: int, b: int) -> bool:
        nhs_a, nhs_b = numbers(a), numbers(b)
        if nhs_a and nhs_b and nhs_a != nhs_b:
            return True
        if not (nhs_a and nhs_b and nhs_a == nhs_b) and any(
            dates_apart(x, y) for x in born(a) for y in born(b)
        ):
            return True
        return any(labels[o] == b for r in members[a] for o in apart.get(r, ()))

    found: set[int] = set()
    for record, clusters in reach.items():
        ordered = sorted(clusters)
        if any(held_apart(a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :]):
            found.add(record)
    return found


# From this many records on, components without a conflict are joined in C
# (``components``); the result is the same.
SPLIT_AT = 10_000


def cluster(
    size: int,
    edges: Iterable[Edge],
    *,
    nhs: Sequence[str | None] | None = None,
    cannot_link: Iterable[tuple[int, int]] = (),
    must_link: Iterable[tuple[int, int]] = (),
    one_per_source: Sequence[str] | None = None,
    dates: Sequence[str | None] | None = None,
    weak: Collection[int] = (),
) -> list[int]:
    """A cluster number for each of ``size`` records (the smallest member's index).

    ``one_per_source``, each record's source, when every source is free of duplicates:
    no cluster then takes two records of one source (except through ``must_link``).
    ``dates``, each record's date of birth (ISO) or None: no cluster then takes two
    dates that are not one date mistyped (``comparisons.dates_apart``), except through
    ``must_link`` or an agreeing NHS number. One person has one date of birth: a chain
    of links through records without a date (or with a name that differs) would
    otherwise put two children of a family born years apart in one person.
    ``weak``: the records that cannot tell two guarded records apart (no date of birth,
    no given name, or an initial; ``batch.cannot_tell_apart``). Their links are joined
    after every link between two records that can, whatever the weights: the records
    that can tell twins apart settle who is who first, and a weak record then joins only
    a cluster holding nothing it is held apart from (the constraints above, on the whole
    cluster). Otherwise a weak record's link could come first (``Sa`` for Samuel, one
    letter from ``Sam``, at 1.0) and its constraints then keep the rest of its own
    person out of the cluster it took: one twin's record in the other twin's person.
    """
    if one_per_source is not None and len(one_per_source) != size:
        raise ValueError("one source per record")
    edges, cannot_link, must_link = list(edges), list(cannot_link), list(must_link)
    if size < SPLIT_AT:
        return _strongest_first(
            size, edges, nhs, cannot_link, must_link, one_per_source, dates, weak
        )
    labels, hard = components.split(
        size,
        [(edge.left, edge.right) for edge in edges] + must_link,
        nhs=nhs,
        cannot_link=cannot_link,
        one_per_source=one_per_source,
        dates=dates,
    )
    if not hard:
        return labels
    # The components with a conflict, renumbered in order (so a cluster's smallest local
    # index is its smallest record), strongest first; they never join one another.
    local = {record: position for position, record in enumerate(hard)}
    inside = [
        Edge(local[edge.left], local[edge.right], edge.weight)
        for edge in edges
        if edge.left in local
    ]
    sub_labels = _strongest_first(
        len(hard),
        inside,
        [nhs[record] for record in hard] if nhs is not None else None,
        [(local[a], local[b]) for a, b in cannot_link if a in local and b in local],
        [(local[a], local[b]) for a, b in must_link if a in local],
        [one_per_source[record] for record in hard] if one_per_source is not None else None,
        [dates[record] for record in hard] if dates is not None else None,
        {local[record] for record in weak if record in local},
    )
    for position, record in enumerate(hard):
        labels[record] = hard[sub_labels[position]]
    return labels


def _strongest_first(
    size: int,
    edges: Iterable[Edge],
    nhs: Sequence[str | None] | None,
    cannot_link: Iterable[tuple[int, int]],
    must_link: Iterable[tuple[int, int]],
    one_per_source: Sequence[str] | None,
    dates: Sequence[str | None] | None = None,
    weak: Collection[int] = (),
) -> list[int]:
    clusters = _Clusters(size, nhs if nhs is not None else [None] * size, one_per_source, dates)
    apart: dict[int, set[int]] = {}
    for a, b in cannot_link:
        apart.setdefault(a, set()).add(b)
        apart.setdefault(b, set()).add(a)

    def allowed(root_a: int, root_b: int) -> bool:
        nhs_a, nhs_b = clusters.nhs.get(root_a), clusters.nhs.get(root_b)
        if nhs_a and nhs_b and nhs_a != nhs_b:
            return False
        if clusters.sources is not None and clusters.sources[root_a] & clusters.sources[root_b]:
            return False
        dates_a, dates_b = clusters.dates.get(root_a), clusters.dates.get(root_b)
        if (
            dates_a
            and dates_b
            and not (nhs_a and nhs_b and nhs_a == nhs_b)
            and any(dates_apart(x, y) for x in dates_a for y in dates_b)
        ):
            return False
        small, large = sorted((root_a, root_b), key=lambda r: len(clusters.members[r]))
        for member in clusters.members[small]:
            others = apart.get(member)
            if others and any(clusters.find(o) == large for o in others):
                return False
        return True

    for a, b in must_link:
        root_a, root_b = clusters.find(a), clusters.find(b)
        if root_a != root_b:
            clusters.union(root_a, root_b)
    weak = set(weak)

    def order(edge: Edge) -> tuple[bool, float, int, int]:
        return (edge.left in weak or edge.right in weak, -edge.weight, edge.left, edge.right)

    for edge in sorted(edges, key=order):
        root_a, root_b = clusters.find(edge.left), clusters.find(edge.right)
        if root_a != root_b and allowed(root_a, root_b):
            clusters.union(root_a, root_b)
    labels = [0] * size
    for root, members in clusters.members.items():
        del root
        label = min(members)
        for member in members:
            labels[member] = label
    return labels
