"""Splink's Spark backend (``link-file --engine spark``): the same model, the same persons.

The equality test runs Spark in local mode (it needs Java 17: `make test` installs
Debian's openjdk-17-jre-headless). The database plays no part in it.
"""

import csv
import json

import pytest
from django.core.management import CommandError

from sightline.linkage import batch, engine, spark
from sightline.linkage.features import Problems
from sightline.linkage.tests.synthetic import households
from sightline.linkage.tests.test_commands import model_file, run, write_people

__all__ = ["model_file"]  # a fixture, used by name

NO_JAVA = spark.java_missing()


@pytest.mark.parametrize(
    ("duckdb", "expected"),
    [
        # sqlglot writes list_has_any as `&&`, which is not Spark SQL.
        ('list_has_any("given_formal_l", "given_formal_r")', "ARRAYS_OVERLAP("),
        # sqlglot passes list_intersect through by name; Spark calls it array_intersect.
        ('length(list_intersect("address_words_l", "address_words_r")) >= 3', "SIZE(ARRAY_"),
        # length of a list is size in Spark (length takes strings only) ...
        ('length("address_words_l")', "SIZE(`address_words_l`)"),
        # ... but length of a string stays length.
        ('length("given1_l") >= 5', "LENGTH(`given1_l`) >= 5"),
        ('list_contains("given_names_r", "given1_l")', "ARRAY_CONTAINS(`given_names_r`"),
        ('abs(date_diff(\'day\', CAST("dob_l" AS DATE), CAST("dob_r" AS DATE))) <= 7', "DATEDIFF"),
        ('damerau_levenshtein("given1_l", "given1_r") <= 1', "DAMERAU_LEVENSHTEIN(`given1_l`"),
        # DuckDB's similarity functions, as the UDFs in Splink's jar are named.
        ('jaro_winkler_similarity("given1_l", "given1_r") >= 0.9', "JARO_WINKLER(`given1_l`"),
        ('jaro_similarity("given1_l", "given1_r") >= 0.9', "JARO_SIM(`given1_l`"),
        ('list_has_all("given_names_l", "given_names_r")', "SIZE(ARRAY_EXCEPT(`given_names_r`"),
    ],
)
def test_it_translates_duckdb_conditions_to_spark_sql(duckdb, expected):
    assert expected in spark.to_spark_sql(duckdb)


def test_it_translates_every_level_and_blocking_rule_of_a_model(trained_model):
    translated = spark.spark_settings(trained_model)
    text = json.dumps(translated)
    for duckdb_only in ("list_has_any", "list_intersect", "list_contains", "&&", '\\"'):
        assert duckdb_only not in text
    assert all(
        rule["sql_dialect"] == "spark"
        for rule in translated["blocking_rules_to_generate_predictions"]
    )
    # The weights are the model's own: only the SQL changes.
    for ours, theirs in zip(trained_model["comparisons"], translated["comparisons"], strict=True):
        for a, b in zip(ours["comparison_levels"], theirs["comparison_levels"], strict=True):
            assert a.get("m_probability") == b.get("m_probability")
            assert a.get("u_probability") == b.get("u_probability")


def test_it_says_how_to_install_java_when_there_is_none(tmp_path, model_file, monkeypatch):
    records, _siblings, _namesakes = households(3, seed=1)
    source = tmp_path / "people.csv"
    write_people(source, records)
    monkeypatch.setenv("PATH", str(tmp_path))  # no java here
    monkeypatch.delenv("JAVA_HOME", raising=False)
    output = tmp_path / "out.csv"
    with pytest.raises(CommandError) as error:
        run("link-file", str(source), "--output", str(output), "--engine", "spark", "--quiet")
    assert "sudo apt-get install openjdk-17-jre-headless" in str(error.value)
    assert not output.exists()


def test_it_refuses_a_spark_master_without_the_spark_engine(tmp_path, model_file):
    with pytest.raises(CommandError, match="--spark-master needs --engine spark"):
        run(
            "link-file",
            str(tmp_path / "people.csv"),
            "--output",
            str(tmp_path / "out.csv"),
            "--spark-master",
            "local[1]",
        )


@pytest.mark.spark
@pytest.mark.skipif(NO_JAVA is not None, reason=f"Java 17 is needed for Spark: {NO_JAVA}")
def test_spark_and_duckdb_make_the_same_persons_from_the_same_file(
    tmp_path, model_file, trained_model
):
    # A few hundred records: households with twins, siblings, namesakes and typos.
    records, _siblings, _namesakes = households(80, seed=16)
    assert 300 <= len(records) <= 600
    source = tmp_path / "people.csv"
    write_people(source, records)
    outputs, summaries = {}, {}
    # One local Spark session for the whole test (the command uses the active one).
    with spark.session(spark.SparkConfig(master="local[2]")):
        for name in engine.ENGINES:
            outputs[name] = tmp_path / f"{name}.csv"
            stdout, _err = run(
                "link-file",
                str(source),
                "--output",
                str(outputs[name]),
                "--model",
                str(model_file),
                "--engine",
                name,
                "--quiet",
            )
            summaries[name] = json.loads(stdout.split(": ", 1)[1])
        # The pairs themselves: the same pairs with the same weights.
        rows, _positions, _unmatchable = batch.matchable_rows(
            [r.record for r in records], Problems()
        )
        scored = {
            name: engine.score_all(
                rows,
                trained_model,
                config=engine.EngineConfig(memory_limit="1GB", engine=name),
                threshold=0.5,
            )
            for name in engine.ENGINES
        }
    duckdb_rows = list(csv.DictReader(outputs[engine.DUCKDB].open()))
    spark_rows = list(csv.DictReader(outputs[engine.SPARK].open()))
    # Person ids are numbered in order of first appearance: equal files, equal persons.
    assert spark_rows == duckdb_rows
    assert summaries[engine.SPARK] == summaries[engine.DUCKDB]
    persons = {row["person_id"] for row in duckdb_rows}
    assert len(persons) < len(duckdb_rows) / 2  # linking happened: not a trivial equality
    assert summaries[engine.DUCKDB]["pairs_for_review_not_linked"] > 0  # guards held pairs

    def pairs(result):
        return {
            (left, right): (weight, guarded)
            for left, right, weight, guarded in zip(
                result.left, result.right, result.weight, result.guarded, strict=True
            )
        }

    on_duckdb, on_spark = pairs(scored[engine.DUCKDB]), pairs(scored[engine.SPARK])
    assert on_spark.keys() == on_duckdb.keys()
    assert len(on_duckdb) > 100
    for pair, (weight, guarded) in on_duckdb.items():
        assert on_spark[pair][0] == pytest.approx(weight, abs=1e-9)
        assert on_spark[pair][1] == guarded
