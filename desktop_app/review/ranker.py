"""Active-learning prioritisation: which unscreened record is most likely relevant.

Features are built once per record set (TF-IDF of words and word pairs plus character
3-5-grams within words, which tie together spelling variants such as *Wilson's* and
*Wilson*); after each decision a linear model is refitted on the screened records and
the unscreened ones are ordered by its score ("max" query strategy).  Class imbalance is
handled by class-balanced sample weights.  Ties are broken by a random permutation fixed
per ranker, never by the records' order or ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from desktop_app.review.options import DEFAULT_MODEL, MODELS

if TYPE_CHECKING:
    from scipy import sparse

SVM_C = 0.11
"""ASReview 2's default regularisation for its TF-IDF + linear SVM model (ELAS u4)."""
NB_ALPHA = 1.0
EVERY_DECISION_UNTIL = 500
"""Retrain after every decision while the screened records are few (where ranking matters most)."""
RETRAIN_SHARE = 0.01


def retrain_due(decisions: int, decisions_at_last_fit: int) -> bool:
    """Whether to refit now: after every decision up to 500, then once 1 % more have been made.

    Bounds a run over N records to about 500 + 100 ln(N / 500) fits instead of N.
    """
    if decisions <= EVERY_DECISION_UNTIL:
        return True
    return decisions - decisions_at_last_fit >= max(1, int(RETRAIN_SHARE * decisions_at_last_fit))


def record_text(title: str, abstract: str) -> str:
    return f"{title}\n{abstract}"


def build_features(texts: Sequence[str]) -> sparse.csr_matrix:
    """Rows of L2-normalised TF-IDF features: word 1-2-grams beside in-word character 3-5-grams."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    if not texts:
        return sparse.csr_matrix((0, 0))
    parts = []
    for vectorizer in (
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                        min_df=2 if len(texts) > 1 else 1, dtype=np.float32),
    ):
        try:
            parts.append(vectorizer.fit_transform(texts))
        except ValueError:  # an empty vocabulary: every text blank
            parts.append(sparse.csr_matrix((len(texts), 1), dtype=np.float32))
    return normalize(sparse.hstack(parts, format="csr"))


@dataclass
class Ranker:
    """Scores records from the decisions so far; one instance per record set."""

    features: sparse.csr_matrix
    model: str = DEFAULT_MODEL
    seed: int = 0

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise ValueError(f"unknown model {self.model!r}; choose from {', '.join(MODELS)}")
        rng = np.random.default_rng(self.seed)
        count = self.features.shape[0]
        # a tiny random offset orders equal scores without favouring early rows
        self._tiebreak = rng.permutation(count).astype(np.float64) / max(count, 1) * 1e-9

    @classmethod
    def for_texts(cls, texts: Sequence[str], model: str = DEFAULT_MODEL, seed: int = 0) -> Ranker:
        return cls(build_features(texts), model, seed)

    @property
    def size(self) -> int:
        return int(self.features.shape[0])

    def can_learn(self, labels: Sequence[int]) -> bool:
        """A model needs at least one relevant and one irrelevant record."""
        return self.model != "random" and 0 < sum(labels) < len(labels)

    def scores(self, labelled: Sequence[int], labels: Sequence[int]) -> np.ndarray:
        """A relevance score for every record (higher = more likely relevant)."""
        if not self.can_learn(labels):
            return self._tiebreak * 1e9
        from sklearn.naive_bayes import MultinomialNB
        from sklearn.svm import LinearSVC

        x = self.features[np.asarray(labelled)]
        y = np.asarray(labels, dtype=np.int8)
        weights = _balanced_weights(y)
        if self.model == "nb":
            nb = MultinomialNB(alpha=NB_ALPHA)
            nb.fit(x, y, sample_weight=weights)
            log_proba = nb.predict_log_proba(self.features)
            raw = log_proba[:, 1] - log_proba[:, 0]
        else:
            svm = LinearSVC(C=SVM_C)
            svm.fit(x, y, sample_weight=weights)
            raw = svm.decision_function(self.features)
        return np.asarray(raw, dtype=np.float64) + self._tiebreak

    def ranking(self, labelled: Sequence[int], labels: Sequence[int]) -> list[int]:
        """Unscreened record positions, most likely relevant first."""
        scores = self.scores(labelled, labels)
        scores[np.asarray(labelled, dtype=np.int64)] = -np.inf
        order = np.argsort(-scores, kind="stable")
        return [int(i) for i in order[: self.size - len(set(labelled))]]


def _balanced_weights(labels: np.ndarray) -> np.ndarray:
    """Each class weighs as much in total as the other, whatever their sizes."""
    positives = int(labels.sum())
    negatives = len(labels) - positives
    return np.where(labels == 1, len(labels) / (2.0 * positives), len(labels) / (2.0 * negatives))
