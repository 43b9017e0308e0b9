"""Real-time matching: candidates from indexed blocking keys, scored with the Splink model.

A new record is never joined against the whole index. Its blocking keys (the same pairs
of fields as the batch blocking rules) are looked up in ``RecordKey``; the few records
found are scored with the trained model's weights (``comparisons.score``, checked against
Splink's own scoring by a test) and grouped by person.

The index is derived data: ``index_records`` writes it inside the actions that create or
change records (``people.actions.upsert_source_records``, used by imports, the API and
forms; ``record_person``) and in ``sightline link``; ``follow_persons`` keeps its person
ids in step when records move. ``catch_up`` indexes, before each lookup, any record
written some other way (records saved directly, say, as tests and fixtures do).
"""

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Max
from django.utils import timezone

from sightline.linkage import comparisons
from sightline.linkage.features import (
    IdentityRecord,
    blocking_keys,
    features,
    has_identity,
    query_keys,
)
from sightline.linkage.models import ModelVersion, RecordFeatures, RecordKey
from sightline.linkage.queries import identity_of
from sightline.people.models import SourceRecord

# More candidate records than this for one query means the keys are too coarse; the
# strongest are kept (the limit bounds the worst case, it is not reached in practice).
MAX_CANDIDATE_RECORDS = 500
_CHUNK = 900


class NoModelError(Exception):
    """No linkage model has been trained yet."""


@dataclass(frozen=True)
class Candidate:
    person_id: int
    public_id: str
    probability: float
    match_weight: float
    evidence: tuple[comparisons.FieldEvidence, ...]
    guard: str
    record_id: int

    def explanation(self) -> list[dict[str, Any]]:
        return [item.as_dict() for item in self.evidence]


class OutdatedModelError(NoModelError):
    """The newest model was trained by another version of Sightline's comparisons."""


def current_model() -> ModelVersion:
    model = ModelVersion.objects.order_by("-trained_at", "-id").first()
    if model is None:
        raise NoModelError(
            "No linkage model has been trained yet: run `sightline train-linkage-model`."
        )
    mismatch = comparisons.model_mismatch(model.splink_model)
    if mismatch:
        raise OutdatedModelError(
            f"Linkage model {model.version} was trained by another version of Sightline "
            f"({mismatch}). {comparisons.RETRAIN}"
        )
    return model


@functools.lru_cache(maxsize=4)
def _weights(version: str) -> comparisons.Weights:
    model = ModelVersion.objects.get(version=version)
    return comparisons.Weights.from_model(model.splink_model)


def weights_for(model: ModelVersion) -> comparisons.Weights:
    return _weights(model.version)


def common_names_for(model: ModelVersion) -> frozenset[str]:
    """The common first given names the model was trained with (for the twins guard)."""
    return frozenset(model.training.get("common_given_names", []))


def index_records(records: Iterable[SourceRecord]) -> int:
    """(Re)write the features and keys of ``records``. Returns how many were indexed."""
    now = timezone.now()
    items = list(records)
    for start in range(0, len(items), _CHUNK):
        chunk = items[start : start + _CHUNK]
        ids = [record.pk for record in chunk]
        RecordKey.objects.filter(source_record_id__in=ids).delete()
        RecordFeatures.objects.filter(source_record_id__in=ids).delete()
        feature_rows = []
        keys: list[RecordKey] = []
        for record in chunk:
            row = features(identity_of(record), record.pk)
            feature_rows.append(
                RecordFeatures(
                    source_record_id=record.pk,
                    person_id=record.person_id,
                    features=row,
                    indexed_at=now,
                )
            )
            if has_identity(identity_of(record)):
                keys.extend(
                    RecordKey(source_record_id=record.pk, key=key)
                    for key in dict.fromkeys(blocking_keys(row))
                )
        RecordFeatures.objects.bulk_create(feature_rows, batch_size=_CHUNK)
        RecordKey.objects.bulk_create(keys, batch_size=_CHUNK, ignore_conflicts=True)
    return len(items)


def follow_persons(record_ids: Sequence[int]) -> None:
    """Keep the index's person ids in step after records moved between persons."""
    for start in range(0, len(record_ids), _CHUNK):
        chunk = record_ids[start : start + _CHUNK]
        for record_id, person_id in SourceRecord.objects.filter(pk__in=chunk).values_list(
            "pk", "person_id"
        ):
            RecordFeatures.objects.filter(source_record_id=record_id).exclude(
                person_id=person_id
            ).update(person_id=person_id)


def catch_up() -> int:
    """Index source records added since the newest indexed one."""
    newest = RecordFeatures.objects.aggregate(newest=Max("source_record_id"))["newest"] or 0
    records = SourceRecord.objects.filter(pk__gt=newest).order_by("pk")
    if not records.exists():
        return 0
    return index_records(records.iterator(chunk_size=_CHUNK))


def candidates(
    identity: IdentityRecord,
    *,
    weights: comparisons.Weights,
    min_probability: float = 0.01,
    limit: int = 10,
    common_names: frozenset[str] = frozenset(),
) -> list[Candidate]:
    """Existing persons who may be the person ``identity`` describes, most likely first.

    One indexed query finds the candidate records; each is scored; a person's score is
    that of their best-matching record.
    """
    if not has_identity(identity):
        return []
    query = features(identity, -1)
    keys = list(dict.fromkeys(query_keys(query)))
    found = (
        RecordFeatures.objects.filter(
            source_record_id__in=RecordKey.objects.filter(key__in=keys).values("source_record_id"),
            person__merged_into__isnull=True,
        )
        .values_list("source_record_id", "person_id", "person__public_id", "features")
        .order_by()[:MAX_CANDIDATE_RECORDS]
    )
    best: dict[int, Candidate] = {}
    for record_id, person_id, public_id, row in found:
        result = comparisons.score(weights, query, row)
        if result.probability < min_probability:
            continue
        kept = best.get(person_id)
        if kept is None or result.match_weight > kept.match_weight:
            best[person_id] = Candidate(
                person_id=person_id,
                public_id=str(public_id),
                probability=result.probability,
                match_weight=result.match_weight,
                evidence=result.evidence,
                guard=result.guard or comparisons.common_names_guard(query, row, common_names),
                record_id=record_id,
            )
    ranked = sorted(best.values(), key=lambda c: (-c.match_weight, c.person_id))
    return ranked[:limit]
