"""Keras's spelling of gradnote's high-level API, so code from Keras tutorials runs with only imports changed.

    import gradnote as tf                                  # was: import tensorflow as tf
    from gradnote.keras.models import Sequential           # was: from tensorflow.keras.models import ...
    from gradnote.keras.layers import Dense, Dropout
    adam = tf.keras.optimizers.Adam(lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=None, decay=0.0, amsgrad=False)

    from gradnote import keras                             # was: import keras
    inputs = keras.Input(shape=(784,))
    outputs = keras.layers.Dense(10, activation="softmax")(keras.layers.Dense(64, activation="relu")(inputs))
    model = keras.Model(inputs, outputs)

The layers are spellings over gradnote.nn, the optimisers over gradnote.optim, and training runs the
one loop in gradnote.train (keras.training). Importing this package also installs it as the
implementation behind nn.Sequential's deprecated compile/fit/evaluate/predict.
"""

from .. import nn as _nn
from . import (  # noqa: F401  # noqa: F401
           activations,
           backend,
           callbacks,
           config,
           constraints,
           datasets,
           initializers,
           layers,
           losses,
           metrics,
           mixed_precision,
           models,
           ops,
           optimizers,
           preprocessing,
           random,
           regularizers,
           saving,
           training,
           utils,
)
from .graph import Input, KerasTensor  # noqa: F401
from .models import Model, Sequential, load_model  # noqa: F401

__all__ = ["Input", "KerasTensor", "Model", "Sequential", "activations", "callbacks", "datasets", "layers",
           "load_model", "losses", "metrics", "models", "optimizers", "preprocessing", "utils",
           "config", "ops", "random", "saving", "constraints", "initializers", "mixed_precision", "regularizers"]

_nn.containers.install_keras_training(training)
