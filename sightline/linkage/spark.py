"""Scoring on Splink's Spark backend (``SparkAPI``): the same trained model, the same
comparisons, run by Spark instead of DuckDB. Pure: no Django.

Only Splink's ``predict`` (blocking and scoring, the part that grows with the data) runs
on Spark. Its pairs come back to this process as an Arrow table, and everything after
(the guards, the components, clustering) runs exactly as for DuckDB (``engine``), so the
two engines differ only in who evaluates the comparison SQL.

The comparison levels and blocking rules are written in DuckDB's dialect
(``comparisons``). Splink hands a level's SQL to the backend as written, so
``spark_settings`` translates every one of them (whatever the comparisons are, so new
levels carry over) with sqlglot, fixing what sqlglot's Spark output gets wrong:
``list_has_any`` becomes ``&&`` (not Spark SQL: ``arrays_overlap``) and ``length`` of a
list stays ``length`` (strings only in Spark: ``size``). ``damerau_levenshtein`` is the
UDF in the jar Splink ships (``similarity_jar_location``), registered by ``SparkAPI``: the
same unrestricted distance as DuckDB's; given NULL it returns 100 where DuckDB returns
NULL, which every ``<= k`` test reads the same way (false).
"""

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import sqlglot
from sqlglot import exp

from sightline.linkage.features import ARRAY_COLUMNS

INSTALL_JAVA = "sudo apt-get install openjdk-17-jre-headless"
# What the driver and executors run with in local mode (spark-submit's own options win).
DEFAULT_MASTER = "local[*]"


class SparkUnavailableError(Exception):
    """Spark cannot run here; the message says what to install."""


@dataclass(frozen=True)
class SparkConfig:
    # None: the master spark-submit was given, else SPARK_MASTER, else local mode.
    master: str | None = None
    driver_memory: str = "4g"
    # Shuffle partitions (Spark's default of 200 is for clusters; local mode wants few).
    partitions: int | None = None


def java_missing() -> str | None:
    """Why Spark cannot start here (no Java), with how to install it; None when it can."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home and os.access(os.path.join(java_home, "bin", "java"), os.X_OK):
        return None
    if shutil.which("java"):
        return None
    return (
        "the Spark engine needs Java, and none is installed (no `java` on PATH, no "
        f"JAVA_HOME). Install it with `{INSTALL_JAVA}`, or use --engine duckdb."
    )


def check_available() -> None:
    """Raise ``SparkUnavailableError`` saying what to install when Spark cannot run here."""
    problem = java_missing()
    if problem:
        raise SparkUnavailableError(problem)
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise SparkUnavailableError(
            "the Spark engine needs pyspark: install the pinned requirements "
            "(`pip install -r requirements.txt`)."
        ) from None


# --- DuckDB SQL to Spark SQL --------------------------------------------------------------


# DuckDB list functions sqlglot passes through by name, and Spark's for them.
_FUNCTIONS = {
    "list_intersect": "array_intersect",
    "array_intersect": "array_intersect",
    "list_has_any": "arrays_overlap",
    "array_has_any": "arrays_overlap",
    "list_distinct": "array_distinct",
    "array_distinct": "array_distinct",
    "list_concat": "concat",
    # Similarity functions: DuckDB's names, and the UDFs of Splink's jar (``SparkAPI``
    # registers them). Not used by today's comparisons; their values were not compared.
    "jaro_similarity": "jaro_sim",
    "jaro_winkler_similarity": "jaro_winkler",
}
_HAS_ALL = frozenset({"list_has_all", "array_has_all"})
_ARRAY_FUNCTIONS = frozenset({"array_intersect", "array_distinct", "concat"})


def _array_column(node: exp.Expression) -> bool:
    if isinstance(node, exp.ArrayIntersect | exp.Array | exp.ArrayConcat):
        return True
    if isinstance(node, exp.Anonymous):
        name = str(node.this).lower()
        return _FUNCTIONS.get(name, name) in _ARRAY_FUNCTIONS
    if isinstance(node, exp.Column):
        name = node.name
        for suffix in ("_l", "_r"):
            if name.endswith(suffix) and name.removesuffix(suffix) in ARRAY_COLUMNS:
                return True
        return name in ARRAY_COLUMNS
    return False


def _fix(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Anonymous) and str(node.this).lower() in _FUNCTIONS:
        return exp.Anonymous(
            this=_FUNCTIONS[str(node.this).lower()], expressions=list(node.expressions)
        )
    if isinstance(node, exp.JarowinklerSimilarity):
        return exp.Anonymous(this="jaro_winkler", expressions=[node.this, node.expression])
    if isinstance(node, exp.Anonymous) and str(node.this).lower() in _HAS_ALL:
        # list_has_all(a, b): every element of b is in a.
        a, b = node.expressions
        return exp.EQ(
            this=exp.ArraySize(this=exp.Anonymous(this="array_except", expressions=[b, a])),
            expression=exp.Literal.number(0),
        )
    if isinstance(node, exp.ArrayOverlaps):
        return exp.Anonymous(this="arrays_overlap", expressions=[node.this, node.expression])
    if isinstance(node, exp.Length) and _array_column(node.this):
        return exp.ArraySize(this=node.this)
    return node


def to_spark_sql(sql: str) -> str:
    """One condition (a comparison level or a blocking rule) from DuckDB's SQL to Spark's."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    # Twice: a node replaced in a pass is not itself visited again.
    return str(tree.transform(_fix).transform(_fix).sql(dialect="spark"))


def spark_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """``settings`` (a Splink settings or model dict in DuckDB's dialect) for SparkAPI."""
    comparisons = []
    for comparison in settings["comparisons"]:
        levels = []
        for level in comparison["comparison_levels"]:
            condition = level["sql_condition"]
            if condition.strip().upper() != "ELSE":
                level = {**level, "sql_condition": to_spark_sql(condition)}
            levels.append(level)
        comparisons.append({**comparison, "comparison_levels": levels})
    rules = []
    for rule in settings["blocking_rules_to_generate_predictions"]:
        text = rule["blocking_rule"] if isinstance(rule, dict) else str(rule)
        extra = rule if isinstance(rule, dict) else {}
        rules.append({**extra, "blocking_rule": to_spark_sql(text), "sql_dialect": "spark"})
    return {
        **settings,
        "comparisons": comparisons,
        "blocking_rules_to_generate_predictions": rules,
    }


# --- the session and predict ---------------------------------------------------------------


@contextmanager
def session(config: SparkConfig) -> Iterator[Any]:
    """A Spark session with Splink's similarity jar; stopped at the end if made here.

    Under ``spark-submit`` the master and resources are spark-submit's; otherwise
    ``config.master``, else ``SPARK_MASTER``, else local mode on every core."""
    check_available()
    from pyspark import SparkConf
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    existing = SparkSession.getActiveSession()
    if existing is not None:
        yield existing
        return
    builder = SparkSession.builder.appName("sightline-linkage")
    submitted = SparkConf().contains("spark.master")  # set by spark-submit
    master = config.master or os.environ.get("SPARK_MASTER")
    if master or not submitted:
        builder = builder.master(master or DEFAULT_MASTER)
    jars = [similarity_jar_location()]
    given = SparkConf().get("spark.jars", "")
    if given:
        jars.insert(0, given)
    builder = (
        builder.config("spark.jars", ",".join(jars))
        .config("spark.driver.memory", config.driver_memory)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.log.level", "ERROR")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        # The comparisons' CASE expressions exceed the JVM's 64 KB method limit: whole-stage
        # code generation fails on them, logs a stack trace and falls back anyway.
        .config("spark.sql.codegen.wholeStage", "false")
    )
    local = (master or ("" if submitted else DEFAULT_MASTER)).startswith("local")
    if not submitted:
        # Temporary views only: no "spark-warehouse" folder in the working directory.
        warehouse = os.path.join(tempfile.gettempdir(), "sightline-spark-warehouse")
        builder = builder.config("spark.sql.warehouse.dir", warehouse)
    if config.partitions or local:
        partitions = config.partitions or 2 * max(os.cpu_count() or 1, 1)
        builder = builder.config("spark.sql.shuffle.partitions", str(partitions))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    try:
        yield spark
    finally:
        spark.stop()


def _temporary_views(spark: Any) -> set[str]:
    return {table.name for table in spark.catalog.listTables() if table.isTemporary}


PREDICTION_COLUMNS = ("unique_id_l", "unique_id_r", "match_weight", "match_probability")


def predict(
    table: pa.Table,
    settings: dict[str, Any],
    *,
    threshold: float | None,
    config: SparkConfig,
) -> pa.Table:
    """Splink's ``predict`` on Spark: every blocked pair at or above ``threshold``, as an
    Arrow table of ``PREDICTION_COLUMNS``."""
    from splink import Linker, SparkAPI

    for name in ("splink", "splink.internals", "py4j"):
        logging.getLogger(name).setLevel(logging.WARNING)
    with session(config) as spark:
        partitions = int(spark.conf.get("spark.sql.shuffle.partitions"))
        db_api = SparkAPI(  # type: ignore[no-untyped-call]
            spark_session=spark,
            break_lineage_method="persist",
            num_partitions_on_repartition=partitions,
        )
        before = _temporary_views(spark)
        try:
            # A frame made from local data is a LocalRelation: its rows sit in the query
            # plan, and the optimiser copies them for every reference (two per blocking
            # rule). At 100,000 records that filled a 4 GB driver. Checkpointed, the rows
            # live in Spark's block manager and the plan only points at them.
            frame = spark.createDataFrame(table).repartition(partitions).localCheckpoint()
            linker = Linker(db_api.register(frame), spark_settings(settings))
            predictions = linker.inference.predict(threshold_match_probability=threshold)
            arrow = predictions.as_spark_dataframe().select(*PREDICTION_COLUMNS).toArrow()
        finally:
            # Nothing left behind in a session that outlives the call (spark-submit, tests).
            for name in _temporary_views(spark) - before:
                spark.catalog.dropTempView(name)
            spark.catalog.clearCache()
    return arrow.cast(
        pa.schema(
            [
                pa.field("unique_id_l", pa.int64()),
                pa.field("unique_id_r", pa.int64()),
                pa.field("match_weight", pa.float64()),
                pa.field("match_probability", pa.float64()),
            ]
        )
    )
