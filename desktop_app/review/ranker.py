"""Active-learning prioritisation: which unscreened record is most likely relevant.

A ranker follows a *recipe*: which TF-IDF features describe a record (built once for the
whole record set, since all texts are known up front), which linear learner(s) are refitted
on the screened records after each decision, and how the rare relevant class is weighted.
Unscreened records are ordered by the model's score ("max" query strategy); a recipe with
several learners averages their ranks.  Ties are broken by a random permutation fixed per
ranker, never by the records' order or ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from desktop_app.review.options import DEFAULT_MODEL, MODELS

if TYPE_CHECKING:
    from scipy import sparse

SVM_C = 0.11
"""ASReview 2's default regularisation for its TF-IDF + linear SVM model (ELAS u4)."""
LR_C = 1.0
"""scikit-learn's default; ASReview's logistic model uses C = 1 too."""
NB_ALPHA = 3.822
"""ASReview's default smoothing for multinomial naive Bayes."""
EVERY_DECISION_UNTIL = 500
"""Retrain after every decision while the screened records are few (where ranking matters most)."""
RETRAIN_SHARE = 0.01

FEATURE_KINDS = ("words", "words+chars", "chars", "unigrams")
LEARNERS = ("svm", "lr", "nb")
BALANCES = ("balanced", "double", "relevant-heavy")


class Member(NamedTuple):
    """One learner of a recipe on one kind of features, with one way of weighting the classes."""

    learner: str
    features: str
    balance: str = "relevant-heavy"


@dataclass(frozen=True)
class Recipe:
    """How a ranker describes records and learns from decisions: one or more members, each a
    learner on a kind of features, whose ranks are averaged when there are several.

    Features: ``words`` = sublinear TF-IDF of word 1-2-grams (ASReview 2's ELAS u4);
    ``words+chars`` adds in-word character 3-5-grams, which tie spelling variants and word
    forms together (*chelation*, *chelating*); ``chars`` = those character n-grams alone; ``unigrams`` = plain TF-IDF of words without
    English stop words (ASReview's classic naive Bayes features).  Learners: ``svm``
    class-weighted linear SVM, ``lr`` logistic regression, ``nb`` multinomial naive Bayes.
    Balance: ``relevant-heavy`` (the default) gives the relevant records ``RELEVANT_WEIGHT_RATIO``
    times the total weight of the irrelevant ones (ASReview 2's "balanced" sample weights with
    its ELAS u4 ratio); ``balanced`` weighs both classes equally in total; ``double`` is
    ASReview's dynamic "double" resampling, applied as its expected sample weights.
    """

    members: tuple[Member, ...]

    def __post_init__(self) -> None:
        if not self.members:
            raise ValueError("a recipe needs at least one learner")
        for learner, features, balance in self.members:
            if learner not in LEARNERS:
                raise ValueError(f"unknown learner {learner!r}; choose from {', '.join(LEARNERS)}")
            if features not in FEATURE_KINDS:
                raise ValueError(f"unknown features {features!r}; choose from {', '.join(FEATURE_KINDS)}")
            if balance not in BALANCES:
                raise ValueError(f"unknown balance {balance!r}; choose from {', '.join(BALANCES)}")

    @classmethod
    def of(cls, *members: tuple[str, ...]) -> Recipe:
        """``Recipe.of(("svm", "words"), ("nb", "unigrams", "double"))``."""
        return cls(tuple(Member(*m) for m in members))

    @property
    def feature_kinds(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.features for m in self.members))


RECIPES: dict[str, Recipe] = {
    "svm": Recipe.of(("svm", "words"), ("svm", "words+chars")),
    "nb": Recipe.of(("nb", "unigrams", "double")),
}
"""The recipes a user can choose by name (``options.MODELS`` besides ``random``)."""


def recipe_named(model: str) -> Recipe | None:
    """The recipe behind a model name; None for ``random``."""
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; choose from {', '.join(MODELS)}")
    return RECIPES.get(model)


def retrain_due(decisions: int, decisions_at_last_fit: int) -> bool:
    """Whether to refit now: after every decision up to 500, then once 1 % more have been made.

    Bounds a run over N records to about 500 + 100 ln(N / 500) fits instead of N.
    """
    if decisions <= EVERY_DECISION_UNTIL:
        return True
    return decisions - decisions_at_last_fit >= max(1, int(RETRAIN_SHARE * decisions_at_last_fit))


def record_text(title: str, abstract: str) -> str:
    return f"{title}\n{abstract}"


def build_features(texts: Sequence[str], kind: str = "words+chars") -> sparse.csr_matrix:
    """Rows of L2-normalised TF-IDF features of the given kind (see ``Recipe``)."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    if kind not in FEATURE_KINDS:
        raise ValueError(f"unknown features {kind!r}")
    if not texts:
        return sparse.csr_matrix((0, 0))
    vectorizers = []
    if kind == "unigrams":
        vectorizers.append(TfidfVectorizer(stop_words="english", dtype=np.float32))
    elif kind != "chars":
        vectorizers.append(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32))
    if kind in ("words+chars", "chars"):
        vectorizers.append(TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                                           min_df=2 if len(texts) > 1 else 1, dtype=np.float32))
    parts = []
    for vectorizer in vectorizers:
        try:
            parts.append(vectorizer.fit_transform(texts))
        except ValueError:  # an empty vocabulary: every text blank
            parts.append(sparse.csr_matrix((len(texts), 1), dtype=np.float32))
    return normalize(sparse.hstack(parts, format="csr"))


Features = dict[str, "sparse.csr_matrix"]
"""Feature matrices by kind, one row per record."""


def features_for(texts: Sequence[str], model: str | Recipe = DEFAULT_MODEL) -> Features:
    """The features a ranker of ``model`` needs (none for ``random``)."""
    recipe = model if isinstance(model, Recipe) else recipe_named(model)
    return {} if recipe is None else {kind: build_features(texts, kind) for kind in recipe.feature_kinds}


@dataclass
class Ranker:
    """Scores records from the decisions so far; one instance per record set.

    ``features`` holds ``build_features(texts, kind)`` for each kind the recipe uses
    (``features_for`` builds them); ``count`` is the number of records.
    """

    count: int
    features: Features
    model: str | Recipe = DEFAULT_MODEL
    seed: int = 0

    def __post_init__(self) -> None:
        self.recipe = self.model if isinstance(self.model, Recipe) else recipe_named(self.model)
        missing = [k for k in (self.recipe.feature_kinds if self.recipe else ()) if k not in self.features]
        if missing:
            raise ValueError(f"features missing for {', '.join(missing)}")
        rng = np.random.default_rng(self.seed)
        count = self.count
        # a tiny random offset orders equal scores without favouring early rows
        self._tiebreak = rng.permutation(count).astype(np.float64) / max(count, 1) * 1e-9

    @classmethod
    def for_texts(cls, texts: Sequence[str], model: str | Recipe = DEFAULT_MODEL, seed: int = 0) -> Ranker:
        return cls(len(texts), features_for(texts, model), model, seed)

    @property
    def size(self) -> int:
        return self.count

    def can_learn(self, labels: Sequence[int]) -> bool:
        """A model needs at least one relevant and one irrelevant record."""
        return self.recipe is not None and 0 < sum(labels) < len(labels)

    def scores(self, labelled: Sequence[int], labels: Sequence[int]) -> np.ndarray:
        """A relevance score for every record (higher = more likely relevant)."""
        if self.recipe is None or not self.can_learn(labels):
            return self._tiebreak * 1e9
        rows = np.asarray(labelled)
        y = np.asarray(labels, dtype=np.int8)
        weights = {"balanced": _balanced_weights, "double": _double_weights,
                   "relevant-heavy": _relevant_heavy_weights}
        raws = [_fit_and_score(learner, self.features[kind][rows], y, weights[balance](y), self.features[kind])
                for learner, kind, balance in self.recipe.members]
        if len(raws) == 1:
            return raws[0] + self._tiebreak
        ranks = [np.argsort(np.argsort(raw + self._tiebreak, kind="stable"), kind="stable") for raw in raws]
        return np.mean(ranks, axis=0) + self._tiebreak

    def ranking(self, labelled: Sequence[int], labels: Sequence[int]) -> list[int]:
        """Unscreened record positions, most likely relevant first."""
        scores = self.scores(labelled, labels)
        scores[np.asarray(labelled, dtype=np.int64)] = -np.inf
        order = np.argsort(-scores, kind="stable")
        return [int(i) for i in order[: self.size - len(set(labelled))]]


def _fit_and_score(learner: str, x: sparse.csr_matrix, y: np.ndarray, weights: np.ndarray,
                   features: sparse.csr_matrix) -> np.ndarray:
    """Fit one learner on the screened rows; a score for every row (one sparse product)."""
    if learner == "nb":
        from sklearn.naive_bayes import MultinomialNB

        nb = MultinomialNB(alpha=NB_ALPHA)
        nb.fit(x, y, sample_weight=weights)
        log_odds = nb.feature_log_prob_[1] - nb.feature_log_prob_[0]
        prior = float(nb.class_log_prior_[1] - nb.class_log_prior_[0])
        return np.asarray(features @ log_odds.astype(features.dtype), dtype=np.float64) + prior
    if learner == "lr":
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=LR_C, solver="liblinear")
    else:
        from sklearn.svm import LinearSVC

        model = LinearSVC(C=SVM_C)
    model.fit(x, y, sample_weight=weights)
    coef = model.coef_.ravel().astype(features.dtype)
    return np.asarray(features @ coef, dtype=np.float64) + float(model.intercept_[0])


def _balanced_weights(labels: np.ndarray) -> np.ndarray:
    """Each class weighs as much in total as the other, whatever their sizes."""
    positives = int(labels.sum())
    negatives = len(labels) - positives
    return np.where(labels == 1, len(labels) / (2.0 * positives), len(labels) / (2.0 * negatives))


RELEVANT_WEIGHT_RATIO = 9.8
"""ASReview 2's ELAS u4 class ratio (its default model; chosen by ASReview's hyperparameter search
over the SYNERGY collection of reviews, not over Lectern's two development files)."""


def _relevant_heavy_weights(labels: np.ndarray) -> np.ndarray:
    """Relevant records weigh ``RELEVANT_WEIGHT_RATIO`` times as much in total as the irrelevant
    ones: each relevant record 1, each irrelevant one ``n1 / (ratio n0)``, scaled to sum to n."""
    positives = int(labels.sum())
    negatives = len(labels) - positives
    weights = np.where(labels == 1, 1.0, positives / (RELEVANT_WEIGHT_RATIO * negatives))
    return weights * len(labels) / weights.sum()


DOUBLE_A, DOUBLE_ALPHA, DOUBLE_B, DOUBLE_BETA = 2.155, 0.94, 0.789, 1.0
"""ASReview's defaults for its "double" balance strategy."""


def _double_weights(labels: np.ndarray) -> np.ndarray:
    """ASReview's "double" resampling as expected weights: relevant records up-weighted by
    ``a (n1 / n0) ** -alpha``, irrelevant ones down-weighted more gently while few are read."""
    positives = int(labels.sum())
    negatives = len(labels) - positives
    one = DOUBLE_A * (positives / negatives) ** -DOUBLE_ALPHA
    zero = 1 - (1 - DOUBLE_B) * (1 + len(labels)) ** -DOUBLE_BETA
    total = one * positives + zero * negatives
    return np.where(labels == 1, one, zero) * len(labels) / total
