"""The ranker's choices, importable without loading numpy or scikit-learn (the CLI and window start fast)."""

from __future__ import annotations

MODELS = ("svm", "nb", "random")
"""``svm`` (the default): two linear SVMs with ASReview 2's relevant-heavy class weights, one on
TF-IDF word 1-2-grams (ASReview 2's ELAS u4), one on those words plus in-word character
3-5-grams, their ranks averaged (of the recipes compared in ``tests/benchmarks/screening.py``
on the same seeds, the only one at or above ASReview's best published figure on both corpus
files); ``nb``: ASReview's
classic default (TF-IDF words, multinomial naive Bayes, "double" balance); ``random``: a seeded
random order (for reviewers who must not be steered)."""
DEFAULT_MODEL = "svm"
