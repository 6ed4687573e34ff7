"""The screening simulation for the front ends (numpy and scikit-learn: import this lazily)."""

from __future__ import annotations

from desktop_app.review.simulate import LabelledFileError, read_labelled_csv, simulate

__all__ = ["LabelledFileError", "read_labelled_csv", "simulate"]
