"""The ranker's choices, importable without loading numpy or scikit-learn (the CLI and window start fast)."""

from __future__ import annotations

MODELS = ("svm", "nb", "random")
"""``svm``: class-balanced linear SVM on TF-IDF word 1-2-grams and in-word character 3-5-grams
(the default: of the recipes compared in ``tests/benchmarks/screening.py`` on the same seeds it
falls least short of ASReview's best published figure on either corpus file); ``nb``: ASReview's
classic default (TF-IDF words, multinomial naive Bayes, "double" balance); ``random``: a seeded
random order (for reviewers who must not be steered)."""
DEFAULT_MODEL = "svm"
