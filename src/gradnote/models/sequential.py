"""Keras's Sequential under its old path (gradnote.models.Sequential): gradnote.keras.Sequential.

    from gradnote.models import Sequential
    from gradnote.layers import Dense
    model = Sequential([Dense(64, activation="relu"), Dense(10, activation="softmax")])
"""

from ..keras.models import Sequential

__all__ = ["Sequential"]
