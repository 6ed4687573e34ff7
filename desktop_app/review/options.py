"""The ranker's choices, importable without loading numpy or scikit-learn (the CLI and window start fast)."""

from __future__ import annotations

MODELS = ("svm", "nb", "random")
"""``svm``: class-balanced linear SVM (the default, chosen from the corpus simulations); ``nb``:
multinomial naive Bayes; ``random``: a seeded random order (for reviewers who must not be steered)."""
DEFAULT_MODEL = "svm"
