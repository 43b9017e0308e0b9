"""The linkage settings, read in one place."""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from sightline.linkage import engine, modelfile


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


def engine_config() -> engine.EngineConfig:
    return engine.EngineConfig(
        memory_limit=settings.SIGHTLINE_DUCKDB_MEMORY_LIMIT,
        temp_directory=settings.SIGHTLINE_DUCKDB_TEMP_DIR,
        max_temp_size=settings.SIGHTLINE_DUCKDB_MAX_TEMP_SIZE,
    )


def model_dir() -> Path:
    return Path(settings.SIGHTLINE_LINKAGE_MODEL_DIR)


def current_model_path() -> Path | None:
    return modelfile.latest(model_dir())
