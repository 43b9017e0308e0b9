"""Synthetic networks on top of the demo data (``sightline load-demo-networks``).

The demo data plants an exploitation pattern: some children go missing repeatedly and
have exploitation intelligence. This groups them into peer groups, each with a place it
meets at, a group chat and an adult of concern, and says where their missing episodes
started and ended, all through the ordinary actions, so the network view, the signals
and the exploitation meeting have something to show. Deterministic for a seed.
"""

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from sightline.accounts.models import Role, User
from sightline.agencies.models import Agency, AgencyKind
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction, AuditEvent
from sightline.chronology.models import ChronologyEvent
from sightline.networks import actions
from sightline.networks.models import Confidence, Context, ContextKind, Nature
from sightline.people.models import Person

GROUP_SIZE = 4
_PLACES = (
    (ContextKind.PARK, "Recreation ground, {area}"),
    (ContextKind.SHOP, "Chicken shop, {area} high street"),
    (ContextKind.STATION, "{area} bus station"),
    (ContextKind.ADDRESS, "Flat above the launderette, {area}"),
)


class DemoNetworksError(Exception):
    pass


@dataclass(frozen=True)
class DemoNetworks:
    groups: int
    children: int
    associations: int


def already_loaded() -> bool:
    return AuditEvent.objects.filter(
        action=AuditAction.LOAD_DEMO_DATA, detail__networks=True
    ).exists()


def _area(person: Person) -> str:
    district = (person.postcode or "").split(" ")[0]
    return district or "Westvale"


@transaction.atomic
def load_demo_networks(*, origin: Origin, seed: int, as_of: dt.date) -> DemoNetworks:
    """Add the demo's extra-familial networks. Refused if already added or if the demo
    data (with its police officer and exploited children) is not there."""
    if already_loaded():
        raise DemoNetworksError("the demo networks are already loaded")
    police = Agency.objects.filter(kind=AgencyKind.POLICE).order_by("pk").first()
    officer = (
        User.objects.filter(agency=police, role=Role.PRACTITIONER, is_active=True)
        .order_by("pk")
        .first()
    )
    lead = User.objects.filter(role=Role.TEAM_MANAGER, is_active=True).order_by("pk").first()
    if police is None or officer is None or lead is None:
        raise DemoNetworksError("load the demo data first (sightline load-demo-data)")
    adult_born_before = dt.date(as_of.year - 25, 1, 1)
    child_born_after = dt.date(as_of.year - 18, as_of.month, 1)
    flagged = (
        ChronologyEvent.objects.filter(
            category__code__in=("exploitation_intelligence", "missing_episode"),
            superseded_by__isnull=True,
            person__merged_into__isnull=True,
            person__date_of_birth__gt=child_born_after,
        )
        .values_list("person_id", flat=True)
        .distinct()
    )
    children = list(Person.objects.filter(pk__in=flagged).order_by("pk"))
    if len(children) < 3:
        raise DemoNetworksError("the demo data holds fewer than 3 exploited children")
    rng = random.Random(seed)  # noqa: S311 (synthetic data)
    rng.shuffle(children)
    adults = list(
        Person.objects.filter(
            merged_into__isnull=True,
            date_of_birth__lt=adult_born_before,
            source_records__agency=police,
        )
        .distinct()
        .order_by("pk")[: len(children)]
    )
    others = list(
        Person.objects.filter(merged_into__isnull=True, date_of_birth__gt=child_born_after)
        .exclude(pk__in=[c.pk for c in children])
        .order_by("pk")[: len(children) * 3]
    )
    start = as_of - dt.timedelta(days=200)
    made = 0
    groups = [children[i : i + GROUP_SIZE] for i in range(0, len(children), GROUP_SIZE)]
    if len(groups) > 1 and len(groups[-1]) < 3:
        groups[-2].extend(groups.pop())
    for number, group in enumerate(groups):
        area = _area(group[0])
        kind, pattern = _PLACES[number % len(_PLACES)]
        place = actions.record_context(
            actor=officer, origin=origin, kind=kind, name=pattern.format(area=area), area=area
        )
        chat = actions.record_context(
            actor=officer,
            origin=origin,
            kind=ContextKind.ONLINE_SPACE,
            name=f"Group chat '{area} {number + 1}'",
            description="Invitation-only group on a messaging app; orders and locations shared.",
        )
        actions.raise_concern(
            actor=officer,
            origin=origin,
            context=place,
            started_on=start,
            reason="Repeated reports of older males supplying drugs to teenagers here.",
        )

        def link(
            person: Person,
            *,
            nature: str,
            confidence: str,
            other_person: Person | None = None,
            context: Context | None = None,
        ) -> None:
            nonlocal made
            actions.record_association(
                actor=officer,
                origin=origin,
                person=person,
                other_person=other_person,
                context=context,
                nature=nature,
                confidence=confidence,
                source_agency=police,
                started_on=start + dt.timedelta(days=rng.randrange(60)),
            )
            made += 1

        for i, child in enumerate(group):
            for peer in group[i + 1 :]:
                link(
                    child,
                    other_person=peer,
                    nature=Nature.ASSOCIATES_WITH,
                    confidence=Confidence.PROBABLE,
                )
            link(
                child, context=chat, nature=Nature.ASSOCIATES_WITH, confidence=Confidence.CONFIRMED
            )
            for friend in rng.sample(others, min(2, len(others))):
                link(
                    child,
                    other_person=friend,
                    nature=Nature.ASSOCIATES_WITH,
                    confidence=Confidence.POSSIBLE,
                )
        if adults:
            adult = adults.pop(0)
            actions.raise_concern(
                actor=officer,
                origin=origin,
                person=adult,
                started_on=start,
                reason="Intelligence that he recruits local children to carry drugs.",
            )
            for child in group[:2]:
                link(
                    child,
                    other_person=adult,
                    nature=Nature.EXPLOITED_BY,
                    confidence=Confidence.PROBABLE,
                )
        made += _missing_places(officer, origin, group, place)
        if number == 0:
            actions.refer_context(
                actor=officer,
                origin=origin,
                context=place,
                referred_on=as_of - dt.timedelta(days=30),
                reason="Several children on the exploitation list are seen here most evenings.",
            )
            actions.record_context_assessment(
                actor=lead,
                origin=origin,
                context=place,
                assessed_on=as_of - dt.timedelta(days=14),
                what_happens="Children are given cannabis and asked to carry packages.",
                when_it_happens="Weekday evenings from about 6pm; later at weekends.",
                who_is_involved="Four children known to us, two adults seen in a car.",
                what_would_make_it_safer="Lighting, detached youth work, police patrols, "
                "the shop's guardianship scheme.",
            )
    record_audit(
        actor=None,
        action=AuditAction.LOAD_DEMO_DATA,
        origin=origin,
        detail={"networks": True, "seed": seed, "groups": len(groups), "associations": made},
    )
    return DemoNetworks(len(groups), len(children), made)


def _missing_places(officer: User, origin: Origin, group: list[Person], place: Context) -> int:
    """Say that the group's missing episodes started and ended at its place."""
    events = ChronologyEvent.objects.filter(
        Q(category__code="missing_episode") | Q(category__code="found_after_missing"),
        person__in=group,
        superseded_by__isnull=True,
        network_location__isnull=True,
    ).order_by("occurred_at", "pk")
    by_person: dict[int, int] = defaultdict(int)
    made = 0
    for event in events:
        if by_person[event.person_id] >= 4:  # a few each is enough to show
            continue
        by_person[event.person_id] += 1
        result = actions.record_event_context(
            actor=officer, origin=origin, event=event, context=place
        )
        made += len(result.created)
    return made
