import pytest

from sightline.learning import classifier
from sightline.learning.corpus import generate_corpus
from sightline.learning.themes import STARTING_THEMES

LABELS = {code: label for _, code, label in STARTING_THEMES}


@pytest.fixture(scope="module")
def small_corpus():
    records = list(generate_corpus(160, seed=3))
    return [r.text for r in records], [frozenset(r.themes) for r in records]


def test_counts_give_hand_worked_precision_recall_and_f1():
    predicted = [frozenset({"a"}), frozenset({"a"}), frozenset(), frozenset({"a"})]
    actual = [frozenset({"a"}), frozenset(), frozenset({"a"}), frozenset({"a"})]
    counts = classifier.count(predicted, actual, "a")
    # TP 2 (rows 1, 4), FP 1 (row 2), FN 1 (row 3): P = 2/3, R = 2/3, F1 = 2/3.
    assert counts == classifier.Counts(2, 1, 1)
    assert counts.precision == pytest.approx(2 / 3)
    assert counts.recall == pytest.approx(2 / 3)
    assert counts.f1 == pytest.approx(2 / 3)
    none = classifier.count([frozenset()], [frozenset()], "a")
    assert (none.precision, none.recall, none.f1) == (None, None, None)
    assert classifier.Counts(0, 2, 1).f1 == 0.0


def test_the_keyword_baseline_matches_long_label_words():
    assert classifier.keyword_baseline(
        "Domestic incidents were frequent.", {"domestic_abuse": "Domestic abuse", "x": "Ox"}
    ) == frozenset({"domestic_abuse"})


def test_it_refuses_too_little_to_learn_from():
    with pytest.raises(ValueError, match="texts: 3 coded reviews; at least 10"):
        classifier.ThemeSuggester.fit(["a", "b", "c"], [frozenset()] * 3)
    with pytest.raises(ValueError, match="labels: 1 label sets for 2 texts"):
        classifier.ThemeSuggester.fit(["a", "b"], [frozenset()])


def test_it_suggests_a_theme_with_the_sentence_that_shows_it(small_corpus):
    texts, labels = small_corpus
    model = classifier.ThemeSuggester.fit(texts, labels)
    text = (
        "This review concerns a young child. "
        "There were repeated police call-outs to domestic abuse between the parents. "
        "The review was completed within the expected timescale."
    )
    found = {s.code: s for s in model.suggest(text)}
    assert "domestic_abuse" in found
    assert found["domestic_abuse"].evidence.startswith("There were repeated police call-outs")
    assert "sudi" not in found
    assert model.suggest("   ") == []
    # Words it never saw: whatever the estimate, no sentence speaks for any theme.
    assert max(v[0] for v in model.probabilities(["Zebra quantum."]).values()) >= 0.3
    assert model.suggest("Zebra quantum.", threshold=0.3) == []
    # predict() offers the same themes as suggest(), for many texts at once.
    assert model.predict([text, "Zebra quantum.", ""], threshold=0.3) == [
        frozenset(s.code for s in model.suggest(text, threshold=0.3)),
        frozenset(),
        frozenset(),
    ]


def test_it_skips_themes_with_too_few_examples(small_corpus):
    texts, labels = small_corpus
    model = classifier.ThemeSuggester.fit(texts, labels, codes=["neglect", "never_used"])
    assert model.skipped == ["never_used"]
    assert set(model.models) == {"neglect"}


def test_cross_validation_beats_the_keyword_baseline_on_the_synthetic_corpus(small_corpus):
    texts, labels = small_corpus
    result = classifier.evaluate(texts, labels, theme_labels=LABELS, folds=2, seed=0)
    micro = result.micro(result.per_theme)
    assert micro.support == sum(len(label & set(result.per_theme)) for label in labels)
    assert micro.f1 is not None
    baseline = result.micro(result.baseline).f1
    assert baseline is not None
    assert micro.f1 > baseline + 0.2
    with pytest.raises(ValueError, match="folds: must be at least 2"):
        classifier.evaluate(texts, labels, theme_labels=LABELS, folds=1)
    with pytest.raises(ValueError, match="too few for 20 folds"):
        classifier.evaluate(texts, labels, theme_labels=LABELS, folds=20)
