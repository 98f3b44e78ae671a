"""Keras's spelling of gradnote's high-level API, so code from Keras tutorials runs with only imports changed.

    import gradnote as tf                                  # was: import tensorflow as tf
    from gradnote.keras.models import Sequential           # was: from tensorflow.keras.models import ...
    from gradnote.keras.layers import Dense, Dropout
    adam = tf.keras.optimizers.Adam(lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=None, decay=0.0, amsgrad=False)

Each submodule re-exports its gradnote counterpart (gradnote.models, .layers, .optimizers, .callbacks, .metrics).
"""

from . import callbacks, layers, metrics, models, optimizers  # noqa: F401
