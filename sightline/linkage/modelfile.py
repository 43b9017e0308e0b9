"""The trained model as a versioned file. Pure: no Django.

A model file names the file format, the Splink version it was trained with and a
fingerprint of the comparisons (``comparisons.py``). A file that differs in any of these
is refused with a message saying what differs and how to train a new one: weights
estimated for other comparisons would be silently wrong.
"""

import datetime as dt
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sightline.linkage import comparisons

FORMAT = "sightline-linkage-model"
FORMAT_VERSION = 1
SPLINK_VERSION = "5.0.0"


class ModelFileError(Exception):
    """The model file cannot be used; the message says why and what to do."""


def code_fingerprint() -> str:
    """A hash of every comparison level's SQL and term-frequency column, and the blocking
    rules with the arrays they explode."""
    parts = [
        f"{c.name}:{level.key}:{level.sql}:{level.tf_column or ''}"
        for c in comparisons.COMPARISONS
        for level in c.levels
    ]
    parts.extend(
        f"{rule}:{comparisons.EXPLODED.get(rule, ())}" for rule in comparisons.BLOCKING_RULES
    )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class TrainedModel:
    version: str
    created_at: str
    splink_model: dict[str, Any]
    training: dict[str, Any]

    def as_document(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "version": self.version,
            "created_at": self.created_at,
            "splink_version": SPLINK_VERSION,
            "code_fingerprint": code_fingerprint(),
            "training": self.training,
            "splink_model": self.splink_model,
        }


def new_model(
    splink_model: dict[str, Any], *, training: dict[str, Any], now: dt.datetime
) -> TrainedModel:
    content = json.dumps(splink_model, sort_keys=True).encode()
    version = f"{now:%Y%m%d-%H%M%S}-{hashlib.sha256(content).hexdigest()[:8]}"
    return TrainedModel(
        version=version, created_at=now.isoformat(), splink_model=splink_model, training=training
    )


def save(model: TrainedModel, directory: Path) -> Path:
    """Write ``<version>.json`` in ``directory`` (atomically) and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{model.version}.json"
    handle, temp_name = tempfile.mkstemp(dir=directory, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(model.as_document(), out, indent=1, sort_keys=True)
    Path(temp_name).replace(path)
    return path


def load(path: Path) -> TrainedModel:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelFileError(f"No model file at {path}.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFileError(f"{path} is not a readable linkage model file ({error}).") from None
    return from_document(document, where=str(path))


def from_document(document: Any, *, where: str = "model") -> TrainedModel:
    retrain = "Train a new one with `sightline train-linkage-model`."
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelFileError(f"{where} is not a Sightline linkage model. {retrain}")
    if document.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(
            f"{where} is model file format {document.get('format_version')!r}; this "
            f"Sightline reads format {FORMAT_VERSION}. {retrain}"
        )
    if document.get("splink_version") != SPLINK_VERSION:
        raise ModelFileError(
            f"{where} was trained with Splink {document.get('splink_version')!r}; this "
            f"Sightline uses Splink {SPLINK_VERSION}. {retrain}"
        )
    if document.get("code_fingerprint") != code_fingerprint():
        raise ModelFileError(
            f"{where} was trained for other comparisons (fingerprint "
            f"{document.get('code_fingerprint')!r}, this code {code_fingerprint()!r}). {retrain}"
        )
    try:
        model = TrainedModel(
            version=str(document["version"]),
            created_at=str(document["created_at"]),
            splink_model=dict(document["splink_model"]),
            training=dict(document.get("training") or {}),
        )
        comparisons.Weights.from_model(model.splink_model)
    except (KeyError, TypeError, ValueError) as error:
        raise ModelFileError(f"{where} is damaged ({error}). {retrain}") from None
    return model


def latest(directory: Path) -> Path | None:
    """The newest model file in ``directory`` (versions sort by time), or None."""
    if not directory.is_dir():
        return None
    files = sorted(directory.glob("*.json"))
    return files[-1] if files else None
