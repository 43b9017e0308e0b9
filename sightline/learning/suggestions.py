"""Theme suggestions for the coding page, learnt from the final codings in the database.

The model is fitted on first use from the most recent ``TRAINING_LIMIT`` final codings
and kept in the process. When final codings change it is fitted again, but not more
often than every ``REFIT_AFTER`` seconds: a busy adjudication session must not make
every coding page wait for a fit.
"""

import threading
import time
from dataclasses import dataclass

from django.db.models import Count, Max

from sightline.learning import classifier, queries
from sightline.learning.models import FinalCoding, Theme

TRAINING_LIMIT = 3000
REFIT_AFTER = 600.0


@dataclass(frozen=True)
class _Fitted:
    fingerprint: tuple[object, ...]
    at: float
    model: classifier.ThemeSuggester | None


_lock = threading.Lock()
_fitted: _Fitted | None = None


def current_model() -> classifier.ThemeSuggester | None:
    """The suggester for the final codings, or None while there are too few."""
    global _fitted
    fingerprint = tuple(
        FinalCoding.objects.aggregate(n=Count("id"), latest=Max("decided_at")).values()
    )
    with _lock:
        if _fitted is not None and (
            _fitted.fingerprint == fingerprint
            or (_fitted.model is not None and time.monotonic() - _fitted.at < REFIT_AFTER)
        ):
            return _fitted.model
        texts, labels = queries.training_data(limit=TRAINING_LIMIT)
        try:
            model: classifier.ThemeSuggester | None = classifier.ThemeSuggester.fit(texts, labels)
        except ValueError:
            model = None
        _fitted = _Fitted(fingerprint, time.monotonic(), model)
        return model


@dataclass(frozen=True)
class LabelledSuggestion:
    code: str
    label: str
    percent: int
    evidence: str


def suggest_for(text: str) -> list[LabelledSuggestion]:
    """Suggestions for themes of the published taxonomy, with their labels."""
    model = current_model()
    if model is None:
        return []
    found = model.suggest(text)
    labels = dict(
        Theme.objects.filter(
            taxonomy__status="published", code__in=[s.code for s in found]
        ).values_list("code", "label")
    )
    return [
        LabelledSuggestion(s.code, labels[s.code], round(100 * s.probability), s.evidence)
        for s in found
        if s.code in labels
    ]
