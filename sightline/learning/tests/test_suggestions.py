import pytest

from sightline.audit.actions import CLI
from sightline.learning import actions, queries, suggestions
from sightline.learning.corpus import generate_corpus

pytestmark = pytest.mark.django_db


def test_no_suggestions_until_enough_reviews_are_coded():
    assert suggestions.current_model() is None
    assert suggestions.suggest_for("There were repeated police call-outs.") == []


def test_the_model_is_kept_until_codings_change_and_then_refitted_at_most_so_often(
    monkeypatch,
):
    records = list(generate_corpus(60, seed=11))
    actions.import_review_corpus(actor=None, origin=CLI, records=records[:50])
    first = suggestions.current_model()
    assert first is not None
    assert suggestions.current_model() is first
    actions.import_review_corpus(actor=None, origin=CLI, records=records[50:])
    assert suggestions.current_model() is first  # changed, but fitted moments ago
    monkeypatch.setattr(suggestions, "REFIT_AFTER", 0.0)
    assert suggestions.current_model() is not first


def test_training_takes_the_most_recent_final_codings():
    records = list(generate_corpus(30, seed=12))
    actions.import_review_corpus(actor=None, origin=CLI, records=records)
    texts, labels = queries.training_data(limit=10)
    # Decided at the same moment: the later rows are the more recent.
    assert set(texts) == {r.text for r in records[-10:]}
    by_text = {r.text: frozenset(r.themes) for r in records}
    assert labels == [by_text[text] for text in texts]
    everything, _ = queries.training_data()
    assert len(everything) == 30
