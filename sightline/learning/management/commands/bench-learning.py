"""``sightline bench-learning``: how fast the learning reports are over many coded reviews.

Makes sure the database holds ``--reviews`` synthetic reviews (reference ``BENCH-``)
notified in one financial year, each with a final coding and two analysts'
independent codings (the second differs from the first on about one review in
three), adding what is missing through the ordinary actions. Then times, ``--runs``
times each:

- the annual report's figures (theme shares, intervals, breakdowns, suppression and
  the agreement between the two coders of every review);
- the report page through Django's full stack (session, access check, audit row,
  template) in-process;
- the CSV export;
- the national tables over as many notified children (pure function).

Exits non-zero if the median of the report's figures or page exceeds ``--budget``
seconds. The figures go in ``docs/benchmarks.md``.
"""

import datetime as dt
import json
import platform
import random
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client
from django.urls import reverse

from sightline.accounts.actions import create_user
from sightline.accounts.models import Role, User
from sightline.agencies.actions import create_agency
from sightline.agencies.models import Agency, AgencyKind
from sightline.audit.actions import CLI
from sightline.chronology.benchmark import Timing, summarise
from sightline.learning import national, reports, statistics
from sightline.learning.actions import CodingRecord, import_codings, import_review_corpus
from sightline.learning.corpus import ReviewRecord, generate_corpus
from sightline.learning.models import Coding, FinalCoding, Region, ReviewDocument

PREFIX = "BENCH-"
CODERS = ("bench.coder.one", "bench.coder.two")
SEED = 10_000


def _bench_records(count: int, year: int) -> list[ReviewRecord]:
    start, _ = statistics.financial_year_bounds(year)
    return [
        replace(
            record,
            reference=f"{PREFIX}{number:06d}",
            notified_on=start + dt.timedelta(days=number % 365),
            completed_on=None,
        )
        for number, record in enumerate(generate_corpus(count, seed=SEED), start=1)
    ]


def _second_opinion(
    themes: tuple[str, ...], rng: random.Random, codes: list[str]
) -> tuple[str, ...]:
    """The second coder: the same themes, except on about one review in three."""
    chosen = set(themes)
    if rng.random() < 0.2 and chosen:
        chosen.discard(rng.choice(sorted(chosen)))
    if rng.random() < 0.15:
        chosen.add(rng.choice(codes))
    return tuple(sorted(chosen))


def _child_row(record: ReviewRecord) -> national.NotifiedChildRow:
    return national.NotifiedChildRow(
        notification=record.reference,
        notified_on=record.notified_on,
        local_authority=record.local_authority,
        region=record.region,
        nature=record.nature,
        sex=record.sex,
        age_group=record.age_band,
        ethnicity=record.ethnicity,
        disability=record.disability,
        placement_type="Foster care" if record.looked_after else "Not recorded",
        child_in_need=record.child_in_need_plan,
        child_protection_plan=record.child_protection_plan,
        looked_after=record.looked_after,
        known_to_any_agency=record.known_to_social_care or record.known_to_police,
    )


class Command(BaseCommand):
    help = "Time the annual themes report and the national tables over many coded reviews."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reviews", type=int, default=10_000)
        parser.add_argument("--year", type=int, default=2023, help="financial year")
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument("--budget", type=float, default=5.0, help="seconds, median")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        count, year, runs = options["reviews"], options["year"], options["runs"]
        if count < 1 or runs < 1:
            raise CommandError("--reviews and --runs must be at least 1")
        records = _bench_records(count, year)
        setup = self._fill(records)
        viewer = self._coders()[0]

        client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0])
        client.force_login(viewer)
        url = reverse("learning:annual-report")
        secure = bool(settings.SECURE_SSL_REDIRECT)

        def page() -> None:
            response = client.get(url, {"year": year}, secure=secure)
            if response.status_code != 200:
                raise CommandError(f"the report page answered {response.status_code}")

        children = [_child_row(record) for record in records]
        timings = [
            self._time("annual report figures", lambda: reports.annual_report(year), runs),
            self._time("annual report page", page, runs),
            self._time(
                "annual report CSV",
                lambda: reports.annual_report_csv(reports.annual_report(year)),
                runs,
            ),
            self._time(
                "national tables",
                lambda: national.national_tables(
                    children, year=year, below=5, regions=Region.choices
                ),
                runs,
            ),
        ]
        report = reports.annual_report(year)
        figures = {
            "database": connection.vendor,
            "python": platform.python_version(),
            "machine": f"{platform.machine()}, {platform.system()}",
            "reviews_in_year": report.reviews,
            "double_coded": report.agreement.reviews if report.agreement else 0,
            "setup_seconds": setup,
            "runs": runs,
            "budget_seconds": options["budget"],
            "timings": [t.__dict__ for t in timings],
        }
        if options["json"]:
            self.stdout.write(json.dumps(figures, indent=2))
        else:
            self.stdout.write(
                f"{report.reviews} coded reviews in {report.label} "
                f"({figures['double_coded']} coded twice), {connection.vendor}, {runs} runs"
            )
            for timing in timings:
                self.stdout.write(
                    f"  {timing.name:<24} median {timing.median_ms:8.1f} ms   "
                    f"p95 {timing.p95_ms:8.1f} ms"
                )
        slow = [t for t in timings[:2] if t.median_ms > 1000 * options["budget"]]
        if slow:
            raise CommandError(
                f"over the {options['budget']} s budget: {', '.join(t.name for t in slow)}"
            )

    def _time(self, name: str, work: Callable[[], object], runs: int) -> Timing:
        work()  # warm up: imports, template loading, query plans
        seconds = []
        for _ in range(runs):
            started = time.perf_counter()
            work()
            seconds.append(time.perf_counter() - started)
        return summarise(name, seconds)

    def _coders(self) -> list[User]:
        agency = Agency.objects.filter(code="BENCH_PANEL").first() or create_agency(
            actor=None,
            code="BENCH_PANEL",
            name="Benchmark panel",
            kind=AgencyKind.OTHER,
            origin=CLI,
        )
        coders = []
        for username in CODERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = create_user(
                    actor=None,
                    username=username,
                    agency=agency,
                    role=Role.PANEL_ANALYST,
                    email=f"{username}@example.org",
                    origin=CLI,
                    can_log_in=False,
                ).user
            coders.append(user)
        return coders

    def _fill(self, records: list[ReviewRecord]) -> float:
        """Add the benchmark reviews and codings that are missing; seconds taken."""
        started = time.perf_counter()
        have = set(
            ReviewDocument.objects.filter(reference__startswith=PREFIX).values_list(
                "reference", flat=True
            )
        )
        missing = [r for r in records if r.reference not in have]
        if missing:
            import_review_corpus(actor=None, origin=CLI, records=missing, batch_size=5000)
        coders = self._coders()
        coded = set(
            Coding.objects.filter(document__reference__startswith=PREFIX).values_list(
                "document__reference", "coder__username"
            )
        )
        codes = sorted({code for r in records for code in r.themes})
        rng = random.Random(SEED)  # noqa: S311 - invented data, not security
        codings = []
        for record in records:
            second = _second_opinion(record.themes, rng, codes)
            for coder, themes in zip(coders, (record.themes, second), strict=True):
                if (record.reference, coder.username) not in coded:
                    codings.append(CodingRecord(record.reference, coder, themes))
        if codings:
            import_codings(actor=None, origin=CLI, codings=codings, batch_size=5000)
        if not FinalCoding.objects.filter(document__reference__startswith=PREFIX).exists():
            raise CommandError("the benchmark reviews have no final codings")
        return round(time.perf_counter() - started, 1)
