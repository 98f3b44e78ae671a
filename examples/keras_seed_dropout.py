"""The Keras code from the study notes (dropout against overfitting), run on gradnote.

Only the imports differ from the notes ("tensorflow" becomes "gradnote"):
    import tensorflow as tf                             ->  import gradnote as tf
    from tensorflow.keras.models import Sequential      ->  from gradnote.keras.models import Sequential
    from tensorflow.keras.layers import Dropout, Dense  ->  from gradnote.keras.layers import Dropout, Dense
(gradnote.models / gradnote.layers / gradnote.optimizers are the same classes under shorter names.)

The notes train it on Reuters newswires (10,000-word bag of words, 46 topics); that corpus is not
shipped, so this script makes a synthetic stand-in of the same shapes: each topic favours its own
set of words. Run:  python examples/keras_seed_dropout.py [--figure PNG]

After the notes' code, the History that fit returned is drawn (examples/figures/keras_seed_dropout.png):
loss and accuracy per epoch on the training and the validation split (dropout is active in training only,
so here the training curves trail the validation ones).
"""

import argparse
from pathlib import Path

import numpy as np

import gradnote as tf
from gradnote import viz
from gradnote.keras.layers import Dense, Dropout
from gradnote.keras.models import Sequential
from gradnote.viz import save_figure

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--figure", default=str(Path(__file__).resolve().parent / "figures" / "keras_seed_dropout.png"),
                    help="where to save the History curves (PNG)")
args = parser.parse_args()

tf.manual_seed(0)
max_words = 10000
num_classes = 46

# synthetic "newswires": 1,000 documents, binary bag of words, 30 topic words + 20 random words each
rng = np.random.default_rng(0)
n = 1000
topic_words = rng.integers(0, max_words, size=(num_classes, 60))
labels = rng.integers(0, num_classes, n)
x = np.zeros((n, max_words), np.float32)
rows = np.repeat(np.arange(n), 50)
cols = np.concatenate([topic_words[labels][:, :30], rng.integers(0, max_words, (n, 20))], axis=1).ravel()
x[rows, cols] = 1.0
y = np.eye(num_classes, dtype=np.float32)[labels]
x_train, y_train, x_test, y_test = x[:800], y[:800], x[800:], y[800:]

model = Sequential()
model.add(Dense(256, input_shape=(max_words,), activation='relu'))
model.add(Dropout(0.5)) # 드롭아웃 추가. 비율은 50%
model.add(Dense(128, activation='relu'))
model.add(Dropout(0.5)) # 드롭아웃 추가. 비율은 50%
model.add(Dense(num_classes, activation='softmax'))

adam = tf.keras.optimizers.Adam(lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=None, decay=0.0, amsgrad=False)
model.compile(loss='categorical_crossentropy', optimizer=adam, metrics=['acc'])

history = model.fit(x_train, y_train, batch_size=128, epochs=5, verbose=1, validation_split=0.1)
loss, acc = model.evaluate(x_test, y_test)
print(f"test loss {loss:.4f}, test accuracy {acc:.4f}")
save_figure(lambda path: viz.plot_history(history, path=path), args.figure)
