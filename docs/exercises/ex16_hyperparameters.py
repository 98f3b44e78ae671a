"""Lesson 16 exercises: grid and random search."""

import itertools
import math

import numpy as np


def grid(space: dict) -> list:
    """Every combination of the candidate values, as dicts (keys in the space's order)."""
    names = list(space)
    return [dict(zip(names, values)) for values in itertools.product(*(space[n] for n in names))]


def log_uniform(low: float, high: float, rng: np.random.Generator) -> float:
    return float(math.exp(rng.uniform(math.log(low), math.log(high))))


def best(trials, key=None):
    """The setting of the highest-scoring (score, setting) pair."""
    return max(trials, key=key or (lambda t: t[0]))[1]
