"""The recurrent examples learn: each runs small and fast here (the scripts' defaults are bigger)."""

import math

import numpy as np
import pytest
from _examples import load_example as _load


def test_sentiment_lstm_learns_whether_a_sequence_contains_a_pattern():
    ex = _load("sentiment_lstm")
    ids, lengths, labels = ex.pattern_task(600, seed=0)
    assert 0.4 < labels.mean() < 0.7 and ids.dtype == np.int64 and np.all(ids[:, 0] != 0)
    test = ex.pattern_task(300, seed=1)
    model = ex.SentimentLSTM(vocab_size=12, embed_dim=8, hidden=24, dropout=0.0)
    before = ex.accuracy(model, *test)
    losses = ex.train(model, ids, lengths, labels, epochs=6, lr=1e-2)
    after = ex.accuracy(model, *test)
    assert losses[-1] < 0.5 * losses[0]
    assert after >= 0.9 and after > before + 0.2, (before, after)


def test_sentiment_loader_reads_tab_separated_files(tmp_path):
    ex = _load("sentiment_lstm")
    (tmp_path / "amazon_cells_labelled.txt").write_text("Great phone!\t1\nBroke in a day.  \t0\n")
    (tmp_path / "imdb_labelled.txt").write_text("A dull, long film.  \t0\n\n")
    texts, labels = ex.load_sentences(tmp_path)
    assert texts == ["Great phone!", "Broke in a day.", "A dull, long film."]
    np.testing.assert_array_equal(labels, [1, 0, 0])


def test_gru_tagging_resolves_ambiguous_words_from_context():
    ex = _load("gru_tagging")
    train_s, train_t = ex.make_sentences(300, seed=0)
    test_s, test_t = ex.make_sentences(150, seed=1)
    vocab = ex.Vocab(train_s)
    tr, te = ex.encode(train_s, train_t, vocab), ex.encode(test_s, test_t, vocab)
    amb = np.isin(te[0], [vocab[w] for w in ex.AMBIGUOUS])
    # the ambiguous words really are ambiguous: both tags occur
    amb_tags = te[2][amb]
    assert (amb_tags == 1).any() and (amb_tags == 2).any()
    model = ex.Tagger(len(vocab), embed_dim=8, hidden=16)
    ex.train(model, *tr, epochs=4)
    assert ex.evaluate(model, *te) >= 0.97
    assert ex.evaluate(model, *te, words_mask=amb) >= 0.9


def test_char_lm_learns_and_samples_from_a_seed_character():
    ex = _load("char_lm")
    vocab = ex.Vocab([ex.TEXT])
    ids = np.array(vocab.encode(ex.TEXT))
    model = ex.CharLM(len(vocab), embed_dim=16, hidden=48)
    losses = ex.train(model, ids, steps=80, window=24, batch_size=16, lr=1e-2)
    assert np.mean(losses[-10:]) < 0.5 * losses[0]
    text = ex.sample(model, vocab, "T", length=40, temperature=0.5, generator=np.random.default_rng(0))
    assert len(text) == 41 and text[0] == "T" and set(text) <= set(ex.TEXT)
    again = ex.sample(model, vocab, "T", length=40, temperature=0.5, generator=np.random.default_rng(0))
    assert again == text  # the generator makes sampling reproducible
    # low temperature follows the learnt statistics: most character pairs occur in the text
    pairs = [text[i:i + 2] for i in range(len(text) - 1)]
    assert np.mean([p in ex.TEXT for p in pairs]) > 0.7
    with pytest.raises(ValueError, match="temperature must be > 0"):
        ex.sample(model, vocab, "T", temperature=0)
    with pytest.raises(ValueError, match="does not occur"):
        ex.sample(model, vocab, "#")


def test_gradient_clipping_tames_an_exploding_rnn():
    ex = _load("rnn_gradient_clipping")
    plain = ex.train(None, steps=4)
    clipped = ex.train(1.0, steps=40)
    assert plain["norms"][0] > 1e4  # exploded
    assert not math.isfinite(plain["losses"][-1])  # and plain SGD diverges
    assert clipped["norms"][0] == pytest.approx(plain["norms"][0], rel=1e-5)  # same start, norm before clipping
    assert all(math.isfinite(v) for v in clipped["losses"])
    assert clipped["losses"][-1] < 1e-2 * clipped["losses"][0]
