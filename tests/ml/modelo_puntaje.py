"""A "model" whose score is its first input, for calibration tests that know the true probabilities."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin


class ModeloPuntaje(ClassifierMixin, BaseEstimator):
    """predict_proba returns the first input column as the probability of a violation."""

    def fit(self, X, y):
        self.classes_ = np.array([False, True])
        return self

    def predict_proba(self, X):
        s = np.asarray(X, dtype=np.float64)[:, 0]
        return np.column_stack([1 - s, s])

    def predict(self, X):
        return self.predict_proba(X)[:, 1] >= 0.5
