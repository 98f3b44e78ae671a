"""data.text: tokenizer, Vocab and pad_sequences."""

import numpy as np
import pytest

from gradnote.data.text import Vocab, pad_sequences, tokenize


def test_tokenize_keeps_words_apostrophes_and_sentiment_marks():
    assert tokenize("Not BAD, I don't mind it!") == ["not", "bad", "i", "don't", "mind", "it", "!"]
    assert tokenize("Hi There", lower=False) == ["Hi", "There"]
    with pytest.raises(TypeError, match="expected a str"):
        tokenize(3)


def test_vocab_specials_frequency_order_min_freq_max_size():
    docs = [["b", "a", "b"], ["c", "b", "a", "d"]]
    v = Vocab(docs)
    assert v.itos == ["<pad>", "<unk>", "b", "a", "c", "d"]  # ties keep first-appearance order
    assert v["a"] == 3 and v["zzz"] == Vocab.unk_id == 1 and v["<pad>"] == 0
    assert Vocab(docs, min_freq=2).itos == ["<pad>", "<unk>", "b", "a"]
    assert len(Vocab(docs, max_size=1)) == 3
    assert v.encode(["d", "x"]) == [5, 1]
    assert v.decode([2, 3, 0, 0]) == ["b", "a"]
    assert v.decode([2, 0], skip_pad=False) == ["b", "<pad>"]
    with pytest.raises(IndexError, match="id 9 is out of range"):
        v.decode([9])
    with pytest.raises(ValueError, match="min_freq must be an int >= 1, got 0"):
        Vocab(docs, min_freq=0)


def test_pad_sequences_post_and_pre():
    ids, lengths = pad_sequences([[5, 6, 7], [8], []])
    assert ids.dtype == np.int64 and lengths.dtype == np.int64
    np.testing.assert_array_equal(ids, [[5, 6, 7], [8, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(lengths, [3, 1, 0])
    ids, lengths = pad_sequences([[5, 6, 7], [8]], maxlen=2, value=-1, padding="pre", truncating="pre")
    np.testing.assert_array_equal(ids, [[6, 7], [-1, 8]])
    np.testing.assert_array_equal(lengths, [2, 1])
    ids, _ = pad_sequences([[5, 6, 7]], maxlen=2)
    np.testing.assert_array_equal(ids, [[5, 6]])
    with pytest.raises(ValueError, match="padding and truncating must be 'post' or 'pre'"):
        pad_sequences([[1]], padding="mid")
