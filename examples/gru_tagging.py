"""Many-to-many: tag every word of a sentence (DET / NOUN / VERB) with a GRU.

    python examples/gru_tagging.py [--epochs 8] [--seed 0]

A tiny generated language where the words "watch", "fly" and "run" are ambiguous: a noun right
after a determiner ("the fly"), a verb anywhere else ("birds fly"). A per-word classifier cannot
tag them; the GRU's hidden state carries the previous word, so each step's output can. The loss
is cross-entropy over the real (unpadded) positions only.

The figure (examples/figures/gru_tagging.png; --figure to choose) draws the loss and the tag
accuracy per epoch, on the training sentences and on held-out ones (the "validation" curve), beside
the held-out tag confusion matrix: rows the true tag, columns the tag the GRU gave.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))  # run from a plain checkout too

import numpy as np

import gradnote as gn
import gradnote.functional as F
from gradnote import nn, viz
from gradnote.data.text import Vocab, pad_sequences
from gradnote.viz import save_figure

FIGURES = Path(__file__).resolve().parent / "figures"

TAGS = ("DET", "NOUN", "VERB")
DETS = ("the", "a", "every")
NOUNS = ("dog", "cat", "birds", "kids", "time")
VERBS = ("sees", "likes", "chase", "eat")
AMBIGUOUS = ("watch", "fly", "run")


def make_sentences(n: int, seed: int = 0):
    """n random sentences (lists of words) and their tag ids. Grammar: NP VP NP [and NP VP NP];
    NP = DET (NOUN | AMB) or a bare NOUN; VP = VERB or AMB."""
    rng = np.random.default_rng(seed)
    pick = lambda words: words[rng.integers(len(words))]

    def noun_phrase(words, tags):
        if rng.random() < 0.6:
            words += [pick(DETS), pick(NOUNS + AMBIGUOUS)]
            tags += [0, 1]
        else:
            words.append(pick(NOUNS))
            tags.append(1)

    sentences, tag_seqs = [], []
    for _ in range(n):
        words, tags = [], []
        for clause in range(1 + int(rng.random() < 0.4)):
            if clause:
                words.append("and")
                tags.append(0)  # a function word: tagged with the determiners for simplicity
            noun_phrase(words, tags)
            words.append(pick(VERBS + AMBIGUOUS))
            tags.append(2)
            noun_phrase(words, tags)
        sentences.append(words)
        tag_seqs.append(tags)
    return sentences, tag_seqs


class Tagger(nn.Module):
    """ids (N, T) -> tag logits (N, T, tags): Embedding -> GRU -> Linear at every step."""

    def __init__(self, vocab_size: int, embed_dim: int = 16, hidden: int = 32, tags: int = len(TAGS)):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.gru = nn.GRU(embed_dim, hidden, batch_first=True)
        self.head = nn.Linear(hidden, tags)

    def forward(self, ids, lengths=None):
        out, _ = self.gru(self.embed(ids), lengths=lengths)
        return self.head(out)


def encode(sentences, tag_seqs, vocab: Vocab):
    ids, lengths = pad_sequences([vocab.encode(s) for s in sentences])
    tags, _ = pad_sequences(tag_seqs, maxlen=ids.shape[1])
    return ids, lengths, tags


def _valid(lengths: np.ndarray, T: int) -> np.ndarray:
    """Flat indices of the real (unpadded) positions of an (N, T) batch."""
    return np.flatnonzero(np.arange(T)[None, :] < lengths[:, None])


def predict(model: nn.Module, ids, lengths) -> np.ndarray:
    """Tag ids (N, T) the model gives every position (padding included: mask it with the lengths)."""
    model.eval()
    with gn.no_grad():
        pred = model(gn.tensor(ids), lengths).data.argmax(axis=-1)
    model.train()
    return pred


def evaluate(model: nn.Module, ids, lengths, tags, words_mask=None) -> float:
    """Tag accuracy over real positions (optionally only where words_mask is True)."""
    keep = np.arange(ids.shape[1])[None, :] < lengths[:, None]
    if words_mask is not None:
        keep &= words_mask
    return float((predict(model, ids, lengths) == tags)[keep].mean())


def tag_confusion(model: nn.Module, ids, lengths, tags) -> np.ndarray:
    """(tags, tags) counts of the real positions: rows the true tag, columns the predicted one."""
    keep = np.arange(ids.shape[1])[None, :] < lengths[:, None]
    return gn.metrics.confusion_matrix(tags[keep], predict(model, ids, lengths)[keep], num_classes=len(TAGS))


def train(model: nn.Module, ids, lengths, tags, *, epochs: int = 15, lr: float = 1e-2, batch_size: int = 32,
          seed: int = 0, log=None) -> list[float]:
    """Adam on the mean cross-entropy of every real position; returns each epoch's mean loss."""
    rng = np.random.default_rng(seed)
    opt = gn.optim.Adam(model.parameters(), lr=lr)
    history = []
    for epoch in range(1, epochs + 1):
        total = 0.0
        batches = np.array_split(rng.permutation(len(ids)), max(1, len(ids) // batch_size))
        for b in batches:
            T = int(lengths[b].max())
            logits = model(gn.tensor(ids[b, :T]), lengths[b])
            valid = _valid(lengths[b], T)
            loss = F.cross_entropy(logits.reshape(-1, len(TAGS))[valid], gn.tensor(tags[b, :T].reshape(-1)[valid]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
        history.append(total / len(batches))
        if log:
            log(epoch, history[-1])
    return history


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--train", type=int, default=1000)
    parser.add_argument("--test", type=int, default=300, help="held-out sentences")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--figure", default=str(FIGURES / "gru_tagging.png"), help="where to save the figure (PNG)")
    args = parser.parse_args(argv)

    gn.manual_seed(args.seed)
    train_s, train_t = make_sentences(args.train, seed=args.seed)
    test_s, test_t = make_sentences(args.test, seed=args.seed + 1)
    vocab = Vocab(train_s)
    tr, te = encode(train_s, train_t, vocab), encode(test_s, test_t, vocab)
    amb = np.isin(te[0], [vocab[w] for w in AMBIGUOUS])
    model = Tagger(len(vocab))
    print("example:", " ".join(f"{w}/{TAGS[t]}" for w, t in zip(test_s[0], test_t[0])))
    history = {"loss": [], "accuracy": [], "val_accuracy": []}

    def log(epoch, loss):
        history["loss"].append(loss)
        history["accuracy"].append(evaluate(model, *tr))
        history["val_accuracy"].append(evaluate(model, *te))
        print(f"epoch {epoch:2d}: loss {loss:.4f}  train accuracy {history['accuracy'][-1]:.2%}  "
              f"test accuracy {history['val_accuracy'][-1]:.2%}")

    train(model, *tr, epochs=args.epochs, seed=args.seed, log=log)
    result = {"accuracy": evaluate(model, *te), "ambiguous_accuracy": evaluate(model, *te, words_mask=amb),
              "history": history, "confusion": tag_confusion(model, *te)}
    pred = predict(model, te[0][:1], te[1][:1])[0]
    print("tagged: ", " ".join(f"{w}/{TAGS[t]}" for w, t in zip(test_s[0], pred)))
    print(f"test accuracy {result['accuracy']:.2%}, on the ambiguous words {result['ambiguous_accuracy']:.2%}")
    print("test confusion (rows true, columns predicted):  " + "  ".join(f"{t:>4}" for t in TAGS))
    for tag, row in zip(TAGS, result["confusion"]):
        print(f"{tag:>46}  " + "  ".join(f"{v:4d}" for v in row))
    save_figure(lambda path: viz.plot_history(history, path=path, confusion=result["confusion"], class_names=TAGS),
                args.figure)
    return result


if __name__ == "__main__":
    main()
