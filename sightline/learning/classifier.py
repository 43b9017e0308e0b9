"""Theme suggestions from a review's text: TF-IDF words and word pairs, one logistic
regression per theme (scikit-learn). No Django imports.

Suggestions help a coder not to miss a theme; they never code a review. Each comes
with the sentence of the review that most supports it, so the coder can see why, and
a theme with too few coded examples is not suggested at all.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    # scikit-learn takes seconds to import: only code that fits a model pays for it.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

#: A theme needs this many coded reviews (and as many without it) to be learnt.
MIN_EXAMPLES = 5
#: Suggest a theme when its estimated probability reaches this.
THRESHOLD = 0.5
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Suggestion:
    code: str
    probability: float
    evidence: str


@dataclass
class ThemeSuggester:
    """Fitted on texts and their theme codes; ``suggest`` ranks themes for a new text."""

    vectorizer: TfidfVectorizer
    models: dict[str, LogisticRegression]
    skipped: list[str] = field(default_factory=list)

    @classmethod
    def fit(
        cls,
        texts: Sequence[str],
        labels: Sequence[frozenset[str]],
        *,
        codes: Sequence[str] | None = None,
    ) -> ThemeSuggester:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        if len(texts) != len(labels):
            raise ValueError(f"labels: {len(labels)} label sets for {len(texts)} texts")
        if len(texts) < 2 * MIN_EXAMPLES:
            raise ValueError(
                f"texts: {len(texts)} coded reviews; at least {2 * MIN_EXAMPLES} are needed"
            )
        codes = sorted(set().union(*labels)) if codes is None else list(codes)
        vectorizer = TfidfVectorizer(
            ngram_range=(1, 2), min_df=2, sublinear_tf=True, stop_words="english"
        )
        matrix = vectorizer.fit_transform(texts)
        models: dict[str, LogisticRegression] = {}
        skipped = []
        for code in codes:
            target = np.fromiter((code in label for label in labels), dtype=bool, count=len(labels))
            positives = int(target.sum())
            if min(positives, len(target) - positives) < MIN_EXAMPLES:
                skipped.append(code)
                continue
            model = LogisticRegression(C=4.0, class_weight="balanced", solver="liblinear")
            model.fit(matrix, target)
            models[code] = model
        return cls(vectorizer=vectorizer, models=models, skipped=skipped)

    def probabilities(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        matrix = self.vectorizer.transform(texts)
        return {code: model.predict_proba(matrix)[:, 1] for code, model in self.models.items()}

    def predict(
        self, texts: Sequence[str], *, threshold: float = THRESHOLD
    ) -> list[frozenset[str]]:
        """What ``suggest`` would offer for each text, as sets of codes (for evaluation)."""
        probabilities = self.probabilities(texts)
        owners: list[int] = []
        sentences: list[str] = []
        for index, text in enumerate(texts):
            for sentence in _SENTENCE.split(text.strip()):
                if sentence:
                    owners.append(index)
                    sentences.append(sentence)
        matrix = self.vectorizer.transform(sentences) if sentences else None
        found: list[set[str]] = [set() for _ in texts]
        for code, values in probabilities.items():
            best = np.full(len(texts), -np.inf)
            if matrix is not None:
                np.maximum.at(best, owners, matrix @ self.models[code].coef_[0])
            for row in np.flatnonzero((values >= threshold) & (best > 0)):
                found[int(row)].add(code)
        return [frozenset(codes) for codes in found]

    def suggest(self, text: str, *, threshold: float = THRESHOLD) -> list[Suggestion]:
        """Themes at or above ``threshold``, most likely first, each with the sentence
        that speaks most for it; a theme no sentence speaks for is left out."""
        if not text.strip():
            return []
        probabilities = self.probabilities([text])
        sentences = [s for s in _SENTENCE.split(text.strip()) if s]
        sentence_matrix = self.vectorizer.transform(sentences)
        found = []
        for code, values in probabilities.items():
            probability = float(values[0])
            if probability < threshold:
                continue
            weights = self.models[code].coef_[0]
            scores = sentence_matrix @ weights
            best = int(np.argmax(scores))
            if scores[best] <= 0:
                continue  # no sentence speaks for it: an estimate without evidence is not shown
            found.append(Suggestion(code, probability, sentences[best]))
        return sorted(found, key=lambda s: (-s.probability, s.code))


# --- evaluation ----------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.true_positive + other.true_positive,
            self.false_positive + other.false_positive,
            self.false_negative + other.false_negative,
        )

    @property
    def support(self) -> int:
        return self.true_positive + self.false_negative

    @property
    def precision(self) -> float | None:
        suggested = self.true_positive + self.false_positive
        return self.true_positive / suggested if suggested else None

    @property
    def recall(self) -> float | None:
        return self.true_positive / self.support if self.support else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def count(
    predicted: Sequence[frozenset[str]], actual: Sequence[frozenset[str]], code: str
) -> Counts:
    tp = fp = fn = 0
    for guess, truth in zip(predicted, actual, strict=True):
        if code in guess:
            tp, fp = (tp + 1, fp) if code in truth else (tp, fp + 1)
        elif code in truth:
            fn += 1
    return Counts(tp, fp, fn)


@dataclass(frozen=True)
class Evaluation:
    reviews: int
    folds: int
    per_theme: dict[str, Counts]
    baseline: dict[str, Counts]
    skipped: list[str]

    @staticmethod
    def micro(counts: dict[str, Counts]) -> Counts:
        total = Counts()
        for value in counts.values():
            total = total + value
        return total

    @staticmethod
    def macro_f1(counts: dict[str, Counts]) -> float | None:
        scores = [c.f1 for c in counts.values() if c.f1 is not None]
        return math.fsum(scores) / len(scores) if scores else None


def keyword_baseline(text: str, labels: dict[str, str]) -> frozenset[str]:
    """The naive rule a suggestion must beat: a theme is present if a word of four or
    more letters from its label appears in the text."""
    words = set(re.findall(r"[a-z]+", text.lower()))
    return frozenset(
        code
        for code, label in labels.items()
        if any(len(w) >= 4 and w in words for w in re.findall(r"[a-z]+", label.lower()))
    )


def evaluate(
    texts: Sequence[str],
    labels: Sequence[frozenset[str]],
    *,
    theme_labels: dict[str, str],
    folds: int = 5,
    seed: int = 0,
    threshold: float = THRESHOLD,
) -> Evaluation:
    """K-fold cross-validation: each review is suggested for by a model that never saw
    it, exactly as the coding page would (estimate at the threshold and a sentence that
    speaks for the theme). Counts are summed over folds; a theme skipped in any fold is
    reported as such."""
    from sklearn.model_selection import KFold

    if folds < 2:
        raise ValueError(f"folds: must be at least 2, not {folds}")
    if len(texts) < folds * 2 * MIN_EXAMPLES:
        raise ValueError(
            f"texts: {len(texts)} coded reviews are too few for {folds} folds "
            f"(at least {folds * 2 * MIN_EXAMPLES})"
        )
    codes = sorted(theme_labels)
    predicted: list[frozenset[str]] = [frozenset()] * len(texts)
    skipped: set[str] = set()
    splitter = KFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(np.arange(len(texts))):
        model = ThemeSuggester.fit(
            [texts[i] for i in train], [labels[i] for i in train], codes=codes
        )
        skipped.update(model.skipped)
        for index, codes_found in zip(
            test, model.predict([texts[i] for i in test], threshold=threshold), strict=True
        ):
            predicted[index] = codes_found
    baseline = [keyword_baseline(text, theme_labels) for text in texts]
    learnt = [code for code in codes if code not in skipped]
    return Evaluation(
        reviews=len(texts),
        folds=folds,
        per_theme={code: count(predicted, labels, code) for code in learnt},
        baseline={code: count(baseline, labels, code) for code in learnt},
        skipped=sorted(skipped),
    )
