"""A synthetic network for ``sightline bench-networks``: people, places and associations.

The shape (pure, seeded): people live in neighbourhood blocks of 50; most links are to
someone in the same block, some to anyone; a fifth of the links are to places, and a few
places (schools, a station) are busier than the rest. Loading goes through one action,
``load_benchmark_network``, which writes one audit row.
"""

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction

from sightline.accounts.models import User
from sightline.agencies.models import Agency
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.networks.models import Association, Confidence, Context, ContextKind, Nature
from sightline.people.models import Involvement, InvolvementRole, Person

BATCH = 5_000
BLOCK = 50
BENCH_GIVEN_NAME = "Bench"
_PERSON_NATURES = [Nature.ASSOCIATES_WITH] * 6 + [Nature.SEEN_WITH] * 3 + [Nature.EXPLOITED_BY]
_CONTEXT_NATURES = (
    [Nature.ASSOCIATES_WITH] * 5
    + [Nature.SEEN_WITH] * 3
    + [
        Nature.MISSING_FROM,
        Nature.FOUND_AT,
        Nature.VICTIM_AT,
    ]
)
_CONFIDENCES = [Confidence.CONFIRMED, Confidence.PROBABLE, Confidence.PROBABLE, Confidence.POSSIBLE]
_CONTEXT_KINDS = [
    ContextKind.PARK,
    ContextKind.SHOP,
    ContextKind.STATION,
    ContextKind.ADDRESS,
    ContextKind.SCHOOL,
    ContextKind.ONLINE_SPACE,
    ContextKind.PEER_GROUP,
]


@dataclass(frozen=True)
class PlannedLink:
    a: int  # index of the person
    b: int | None  # index of the other person, or None for a place
    context: int | None  # index of the place
    nature: str
    confidence: str
    started_on: dt.date


def plan_links(
    *, people: int, contexts: int, links: int, seed: int, start: int = 0
) -> Iterator[PlannedLink]:
    """The ``start``-th to ``links``-th synthetic links over ``people`` and ``contexts``.

    Deterministic for a seed, and resumable: the i-th link is the same whatever ``start``.
    """
    if people < BLOCK * 2:
        raise ValueError(f"people must be at least {BLOCK * 2}")
    if contexts < 1:
        raise ValueError("contexts must be at least 1")
    busy = max(1, contexts // 50)  # 2% of places are busy (schools, the station)
    for i in range(start, links):
        rng = random.Random(seed * 1_000_003 + i)  # noqa: S311 (synthetic data)
        a = rng.randrange(people)
        started = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(5 * 365))
        confidence = rng.choice(_CONFIDENCES)
        if rng.random() < 0.2:
            place = rng.randrange(busy) if rng.random() < 0.3 else rng.randrange(contexts)
            yield PlannedLink(a, None, place, rng.choice(_CONTEXT_NATURES), confidence, started)
            continue
        if rng.random() < 0.85:
            block = a - a % BLOCK
            b = block + rng.randrange(BLOCK)
        else:
            b = rng.randrange(people)
        if b == a or b >= people:
            b = (a + 1) % people
        yield PlannedLink(a, b, None, rng.choice(_PERSON_NATURES), confidence, started)


@dataclass(frozen=True)
class Loaded:
    people_added: int
    contexts_added: int
    links_added: int
    involvements_added: int


@transaction.atomic
def load_benchmark_network(
    *,
    actor: User | None,
    origin: Origin,
    agency: Agency,
    viewer: User,
    people: int,
    contexts: int,
    links: int,
    visible_share: float,
    seed: int,
) -> Loaded:
    """Top the benchmark network up to ``people``, ``contexts`` and ``links`` (synthetic,
    given name "Bench"), and give ``viewer`` involvements with ``visible_share`` of them."""
    if not 0 <= visible_share <= 1:
        raise ValueError("visible_share must be between 0 and 1")
    existing_people = list(
        Person.objects.filter(given_name=BENCH_GIVEN_NAME)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    new_people = [
        Person(
            given_name=BENCH_GIVEN_NAME,
            family_name=f"Network{n:06d}",
            search_name=f"bench network{n:06d}",
            # Four in five are children.
            date_of_birth=dt.date(2008 if n % 5 else 1985, 1, 1) + dt.timedelta(days=n % 3000),
            sex="X",
        )
        for n in range(len(existing_people), people)
    ]
    Person.objects.bulk_create(new_people, batch_size=BATCH)
    person_ids = existing_people + [p.pk for p in new_people]

    existing_contexts = list(
        Context.objects.filter(recorded_by_agency=agency)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    new_contexts = [
        Context(
            kind=_CONTEXT_KINDS[n % len(_CONTEXT_KINDS)],
            name=f"Benchmark place {n}",
            recorded_by_agency=agency,
        )
        for n in range(len(existing_contexts), contexts)
    ]
    Context.objects.bulk_create(new_contexts, batch_size=BATCH)
    context_ids = existing_contexts + [c.pk for c in new_contexts]

    have = Association.objects.filter(source_agency=agency).count()
    added = 0
    batch: list[Association] = []
    for planned in plan_links(
        people=len(person_ids), contexts=len(context_ids), links=links, seed=seed, start=have
    ):
        batch.append(
            Association(
                person_id=person_ids[planned.a],
                other_person_id=person_ids[planned.b] if planned.b is not None else None,
                context_id=context_ids[planned.context] if planned.context is not None else None,
                nature=planned.nature,
                confidence=planned.confidence,
                source_agency=agency,
                started_on=planned.started_on,
            )
        )
        if len(batch) >= BATCH:
            Association.objects.bulk_create(batch)
            added += len(batch)
            batch = []
    Association.objects.bulk_create(batch)
    added += len(batch)

    already = set(
        Involvement.objects.filter(practitioner=viewer).values_list("person_id", flat=True)
    )
    rng = random.Random(seed)  # noqa: S311 (synthetic data)
    wanted = [pk for pk in person_ids if rng.random() < visible_share and pk not in already]
    Involvement.objects.bulk_create(
        [
            Involvement(
                person_id=pk,
                agency=agency,
                practitioner=viewer,
                role=InvolvementRole.POLICE_OFFICER,
                started_on=dt.date(2020, 1, 1),
            )
            for pk in wanted
        ],
        batch_size=BATCH,
    )
    result = Loaded(len(new_people), len(new_contexts), added, len(wanted))
    record_audit(
        actor=actor,
        action=AuditAction.LOAD_DEMO_DATA,
        origin=origin,
        detail={
            "benchmark": "networks",
            "people_added": result.people_added,
            "contexts_added": result.contexts_added,
            "associations_added": result.links_added,
            "involvements_added": result.involvements_added,
        },
    )
    return result
