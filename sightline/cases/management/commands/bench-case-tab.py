"""``sightline bench-case-tab``: how fast the Case part of a child's page is served for a
child with a long case history (issue 14: 20 episodes, p95 at most 150 ms).

Makes one benchmark child (once) with ``--episodes`` episodes of need, each with an
assessment, a strategy discussion that started a section 47 enquiry, an initial
conference that started a child protection plan, a review conference that ended it, and
the episode's closure; and looked-after episodes with placement changes and allocations
that changed hands. Everything is written through ``cases.actions``, as a worker's
browser or an import would write it. Then it times ``--requests`` requests of the Case
part (the panel the child's page loads) through Django's whole stack in-process
(middleware, session, access check and audit row, the case's queries, the template),
beside the same SELECT statements run directly on a cursor.
"""

import datetime as dt
import json
import platform
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, reset_queries, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from sightline.accounts.models import Role, User
from sightline.agencies.models import Agency, AgencyKind, Team
from sightline.audit.actions import CLI
from sightline.cases import actions
from sightline.cases.models import EpisodeOfNeed
from sightline.chronology.benchmark import Timing, summarise
from sightline.people.actions import record_involvement
from sightline.people.models import InvolvementRole, Person

AGENCY = "BENCH-CASE-CSC"
CHILD_NAME = ("Bench", "Casehistory")
FIRST_REFERRAL = dt.date(2019, 1, 7)
# Each episode: referral, assessment and strategy discussion the next day, conference on
# day 14, plan ended by review on day 70, episode closed on day 80; the next 90 days on.
EPISODE_DAYS = 90


class Command(BaseCommand):
    help = "Time the Case part of the child's page for a child with many episodes of need."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--episodes", type=int, default=20)
        parser.add_argument("--requests", type=int, default=200)
        parser.add_argument("--allow-sqlite", action="store_true", help="for a quick look only")
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql" and not options["allow_sqlite"]:
            raise CommandError(
                "The benchmark is defined on PostgreSQL: set DATABASE_URL (or pass --allow-sqlite)."
            )
        if options["requests"] < 50:
            raise CommandError("--requests must be at least 50")
        last = FIRST_REFERRAL + dt.timedelta(days=EPISODE_DAYS * options["episodes"])
        if last > dt.date.today():  # noqa: DTZ011 - a bound on synthetic dates
            raise CommandError(f"--episodes {options['episodes']} would reach past today")
        call_command("collectstatic", interactive=False, verbosity=0)
        agency = Agency.objects.get_or_create(
            code=AGENCY,
            defaults={
                "name": "Benchmark Children's Social Care",
                "kind": AgencyKind.CHILDRENS_SOCIAL_CARE,
            },
        )[0]
        team = Team.objects.get_or_create(agency=agency, name="Benchmark Case Team")[0]
        viewer = self._viewer(agency, team)
        child = self._child(agency, viewer, options["episodes"])
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

        client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0])
        client.force_login(viewer)
        device, _ = TOTPDevice.objects.get_or_create(
            user=viewer, name="bench", defaults={"confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        url = reverse("person-panel", kwargs={"public_id": child.public_id, "panel": "case"})
        timing, raw, queries = self._time(client, url, options["requests"])
        episodes = EpisodeOfNeed.objects.current().filter(child=child).count()
        figures = {
            "episodes": episodes,
            "requests": timing.samples,
            "median_ms": round(timing.median_ms, 1),
            "p95_ms": round(timing.p95_ms, 1),
            "raw_sql_median_ms": round(raw.median_ms, 2),
            "raw_sql_p95_ms": round(raw.p95_ms, 2),
            "queries_per_request": queries,
            "target_p95_ms": 150,
            "met": timing.p95_ms <= 150,
            "database": connection.vendor,
            "python": platform.python_version(),
        }
        if options["json"]:
            self.stdout.write(json.dumps(figures, indent=2))
            return
        self.stdout.write(
            f"Case part of the child's page, {episodes} episodes of need, "
            f"{timing.samples} requests on {connection.vendor}:\n"
            f"  median {timing.median_ms:.1f} ms, p95 {timing.p95_ms:.1f} ms "
            f"(target p95 <= 150 ms: {'met' if figures['met'] else 'NOT met'})\n"
            f"  raw SQL of one request: median {raw.median_ms:.2f} ms, p95 {raw.p95_ms:.2f} ms; "
            f"{queries} queries per request"
        )

    def _time(self, client: Client, url: str, n: int) -> tuple[Timing, Timing, int]:
        secure = bool(settings.SECURE_SSL_REDIRECT)
        headers = {"HX-Request": "true"}
        for _ in range(5):  # warm caches and connections
            response = client.get(url, secure=secure, headers=headers)
            if response.status_code != 200 or b'id="case-panel"' not in response.content:
                raise CommandError(f"{url} answered {response.status_code} without the Case part")
        reset_queries()  # a full query log would capture nothing
        with CaptureQueriesContext(connection) as captured:
            client.get(url, secure=secure, headers=headers)
        queries = len(captured.captured_queries)  # before the next request resets the log
        selects = [
            q["sql"]
            for q in captured.captured_queries
            if q["sql"].lstrip().upper().startswith("SELECT") and "audit_" not in q["sql"]
        ]
        request_times, raw_times = [], []
        for _ in range(n):
            start = time.perf_counter()
            client.get(url, secure=secure, headers=headers)
            request_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            with connection.cursor() as cursor:
                for sql in selects:
                    cursor.execute(sql)
                    cursor.fetchall()
            raw_times.append(time.perf_counter() - start)
        return (
            summarise("case tab", request_times),
            summarise("raw SQL", raw_times),
            queries,
        )

    def _viewer(self, agency: Agency, team: Team) -> User:
        user, created = User.objects.get_or_create(
            username="bench.caseworker",
            defaults={
                "agency": agency,
                "team": team,
                "role": Role.PRACTITIONER,
                "first_name": "Bench",
                "last_name": "Caseworker",
            },
        )
        if created:
            user.set_unusable_password()
            user.save()
        return user

    def _child(self, agency: Agency, worker: User, episodes: int) -> Person:
        given, family = CHILD_NAME
        child = Person.objects.filter(
            given_name=given, family_name=family, involvements__agency=agency
        ).first()
        if child is not None and (
            EpisodeOfNeed.objects.current().filter(child=child).count() >= episodes
        ):
            return child
        if child is None:
            child = Person.objects.create(
                given_name=given,
                family_name=family,
                search_name=f"{given} {family}".lower(),
                date_of_birth=dt.date(2012, 6, 1),
                postcode="LS1 4AP",
            )
            record_involvement(
                actor=None,
                person=child,
                agency=agency,
                practitioner=worker,
                role=InvolvementRole.ALLOCATED_SOCIAL_WORKER,
                started_on=FIRST_REFERRAL,
                origin=CLI,
            )
        have = EpisodeOfNeed.objects.current().filter(child=child).count()
        self.stdout.write(f"writing {episodes - have} episodes of need through the actions")
        for number in range(have, episodes):
            self._episode(agency, child, FIRST_REFERRAL + dt.timedelta(days=EPISODE_DAYS * number))
        self._looked_after(agency, child, worker)
        return child

    @transaction.atomic
    def _episode(self, agency: Agency, child: Person, referred: dt.date) -> None:
        day = dt.timedelta(days=1)
        episode = actions.open_episode_of_need(
            actor=None,
            origin=CLI,
            child=child,
            referral_date=referred,
            referral_source="2A",
            primary_need="N1",
            agency=agency,
        )
        actions.record_assessment(
            actor=None,
            origin=CLI,
            episode=episode,
            start_date=referred + day,
            authorisation_date=referred + 10 * day,
            factors=["2A", "3A", "4A"],
            agency=agency,
        )
        actions.record_strategy_discussion(
            actor=None,
            origin=CLI,
            episode=episode,
            date=referred + day,
            outcome="section47",
            agency=agency,
        )
        conference = actions.record_conference(
            actor=None,
            origin=CLI,
            episode=episode,
            kind="initial",
            date=referred + 14 * day,
            outcome="plan",
            category="NEG",
            agency=agency,
        )
        plan = conference.plan
        if plan is None:  # pragma: no cover - an initial conference deciding a plan starts one
            raise CommandError("the initial conference started no plan")
        # The conference revised the episode (its initial conference date): use the current.
        episode = EpisodeOfNeed.objects.current().get(pk=_current_pk(episode))
        actions.record_conference(
            actor=None,
            origin=CLI,
            episode=episode,
            kind="review",
            date=referred + 70 * day,
            outcome="end_plan",
            plan=plan,
            agency=agency,
        )
        episode = EpisodeOfNeed.objects.current().get(pk=_current_pk(episode))
        actions.close_episode_of_need(
            actor=None,
            origin=CLI,
            episode=episode,
            closure_date=referred + 80 * day,
            closure_reason="RC8",
        )

    def _looked_after(self, agency: Agency, child: Person, worker: User) -> None:
        start = FIRST_REFERRAL + dt.timedelta(days=30)
        episode = actions.start_looked_after(
            actor=None,
            origin=CLI,
            child=child,
            decom=start,
            ls="V2",
            cin="N1",
            place="U1",
            place_provider="PR1",
            agency=agency,
        )
        for number, place in enumerate(("U3", "U1", "K2"), start=1):
            episode = actions.change_looked_after(
                actor=None,
                origin=CLI,
                episode=episode,
                on=start + dt.timedelta(days=20 * number),
                place=place,
                place_provider="PR1",
            )
        actions.end_looked_after(
            actor=None,
            origin=CLI,
            episode=episode,
            dec=start + dt.timedelta(days=100),
            rec="E11",
        )
        actions.allocate(
            actor=None,
            origin=CLI,
            child=child,
            start_date=FIRST_REFERRAL,
            worker=worker,
            agency=agency,
        )


def _current_pk(row: EpisodeOfNeed) -> int:
    """The current version of ``row`` (a review conference may have revised it)."""
    found = type(row).objects.get(pk=row.pk)
    while hasattr(found, "superseded_by"):
        found = found.superseded_by
    return int(found.pk)
