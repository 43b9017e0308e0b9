"""Theme suggestions for the coding page, learnt from the final codings in the database.

The model is fitted on first use and kept in the process until the final codings
change (their count or latest decision time), so a page does not fit it each time.
"""

import threading
from dataclasses import dataclass

from django.db.models import Count, Max

from sightline.learning import classifier, queries
from sightline.learning.models import FinalCoding, Theme

_lock = threading.Lock()
_cached: tuple[tuple[object, ...], classifier.ThemeSuggester | None] | None = None


def current_model() -> classifier.ThemeSuggester | None:
    """The suggester for today's final codings, or None while there are too few."""
    global _cached
    fingerprint = tuple(
        FinalCoding.objects.aggregate(n=Count("id"), latest=Max("decided_at")).values()
    )
    with _lock:
        if _cached is not None and _cached[0] == fingerprint:
            return _cached[1]
        texts, labels = queries.training_data()
        try:
            model: classifier.ThemeSuggester | None = classifier.ThemeSuggester.fit(texts, labels)
        except ValueError:
            model = None
        _cached = (fingerprint, model)
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
