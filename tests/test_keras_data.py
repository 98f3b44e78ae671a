"""keras.preprocessing (pad_sequences, Tokenizer), layers.TextVectorization, keras.utils and keras.datasets
(on local files: the repository's MNIST IDX files and small npz files in Keras's format)."""

import math
from pathlib import Path

import local_datasets
import numpy as np
import pytest
from local_datasets import MNIST

import gradnote as gn
from gradnote import keras
from gradnote.keras.preprocessing.sequence import pad_sequences
from gradnote.keras.preprocessing.text import Tokenizer, text_to_word_sequence


def test_pad_sequences_keras_defaults_pre_and_options():
    seqs = [[1, 2, 3, 4], [5], []]
    np.testing.assert_array_equal(pad_sequences(seqs, maxlen=3), [[2, 3, 4], [0, 0, 5], [0, 0, 0]])
    np.testing.assert_array_equal(pad_sequences(seqs, maxlen=3, padding="post", truncating="post"),
                                  [[1, 2, 3], [5, 0, 0], [0, 0, 0]])
    out = pad_sequences(seqs, dtype="float32", value=-0.5)
    assert out.dtype == np.float32 and out.shape == (3, 4)
    np.testing.assert_array_equal(out[1], [-0.5, -0.5, -0.5, 5])
    assert pad_sequences(seqs).dtype == np.int32
    assert keras.utils.pad_sequences is pad_sequences is gn.utils.pad_sequences
    with pytest.raises(ValueError, match="padding"):
        pad_sequences(seqs, padding="middle")


def test_tokenizer_matches_keras_rules():
    texts = ["The cat sat on the mat.", "The dog ate my homework!", "cat, cat, dog"]
    assert text_to_word_sequence(texts[0]) == ["the", "cat", "sat", "on", "the", "mat"]
    tok = Tokenizer(num_words=5, oov_token="<OOV>")
    tok.fit_on_texts(texts)
    assert tok.word_counts["cat"] == 3 and tok.word_counts["the"] == 3 and tok.document_count == 3
    # ids by descending count, ties in first-appearance order, oov first
    assert list(tok.word_index)[:5] == ["<OOV>", "the", "cat", "dog", "sat"]
    assert tok.texts_to_sequences(["the cat flew on"]) == [[2, 3, 1, 1]]  # "on" has id 6 >= num_words
    seqs = tok.texts_to_sequences(texts)
    binary, count, freq, tfidf = (tok.texts_to_matrix(texts, mode=m) for m in ("binary", "count", "freq", "tfidf"))
    assert binary.shape == (3, 5)
    np.testing.assert_array_equal(count[2], [0, 0, 0, 2, 1])  # "cat, cat, dog": cat is 3, dog 4
    np.testing.assert_allclose(freq[0], np.bincount([i for i in seqs[0] if i < 5], minlength=5) / len(seqs[0]))
    docs_with_cat = 2
    np.testing.assert_allclose(tfidf[2, 3], (1 + math.log(2)) * math.log(1 + 3 / (1 + docs_with_cat)))
    assert np.array_equal(binary, count > 0)
    with pytest.raises(ValueError, match="mode"):
        tok.texts_to_matrix(texts, mode="bad")
    plain = Tokenizer()
    plain.fit_on_texts(texts)
    assert plain.texts_to_sequences(["zebra the"]) == [[1]] and plain.texts_to_matrix(texts).shape[1] == \
        len(plain.word_index) + 1


def test_text_vectorization_int_and_bag_modes():
    texts = ["The cat sat.", "the CAT ran", "a dog"]
    tv = keras.layers.TextVectorization(max_tokens=5, output_sequence_length=4)
    tv.adapt(texts)
    assert tv.get_vocabulary() == ["", "[UNK]", "the", "cat", "sat"]
    ids = tv(["the dog sat the cat"])
    assert ids.dtype == np.int64
    np.testing.assert_array_equal(ids.data, [[2, 1, 4, 2]])
    np.testing.assert_array_equal(tv(["cat"]).data, [[3, 0, 0, 0]])
    counts = keras.layers.TextVectorization(output_mode="count")
    counts.adapt(texts)
    vocab = counts.get_vocabulary()
    assert vocab[0] == "[UNK]" and "" not in vocab
    np.testing.assert_array_equal(counts(["cat cat zebra"]).data[0, [0, vocab.index("cat")]], [1, 2])
    multi = keras.layers.TextVectorization(output_mode="multi_hot", vocabulary=["cat", "dog"])
    np.testing.assert_array_equal(multi(["cat cat bird"]).data, [[1, 1, 0]])
    tfidf = keras.layers.TextVectorization(output_mode="tf_idf")
    tfidf.adapt(texts)
    v = tfidf.get_vocabulary()
    np.testing.assert_allclose(tfidf(["the the"]).data[0, v.index("the")], 2 * math.log(1 + 3 / 3), rtol=1e-6)
    with pytest.raises(ValueError, match="output_mode"):
        keras.layers.TextVectorization(output_mode="bad")


def test_utils_are_the_same_functions_at_both_levels():
    for name in ("to_categorical", "set_random_seed", "pad_sequences", "normalize", "get_file", "Sequence"):
        assert getattr(gn.utils, name) is getattr(keras.utils, name)
    np.testing.assert_allclose(keras.utils.normalize(np.array([[3.0, 4.0], [0.0, 0.0]])), [[0.6, 0.8], [0, 0]])


def test_get_file_uses_the_keras_cache_and_downloads_from_file_urls(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    src = tmp_path / "src.txt"
    src.write_text("hello")
    path = keras.utils.get_file("copy.txt", origin=src.as_uri())
    assert Path(path) == tmp_path / "kh" / "datasets" / "copy.txt" and Path(path).read_text() == "hello"
    with pytest.raises(FileNotFoundError, match="no origin"):
        keras.utils.get_file("missing.txt")


def test_mnist_from_a_folder_of_idx_files_in_keras_layout():
    (x, y), (xt, yt) = keras.datasets.mnist.load_data(str(MNIST))
    assert x.shape == (local_datasets.N_TRAIN, 28, 28) and xt.shape == (local_datasets.N_TEST, 28, 28)
    assert x.dtype == y.dtype == np.uint8 and set(np.unique(y)) == set(range(10))


def _object(lists):
    out = np.empty(len(lists), dtype=object)
    out[:] = lists
    return out


def test_reuters_and_imdb_npz_follow_keras_rules(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (tmp_path / "datasets").mkdir()
    rng = np.random.default_rng(0)
    xs = [list(rng.integers(1, 30, rng.integers(1, 12))) for _ in range(20)]
    np.savez(tmp_path / "datasets" / "reuters.npz", x=_object(xs), y=np.arange(20) % 4)
    (x_tr, y_tr), (x_te, y_te) = keras.datasets.reuters.load_data(num_words=20, maxlen=10, test_split=0.25)
    order = np.arange(20)
    np.random.RandomState(113).shuffle(order)
    kept = [i for i in order if len(xs[i]) + 1 < 10]
    ref = [[1] + [w + 3 if w + 3 < 20 else 2 for w in xs[i]] for i in kept]
    split = int(len(ref) * 0.75)
    assert [list(a) for a in x_tr] == ref[:split] and [list(a) for a in x_te] == ref[split:]
    np.testing.assert_array_equal(np.r_[y_tr, y_te], (np.arange(20) % 4)[kept])
    half = [list(rng.integers(1, 30, 5)) for _ in range(6)]
    np.savez(tmp_path / "datasets" / "imdb.npz", x_train=_object(half[:3]), y_train=np.array([0, 1, 0]),
             x_test=_object(half[3:]), y_test=np.array([1, 1, 0]))
    (a, b), (c, d) = keras.datasets.imdb.load_data(num_words=10, skip_top=5, oov_char=None, start_char=None)
    assert all(5 <= w < 10 for s in list(a) + list(c) for w in s)
    assert sorted(b.tolist()) == [0, 0, 1] and len(c) == 3


def test_npz_reader_refuses_anything_but_arrays(tmp_path):
    import pickle

    from gradnote.keras.datasets._files import read_npz

    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    bad = np.empty(1, dtype=object)
    bad[0] = Evil()
    np.savez(tmp_path / "bad.npz", x=bad)
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        read_npz(tmp_path / "bad.npz")
