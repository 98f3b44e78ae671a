"""Small Keras programs, written as Keras users write them with only the imports changed, that must learn:
an MNIST MLP, a Reuters-style bag-of-words MLP (Tokenizer.texts_to_matrix), a channels_last convnet and a
bidirectional-LSTM text classifier. Subsets and 1-3 epochs keep each to a few seconds."""


import numpy as np
from local_datasets import DATASETS

import gradnote as keras  # was: import keras / from tensorflow import keras
from gradnote.keras import layers
from gradnote.keras.preprocessing.sequence import pad_sequences
from gradnote.keras.preprocessing.text import Tokenizer

DATA = DATASETS  # stand-ins for ../shared/datasets, made by the tests


def _mnist(n_train, n_test):
    (x_train, y_train), (x_test, y_test) = keras.keras.datasets.mnist.load_data(str(DATA / "mnist"))
    return (x_train[:n_train], y_train[:n_train]), (x_test[:n_test], y_test[:n_test])


def _sentences():
    texts, labels = [], []
    for name in ("imdb_labelled.txt", "amazon_cells_labelled.txt"):
        for line in (DATA / "sentiment-labelled-sentences" / name).read_text(encoding="utf-8").splitlines():
            text, _, label = line.rpartition("\t")
            if text:
                texts.append(text)
                labels.append(int(label))
    order = np.random.default_rng(0).permutation(len(texts))
    return [texts[i] for i in order], np.array(labels)[order]


def test_mnist_mlp():
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = _mnist(6000, 1000)
    x_train = x_train.reshape(-1, 784).astype("float32") / 255
    x_test = x_test.reshape(-1, 784).astype("float32") / 255
    y_train, y_test = keras.utils.to_categorical(y_train, 10), keras.utils.to_categorical(y_test, 10)
    model = keras.Sequential([keras.Input(shape=(784,)), layers.Dense(128, activation="relu"), layers.Dropout(0.2),
                              layers.Dense(10, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.RMSprop(), metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=64, epochs=3, verbose=0, validation_split=0.1)
    loss, acc = model.evaluate(x_test, y_test, verbose=0)
    assert acc > 0.85


def test_reuters_style_mlp_on_tokenizer_matrices():
    keras.utils.set_random_seed(1)
    texts, labels = _sentences()
    max_words = 1000
    tokenizer = Tokenizer(num_words=max_words)
    tokenizer.fit_on_texts(texts[:1600])
    x_train = tokenizer.texts_to_matrix(texts[:1600], mode="binary")
    x_test = tokenizer.texts_to_matrix(texts[1600:], mode="binary")
    y_train, y_test = keras.utils.to_categorical(labels[:1600], 2), keras.utils.to_categorical(labels[1600:], 2)
    model = keras.Sequential()
    model.add(layers.Dense(256, input_shape=(max_words,), activation="relu"))
    model.add(layers.Dropout(0.5))
    model.add(layers.Dense(2, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=3, verbose=0, validation_split=0.1)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.evaluate(x_test, y_test, verbose=0)[1] > 0.72


def test_channels_last_convnet():
    keras.utils.set_random_seed(2)
    (x_train, y_train), (x_test, y_test) = _mnist(2000, 500)
    x_train = np.expand_dims(x_train.astype("float32") / 255, -1)  # (N, 28, 28, 1): Keras's NHWC
    x_test = np.expand_dims(x_test.astype("float32") / 255, -1)
    model = keras.Sequential([keras.Input(shape=(28, 28, 1)), layers.Conv2D(8, kernel_size=(3, 3), activation="relu"),
                              layers.MaxPooling2D(pool_size=(2, 2)), layers.Conv2D(16, 3, activation="relu"),
                              layers.MaxPooling2D(2), layers.Flatten(), layers.Dropout(0.5),
                              layers.Dense(10, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=0.005),
                  metrics=["accuracy"])  # 2 short epochs: a higher rate than Keras's 1e-3
    model.fit(x_train, y_train, batch_size=64, epochs=2, verbose=0)
    assert model.evaluate(x_test, y_test, verbose=0)[1] > 0.8


def test_bidirectional_lstm_text_classifier():
    keras.utils.set_random_seed(3)
    texts, labels = _sentences()
    tokenizer = Tokenizer(num_words=2000)
    tokenizer.fit_on_texts(texts[:1600])
    seqs = pad_sequences(tokenizer.texts_to_sequences(texts), maxlen=20)
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(2000, 32, mask_zero=True)(inputs)
    x = layers.Bidirectional(layers.LSTM(16))(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy",
                  metrics=["accuracy"])
    model.fit(seqs[:1600], labels[:1600].astype("float32"), batch_size=32, epochs=3, verbose=0)
    assert model.evaluate(seqs[1600:], labels[1600:].astype("float32"), verbose=0)[1] > 0.7
