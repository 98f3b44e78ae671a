"""Keras's Sequential is gradnote's nn.Sequential: ``add`` layers, then compile / fit / evaluate / predict.

    from gradnote.models import Sequential
    from gradnote.layers import Dense
    model = Sequential([Dense(64, activation="relu"), Dense(10, activation="softmax")])
"""

from ..nn.containers import Sequential

__all__ = ["Sequential"]
