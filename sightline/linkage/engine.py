"""Splink 5 on DuckDB behind a small interface: train a model, score all pairs in batch.

No Django here. Callers pass feature rows (``features.features``) and get back plain
Python values. Every DuckDB connection gets a memory limit and a temporary directory,
and is closed when the call ends (no tables are left behind).
"""

import logging
import math
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped]

from sightline.linkage import comparisons, components, normalising, priors, spark
from sightline.linkage.rows import FeatureRows
from sightline.linkage.spark import SparkConfig

logger = logging.getLogger(__name__)
Progress = Callable[[str], None]


DUCKDB = "duckdb"
SPARK = "spark"
ENGINES = (DUCKDB, SPARK)


@dataclass(frozen=True)
class EngineConfig:
    """DuckDB's limits (every call uses a DuckDB connection), and which engine scores
    pairs: DuckDB, or Splink's Spark backend (``spark``), with the same model."""

    memory_limit: str = "4GB"
    temp_directory: str | None = None
    threads: int | None = None
    engine: str = DUCKDB
    spark: SparkConfig | None = None
    # The most DuckDB may spill to ``temp_directory`` (it then fails rather than filling
    # the disk); None: DuckDB's default (90% of the free space).
    max_temp_size: str | None = "20GB"


@dataclass
class ScoredPairs:
    """Scored record pairs, by position in the input (``left`` < ``right``)."""

    left: list[int] = field(default_factory=list)
    right: list[int] = field(default_factory=list)
    weight: list[float] = field(default_factory=list)
    probability: list[float] = field(default_factory=list)
    guarded: list[bool] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.left)

    def between(self, labels: Sequence[int], threshold: float) -> list[tuple[int, int]]:
        """The pairs at or above ``threshold`` whose records ``labels`` puts in two
        clusters (worked out in numpy: most of a million pairs are inside one)."""
        if not self.left:
            return []
        clusters = np.asarray(labels, dtype=np.int64)
        left = np.asarray(self.left, dtype=np.int64)
        right = np.asarray(self.right, dtype=np.int64)
        chosen = (np.asarray(self.probability) >= threshold) & (clusters[left] != clusters[right])
        return list(zip(left[chosen].tolist(), right[chosen].tolist(), strict=True))


def _silence_splink() -> None:
    for name in ("splink", "splink.internals"):
        logging.getLogger(name).setLevel(logging.WARNING)


@contextmanager
def connect(config: EngineConfig) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(":memory:")
    try:
        connection.execute(f"SET memory_limit = '{_quote(config.memory_limit)}'")
        if config.temp_directory:
            Path(config.temp_directory).mkdir(parents=True, exist_ok=True)
            connection.execute(f"SET temp_directory = '{_quote(config.temp_directory)}'")
        if config.max_temp_size:
            connection.execute(f"SET max_temp_directory_size = '{_quote(config.max_temp_size)}'")
        if config.threads:
            connection.execute(f"SET threads = {int(config.threads)}")
        connection.execute("SET preserve_insertion_order = false")
        yield connection
    finally:
        connection.close()


def _quote(text: str) -> str:
    return text.replace("'", "''")


def to_arrow(rows: Sequence[Mapping[str, Any]], sources: Sequence[str] | None = None) -> pa.Table:
    """The rows as a table; with ``sources``, a ``source`` column as well (one per row)."""
    table = normalising.feature_table(rows)
    return table if sources is None else with_sources(table, sources)


def with_sources(table: pa.Table, sources: Sequence[str]) -> pa.Table:
    """``table`` with a ``source`` column (one per row) for linking across sources."""
    if len(sources) != table.num_rows:
        raise ValueError("one source per row")
    return table.append_column("source", pa.array(list(sources), pa.string()))


ACROSS_SOURCES = 'l."source" <> r."source"'


def across_sources(settings: dict[str, Any], sources: Sequence[str]) -> dict[str, Any]:
    """``settings`` for linking deduplicated sources: every blocking rule limited to pairs
    from different sources, and the prior made the share of *those* pairs that match.

    The model's prior is the share of all pairs that match. When each source is free of
    duplicates, every match lies across sources: the same matches among fewer pairs.
    """
    rules = []
    for rule in settings["blocking_rules_to_generate_predictions"]:
        text = rule["blocking_rule"] if isinstance(rule, dict) else str(rule)
        extra = rule if isinstance(rule, dict) else {"sql_dialect": "duckdb"}
        rules.append({**extra, "blocking_rule": f"({text}) AND {ACROSS_SOURCES}"})
    prior = float(settings["probability_two_random_records_match"])
    return {
        **settings,
        "blocking_rules_to_generate_predictions": rules,
        "probability_two_random_records_match": min(0.5, prior * pairs_ratio(sources)),
    }


def pairs_ratio(sources: Sequence[str]) -> float:
    """All pairs of records over the pairs whose records come from different sources."""
    sizes: dict[str, int] = {}
    for source in sources:
        sizes[source] = sizes.get(source, 0) + 1
    total = len(sources) * (len(sources) - 1) / 2
    within = sum(n * (n - 1) / 2 for n in sizes.values())
    across = total - within
    return total / across if across else 1.0


def _linker(
    connection: duckdb.DuckDBPyConnection, table: pa.Table, settings: dict[str, Any]
) -> Any:
    from splink import DuckDBAPI, Linker

    _silence_splink()
    db_api = DuckDBAPI(connection=connection)
    frame = db_api.register(table, table_name="sightline_records")
    return Linker(frame, comparisons.splink_settings(settings))


def train(
    rows: Sequence[Mapping[str, Any]],
    *,
    config: EngineConfig,
    seed: int = 42,
    max_pairs: float = 1e6,
    em_pairs: float = 0.75e6,
    table: pa.Table | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Estimate the model from the records themselves (no labels). Returns Splink's model
    dict with every level given an m and u probability.

    ``table``: ``to_arrow(rows)`` when the caller already has it (``rows`` a
    ``FeatureRows``: its table).

    Cost is bounded at any scale. The share of pairs that match (the prior, which falls
    as the number of records grows) is estimated on all records. u comes from
    ``max_pairs`` random pairs and m from expectation maximisation on a hash sample of
    records sized for about ``em_pairs`` blocked pairs per rule: m and u are proportions
    of matching and non-matching pairs, which do not depend on the number of records.
    """
    if len(rows) < 2:
        raise ValueError("Training needs at least two records.")
    say = progress or (lambda _message: None)
    if table is None:
        table = rows.table if isinstance(rows, FeatureRows) else to_arrow(rows)
    with connect(config) as connection:
        linker = _linker(connection, table, comparisons.settings_dict())
        started = time.monotonic()
        say("estimating the share of pairs that match")
        linker.training.estimate_probability_two_random_records_match(
            list(comparisons.PRIOR_RULES), recall=priors.ASSUMED_RECALL
        )
        say("estimating u from random pairs")
        linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
        # Expectation maximisation, each rule on a sample sized for about
        # ``em_pairs`` pairs: enough for stable m, bounded time at any scale (750,000:
        # the same links as 1,500,000 at 100,000 records, FEBRL4 and demo data alike,
        # and at 1,000,000 independent records within one pair of the same recall, in
        # 5 s less). Splink
        # samples records only when given ``max_pairs`` (``record_sample_proportion``
        # alone sizes just its probe): it counts the pairs of a 1% probe, then keeps a
        # hash sample of records on both sides.
        for rule in comparisons.TRAINING_RULES:
            if not _has_pairs(connection, rule, MIN_EM_PAIRS):
                say(f"skipped {rule}: fewer than {MIN_EM_PAIRS} pairs")
                continue
            say(f"expectation maximisation on {rule} (about {em_pairs:,.0f} pairs at most)")
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, max_pairs=em_pairs
            )
        model: dict[str, Any] = linker.misc.save_model_to_json()
        logger.info("trained in %.1fs", time.monotonic() - started)
    # The prior rules' recall, assumed above, follows from the trained m (``priors``).
    recall = priors.rule_recall(model, present_shares(table))
    say(f"prior rules find {recall:.0%} of matches, by the trained model")
    model["probability_two_random_records_match"] = priors.rescaled_prior(
        float(model["probability_two_random_records_match"]), recall
    )
    # Real-time scoring adjusts for how common a name is by the training records' names
    # (batch scoring by the names of the records it links, as Splink does).
    model[comparisons.TF_KEY] = comparisons.TermFrequencies.of(rows).as_dict()
    return complete(model)


def present_shares(table: pa.Table) -> dict[str, float]:
    """The share of records with each prior rule's field present, by comparison name."""
    rows = max(table.num_rows, 1)
    return {
        name: 1.0 - table.column(column).null_count / rows
        for name, column in priors.PRESENCE_COLUMNS.items()
    }


MIN_EM_PAIRS = 100


def _has_pairs(connection: duckdb.DuckDBPyConnection, rule: str, least: int) -> bool:
    """Whether ``rule`` blocks at least ``least`` pairs (stops counting there)."""
    # The rules are this module's own constants, never user input.
    rows = connection.execute(
        "SELECT count(*) FROM (SELECT 1 FROM sightline_records AS l "  # noqa: S608  # nosec B608: a module constant
        f"JOIN sightline_records AS r ON {rule} AND l.unique_id < r.unique_id LIMIT {int(least)})"
    ).fetchall()  # fetch all: DuckDB 2 refuses new work while a result is unconsumed
    return int(rows[0][0]) >= least


def complete(model: dict[str, Any]) -> dict[str, Any]:
    """Give unobserved levels explicit probabilities, so Splink and our scorer agree."""
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            for name in ("m_probability", "u_probability"):
                value = level.get(name)
                if value is None or not math.isfinite(value) or value <= 0:
                    level[name] = comparisons.UNOBSERVED
    return model


def score_all(
    rows: Sequence[Mapping[str, Any]],
    model: dict[str, Any],
    *,
    config: EngineConfig,
    threshold: float,
    sources: Sequence[str] | None = None,
    joined: Iterable[tuple[int, int]] = (),
    table: pa.Table | None = None,
    progress: Progress | None = None,
    household_guards: bool = True,
) -> ScoredPairs:
    """Every blocked pair with probability at least ``threshold``, plus every guarded
    pair below it that clustering could otherwise put in one person. With ``sources``
    (one per row), only pairs of records from different sources. ``joined``: pairs (by
    position) that clustering links whatever their score (must-link). ``table``:
    ``to_arrow(rows)`` when the caller already has it.

    A guarded pair below ``threshold`` only keeps its two records apart; that matters
    only when links could join them, that is when both lie in one connected component
    of the pairs at or above ``threshold`` (every link clustering can make, guarded or
    not) and ``joined``. The guard (costly SQL over both records) is worked out for those
    pairs alone: at 1,000,000 demo records most pairs below the threshold are siblings
    in different components. Without ``sources`` only; one to one, every pair is kept.
    ``household_guards``: as ``batch.resolve``; off, one to one reads both records of a
    pair at once (``_one_to_one``)."""
    say = progress or (lambda _message: None)
    result = ScoredPairs()
    if len(rows) < 2:
        return result
    if table is None and isinstance(rows, FeatureRows):
        table = rows.table
    if table is None:
        table = to_arrow(rows, sources)
    elif sources is not None:
        table = with_sources(table, sources)
    settings = dict(model) if sources is None else across_sources(model, sources)
    settings["retain_matching_columns"] = False
    # One to one, every candidate of a record counts (``priors.one_to_one``).
    low = None if sources is not None else min(threshold, 0.001)
    with connect(config) as connection:
        if config.engine == SPARK:
            say(f"scoring pairs among {len(rows):,} records on Spark")
            predictions: Any = _SparkPredictions(
                connection,
                table,
                spark.predict(
                    table,
                    comparisons.splink_settings(settings),
                    threshold=low,
                    config=config.spark or SparkConfig(),
                ),
            )
        else:
            linker = _linker(connection, table, settings)
            say(f"blocking pairs among {len(rows):,} records")
            _register_blocked_pairs(connection, linker, settings)
            say("scoring the blocked pairs")
            predictions = linker.inference.predict(threshold_match_probability=low)
            connection.execute(f"DROP TABLE {BLOCKED_PAIRS}")
            say("pairs scored; guards")
        keep = threshold if sources is None else 0.0
        within = ""
        if sources is None:
            _register_components(connection, predictions.physical_name, keep, len(rows), joined)
            say("components found")
            within = (
                "JOIN sightline_components AS cl ON cl.unique_id = p.unique_id_l "
                "JOIN sightline_components AS cr ON cr.unique_id = p.unique_id_r "
                "AND cr.component = cl.component "
            )
        arrow = connection.sql(
            _guarded_pairs_sql(predictions.physical_name, within), params=[keep]
        ).to_arrow_table()
        say(f"guards worked out; {arrow.num_rows:,} pairs kept")
        predictions.drop_table_from_database_and_remove_from_cache()
    if sources is not None:
        arrow = _one_to_one(arrow, sources, settings, threshold, say, joint=not household_guards)
    left = np.asarray(arrow.column("unique_id_l").to_numpy(zero_copy_only=False), np.int64)
    right = np.asarray(arrow.column("unique_id_r").to_numpy(zero_copy_only=False), np.int64)
    result.left = np.minimum(left, right).tolist()
    result.right = np.maximum(left, right).tolist()
    result.weight = arrow.column("match_weight").to_pylist()
    result.probability = arrow.column("match_probability").to_pylist()
    result.guarded = [bool(g) for g in arrow.column("guarded").to_pylist()]
    return result


BLOCKED_PAIRS = "sightline_blocked_pairs"


def blocked_pairs_sql(rules: Sequence[Mapping[str, Any] | str]) -> str:
    """The pairs the blocking ``rules`` (Splink's settings entries) generate, each once,
    as Splink's blocked-pairs table: (``match_key``: the first rule that finds the
    pair, ``join_key_l`` < ``join_key_r``: the records' ``unique_id``).

    The same pairs as Splink's own blocking, made another way. Splink joins for each
    rule the pairs it finds and not any rule before it: every pair a rule's equality
    columns match is tested against each earlier rule (at 200,000 records most of the
    blocking time, on pairs that share a postcode or an address). Here each rule joins
    its own pairs alone, and the pairs found by several rules are made one afterwards
    (grouped, keeping the first rule), which costs less than the tests. A rule with
    ``arrays_to_explode`` joins one row per element of the arrays, as Splink's."""
    parts = []
    for number, rule in enumerate(rules):
        entry = {"blocking_rule": rule} if isinstance(rule, str) else rule
        text = str(entry["blocking_rule"])
        explode = set(entry.get("arrays_to_explode") or ())
        source = "sightline_records"
        if explode:
            used = sorted(set(_RULE_COLUMN.findall(text)) | {"unique_id"})
            columns = ", ".join(
                f'unnest("{name}") AS "{name}"' if name in explode else f'"{name}"' for name in used
            )
            source = f"(SELECT {columns} FROM sightline_records)"  # noqa: S608  # nosec B608: the model's columns
        parts.append(
            f"SELECT {'DISTINCT ' if explode else ''}{number} AS rule, "  # noqa: S608  # nosec B608: the model's blocking rules
            "l.unique_id AS join_key_l, r.unique_id AS join_key_r "
            f"FROM {source} AS l JOIN {source} AS r ON {text} "
            "WHERE l.unique_id < r.unique_id"
        )
    return (
        "SELECT CAST(min(rule) AS VARCHAR) AS match_key, join_key_l, join_key_r "  # noqa: S608  # nosec B608: the model's blocking rules
        f"FROM ({' UNION ALL '.join(parts)}) GROUP BY join_key_l, join_key_r"
    )


_RULE_COLUMN = re.compile(r'\b[lr]\."(\w+)"')


def _register_blocked_pairs(
    connection: duckdb.DuckDBPyConnection, linker: Any, settings: Mapping[str, Any]
) -> None:
    """Make the blocked pairs (``blocked_pairs_sql``) and hand them to ``linker`` to
    score (Splink's ``register_blocked_pairs_for_predict``)."""
    rules = settings["blocking_rules_to_generate_predictions"]
    connection.execute(f"CREATE TABLE {BLOCKED_PAIRS} AS {blocked_pairs_sql(rules)}")
    frame = linker._db_api.register(BLOCKED_PAIRS)
    linker.table_management.register_blocked_pairs_for_predict(frame)


def _guarded_pairs_sql(predictions: str, within: str) -> str:
    """The scored pairs (joined as ``within`` says) at or above the parameter's
    probability or guarded, with a ``guarded`` column.

    Each comparison level the guard reads more than once is worked out once per pair, in
    a materialised step of its own: written inline, DuckDB evaluated its ``CASE`` again
    at every mention, and the whole guard twice (in the filter and in the output). A
    level read once stays inline, where DuckDB evaluates it only for the pairs that reach
    it. Table names from Splink, conditions from ``comparisons``."""
    mentions: dict[str, int] = {}

    def count(comparison: comparisons.Comparison) -> str:
        mentions[comparison.name] = mentions.get(comparison.name, 0) + 1
        return comparisons.level_sql(comparison, "gl", "gr")

    comparisons.guard_sql("gl", "gr", count)
    worked_out = {
        comparison.name: comparison
        for comparison in comparisons.COMPARISONS
        if mentions.get(comparison.name, 0) > 1
    }

    def level(comparison: comparisons.Comparison) -> str:
        if comparison.name in worked_out:
            return f'lv."level_{comparison.name}"'
        return comparisons.level_sql(comparison, "gl", "gr")

    levels = "".join(
        f', {comparisons.level_sql(comparison, "gl", "gr")} AS "level_{name}"'
        for name, comparison in worked_out.items()
    )
    return (
        "WITH levels AS MATERIALIZED (SELECT p.unique_id_l, p.unique_id_r, "  # noqa: S608  # nosec B608: Splink table name, our guards
        f"p.match_weight, p.match_probability{levels} FROM {predictions} AS p {within}"
        "JOIN sightline_records AS gl ON gl.unique_id = p.unique_id_l "
        "JOIN sightline_records AS gr ON gr.unique_id = p.unique_id_r), "
        "guarded AS MATERIALIZED (SELECT lv.unique_id_l, lv.unique_id_r, lv.match_weight, "
        f"lv.match_probability, {comparisons.guard_sql('gl', 'gr', level)} AS guarded "
        "FROM levels AS lv "
        "JOIN sightline_records AS gl ON gl.unique_id = lv.unique_id_l "
        "JOIN sightline_records AS gr ON gr.unique_id = lv.unique_id_r) "
        "SELECT * FROM guarded WHERE match_probability >= ? OR guarded"
    )


class _SparkPredictions:
    """Spark's predictions registered in the DuckDB connection beside the records, under
    the names the DuckDB path uses, so the guards and components are worked out alike."""

    physical_name = "sightline_predictions"

    def __init__(
        self, connection: duckdb.DuckDBPyConnection, table: pa.Table, predictions: pa.Table
    ) -> None:
        self._connection = connection
        connection.register("sightline_records", table)
        connection.register(self.physical_name, predictions)

    def drop_table_from_database_and_remove_from_cache(self) -> None:
        self._connection.unregister(self.physical_name)


def _register_components(
    connection: duckdb.DuckDBPyConnection,
    predictions: str,
    threshold: float,
    size: int,
    joined: Iterable[tuple[int, int]],
) -> None:
    """Register ``sightline_components`` (unique_id, component): the connected
    components of the predicted pairs at or above ``threshold`` and of ``joined``."""
    links = connection.sql(
        f"SELECT unique_id_l, unique_id_r FROM {predictions} "  # noqa: S608  # nosec B608: Splink table name
        "WHERE match_probability >= ?",
        params=[threshold],
    ).to_arrow_table()
    ends = np.column_stack(
        [
            links.column("unique_id_l").to_numpy(zero_copy_only=False),
            links.column("unique_id_r").to_numpy(zero_copy_only=False),
        ]
    ).astype(np.int64)
    extra = np.asarray(list(joined), dtype=np.int64).reshape(-1, 2)
    component = components.component_labels(size, np.concatenate([ends, extra]))
    connection.register(
        "sightline_components",
        pa.table({"unique_id": np.arange(size, dtype=np.int64), "component": component}),
    )


def _one_to_one(
    arrow: pa.Table,
    sources: Sequence[str],
    settings: dict[str, Any],
    threshold: float,
    say: Progress,
    *,
    joint: bool = False,
) -> pa.Table:
    """Every blocked cross-source pair rescored as one-to-one linkage of deduplicated
    sources (``priors``): the prior re-estimated from the pairs themselves (at most one
    match per record and other source), then the probability that each pair is one
    person. Kept: at least ``threshold``, or guarded.

    ``joint`` (household guards off: data without households, FEBRL): every candidate
    of both records read at once (``priors.one_to_one``, one share per two sources).
    Otherwise (Sightline's data) each record's candidates on their own, the smaller
    (``priors.one_to_one_per_record``, one share for all): the joint reading assumes a
    record's match is among its candidates, and makes a lone namesake in the household
    of an undated record certain when the true match was never blocked."""
    weights = np.asarray(arrow.column("match_weight").to_numpy(zero_copy_only=False), float)
    factors = weights - priors.log_odds(float(settings["probability_two_random_records_match"]))
    left = np.asarray(arrow.column("unique_id_l").to_numpy(zero_copy_only=False), np.int64)
    right = np.asarray(arrow.column("unique_id_r").to_numpy(zero_copy_only=False), np.int64)
    if not joint:
        across = priors.across_pairs(sources)
        prior = priors.self_consistent_prior(
            factors,
            across,
            start=float(settings["probability_two_random_records_match"]),
            most=priors.most_matches(sources) / across if across else 0.5,
        )
        say(f"one to one: {prior * across:,.0f} matches expected among {across:,} pairs")
        return _kept(
            arrow, priors.one_to_one_per_record(left, right, factors, sources, prior), threshold
        )
    # One share of matching pairs for each two sources: first at the fixed point of the
    # pairwise probabilities, then of the one-to-one ones.
    start = priors.source_pair_priors(
        [sources[i] for i in left.tolist()],
        [sources[i] for i in right.tolist()],
        factors,
        sources,
        start=float(settings["probability_two_random_records_match"]),
    )
    shares, odds = priors.one_to_one_shares(left, right, factors, sources, start)
    sizes = {name: sources.count(name) for name in {n for pair in shares for n in pair}}
    expected = sum(share * sizes[a] * sizes[b] for (a, b), share in shares.items())
    say(
        f"one to one: {expected:,.0f} matches expected among {priors.across_pairs(sources):,} pairs"
    )
    return _kept(arrow, odds, threshold)


def _kept(arrow: pa.Table, odds: npt.NDArray[np.float64], threshold: float) -> pa.Table:
    """``arrow`` with each pair's log2 odds ``odds`` as its weight and probability, only
    the pairs at least ``threshold`` or guarded."""
    probability = 1.0 / (1.0 + np.exp2(-odds))
    guarded = np.asarray(arrow.column("guarded").to_numpy(zero_copy_only=False), bool)
    arrow = arrow.set_column(
        arrow.schema.get_field_index("match_weight"), "match_weight", pa.array(odds)
    )
    arrow = arrow.set_column(
        arrow.schema.get_field_index("match_probability"),
        "match_probability",
        pa.array(probability),
    )
    return arrow.filter(pa.array((probability >= threshold) | guarded))


def blocked_pair_counts(
    table: pa.Table, *, config: EngineConfig, persons: Sequence[str] | None = None
) -> list[tuple[str, int, int | None]]:
    """(rule, pairs, one-person pairs) for each batch blocking rule: the pairs scoring
    reads (``blocked_pairs_sql``, exactly), a pair counted under the first rule that
    finds it. ``persons``, each row's true person (a benchmark's ground truth), counts
    the pairs of one person; without it that count is None. For the benchmarks: a rule
    that explodes on some data, or finds few true pairs for many, shows here."""
    rules = [comparisons.blocking_rule(rule) for rule in comparisons.BLOCKING_RULES]
    if persons is not None and len(persons) != table.num_rows:
        raise ValueError("one person per row")
    with connect(config) as connection:
        connection.register("sightline_records", table)
        blocked = blocked_pairs_sql(rules)
        if persons is None:
            query = f"SELECT match_key, count(*), NULL FROM ({blocked}) GROUP BY match_key"  # noqa: S608  # nosec B608: our rules
        else:
            connection.register(
                "sightline_persons",
                pa.table({"unique_id": table.column("unique_id"), "person": pa.array(persons)}),
            )
            query = (
                "SELECT b.match_key, count(*), count(*) FILTER (WHERE pl.person = pr.person) "  # noqa: S608  # nosec B608: our rules
                f"FROM ({blocked}) AS b "
                "JOIN sightline_persons AS pl ON pl.unique_id = b.join_key_l "
                "JOIN sightline_persons AS pr ON pr.unique_id = b.join_key_r "
                "GROUP BY b.match_key"
            )
        found: dict[int, tuple[int, int | None]] = {
            int(key): (int(pairs), None if same is None else int(same))
            for key, pairs, same in connection.sql(query).fetchall()
        }
    none = (0, None if persons is None else 0)
    return [
        (rule, *found.get(number, none)) for number, rule in enumerate(comparisons.BLOCKING_RULES)
    ]


def score_pairs_with_splink(
    rows: Sequence[dict[str, Any]], model: dict[str, Any]
) -> dict[tuple[int, int], tuple[float, float]]:
    """Splink's own ``score_pairs`` on every pair of ``rows``: (uid_l, uid_r) -> (match
    weight, probability). Used to check the real-time scorer against Splink."""
    table = to_arrow(rows)
    with connect(EngineConfig(memory_limit="1GB")) as connection:
        linker = _linker(connection, table, dict(model))
        frame = linker.inference.score_pairs(list(rows), list(rows))
        out = {
            (int(r["unique_id_l"]), int(r["unique_id_r"])): (
                float(r["match_weight"]),
                float(r["match_probability"]),
            )
            for r in frame.as_record_list()
        }
        frame.drop_table_from_database_and_remove_from_cache()
    return out
