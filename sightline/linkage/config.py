"""The linkage settings, read in one place."""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from sightline.linkage import engine, modelfile
from sightline.linkage.spark import SparkConfig


@dataclass(frozen=True)
class Thresholds:
    auto: float
    review: float


def thresholds() -> Thresholds:
    auto = float(settings.SIGHTLINE_LINKAGE_AUTO_THRESHOLD)
    review = float(settings.SIGHTLINE_LINKAGE_REVIEW_THRESHOLD)
    if not 0 < review <= auto <= 1:
        raise ValueError(
            "Linkage thresholds must satisfy 0 < review <= automatic <= 1 "
            f"(review {review}, automatic {auto})."
        )
    return Thresholds(auto=auto, review=review)


def engine_config(
    name: str = engine.DUCKDB, *, spark_master: str | None = None
) -> engine.EngineConfig:
    """The engine's settings; ``name`` is ``duckdb`` or ``spark`` (Splink's Spark backend,
    with ``spark_master`` or ``SPARK_MASTER`` as the master URL outside spark-submit)."""
    if name not in engine.ENGINES:
        raise ValueError(f"unknown engine {name!r} (expected one of {', '.join(engine.ENGINES)})")
    return engine.EngineConfig(
        memory_limit=settings.SIGHTLINE_DUCKDB_MEMORY_LIMIT,
        temp_directory=settings.SIGHTLINE_DUCKDB_TEMP_DIR,
        engine=name,
        spark=SparkConfig(
            master=spark_master or settings.SIGHTLINE_SPARK_MASTER,
            driver_memory=settings.SIGHTLINE_SPARK_DRIVER_MEMORY,
        )
        if name == engine.SPARK
        else None,
        max_temp_size=settings.SIGHTLINE_DUCKDB_MAX_TEMP_SIZE,
    )


def model_dir() -> Path:
    return Path(settings.SIGHTLINE_LINKAGE_MODEL_DIR)


def current_model_path() -> Path | None:
    return modelfile.latest(model_dir())
