"""Many-to-one: sentiment of real review sentences with Embedding + LSTM (>= 72% held-out accuracy).

    python examples/sentiment_lstm.py [DATA_DIR] [--epochs 12] [--seed 0]

DATA_DIR holds amazon_cells_labelled.txt and imdb_labelled.txt ("sentence<TAB>label" lines,
1,000 each, label 1 = positive); default ../shared/datasets/sentiment-labelled-sentences beside the repository.
Pipeline: tokenize -> Vocab (built on the training split only) -> pad_sequences with lengths ->
Embedding(padding_idx=0) -> LSTM(lengths=...) so h_n is each sentence's state at its LAST REAL
word, not after a tail of padding -> dropout -> Linear -> 2 logits, cross-entropy, Adam.

The figure (examples/figures/sentiment_lstm.png; --figure to choose) draws loss and accuracy per
epoch on the training sentences and on the held-out ones (the "validation" curves: the gap between
them is over-fitting) beside the held-out confusion matrix; a few held-out sentences are printed
with the probability the model gives them of being positive. --limit N trains on N sentences only.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))  # run from a plain checkout too

import numpy as np

import gradnote as gn
import gradnote.functional as F
from gradnote import nn, viz
from gradnote.data.text import Vocab, pad_sequences, tokenize
from gradnote.viz import save_figure

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"  # the datasets folder beside the repo
DEFAULT_DIR = str(SHARED / "sentiment-labelled-sentences")
FILES = ("amazon_cells_labelled.txt", "imdb_labelled.txt")
FIGURES = Path(__file__).resolve().parent / "figures"
CLASSES = ("negative", "positive")


class SentimentLSTM(nn.Module):
    """ids (N, T) + lengths (N,) -> logits (N, classes) from the LSTM's last valid hidden state."""

    def __init__(self, vocab_size: int, embed_dim: int = 64, hidden: int = 64, classes: int = 2,
                 dropout: float = 0.5):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.lstm = nn.LSTM(embed_dim, hidden, batch_first=True)
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, classes)

    def forward(self, ids, lengths):
        _, (h_n, _) = self.lstm(self.embed(ids), lengths=lengths)
        return self.head(self.drop(h_n[-1]))


def load_sentences(path: str | Path = DEFAULT_DIR) -> tuple[list[str], np.ndarray]:
    """All "sentence<TAB>label" lines of the Amazon and IMDb files -> (sentences, labels int64)."""
    texts, labels = [], []
    for name in FILES:
        for line in (Path(path) / name).read_text(encoding="utf-8").splitlines():
            sentence, _, label = line.strip().rpartition("\t")
            if sentence and label in ("0", "1"):
                texts.append(sentence.strip())
                labels.append(int(label))
    return texts, np.array(labels, dtype=np.int64)


def pattern_task(n: int, vocab_size: int = 12, max_len: int = 12, pattern=(3, 4), seed: int = 0):
    """Synthetic many-to-one task: random token sequences of random length (ids >= 2, 0 = <pad>);
    label 1 when the bigram `pattern` occurs. Half the sequences get it planted. -> (ids, lengths, labels)."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(4, max_len + 1, n)
    seqs = [rng.integers(2, vocab_size, L) for L in lengths]
    for s in seqs[: n // 2]:
        k = rng.integers(0, len(s) - 1)
        s[k:k + 2] = pattern
    labels = np.array([any(s[k] == pattern[0] and s[k + 1] == pattern[1] for k in range(len(s) - 1))
                       for s in seqs], dtype=np.int64)
    ids, lengths = pad_sequences(seqs, maxlen=max_len)
    order = rng.permutation(n)
    return ids[order], lengths[order], labels[order]


def _batches(n: int, batch_size: int, rng):
    order = rng.permutation(n)
    for i in range(0, n, batch_size):
        yield order[i:i + batch_size]


def predict_proba(model: nn.Module, ids: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Class probabilities (N, classes) of padded sentences, without dropout."""
    model.eval()
    with gn.no_grad():
        T = max(int(lengths.max()), 1)
        probs = F.softmax(model(gn.tensor(ids[:, :T]), lengths), dim=-1).data
    model.train()
    return probs


def accuracy(model: nn.Module, ids: np.ndarray, lengths: np.ndarray, labels: np.ndarray) -> float:
    return float((predict_proba(model, ids, lengths).argmax(axis=1) == labels).mean())


def loss_and_accuracy(model: nn.Module, ids: np.ndarray, lengths: np.ndarray, labels: np.ndarray):
    """Mean cross-entropy and accuracy of the model (without dropout) on a set of sentences."""
    probs = predict_proba(model, ids, lengths)
    loss = -np.log(np.maximum(probs[np.arange(len(labels)), labels], 1e-12)).mean()
    return float(loss), float((probs.argmax(axis=1) == labels).mean())


def train(model: nn.Module, ids: np.ndarray, lengths: np.ndarray, labels: np.ndarray, *, epochs: int = 10,
          lr: float = 3e-3, batch_size: int = 32, seed: int = 0, clip: float = 5.0, log=None) -> list[float]:
    """Adam on cross-entropy with gradient-norm clipping; each batch is cut to its longest sentence.
    Returns the mean training loss of every epoch."""
    rng = np.random.default_rng(seed)
    opt = gn.optim.Adam(model.parameters(), lr=lr)
    history = []
    for epoch in range(1, epochs + 1):
        total, count = 0.0, 0
        for b in _batches(len(ids), batch_size, rng):
            T = max(int(lengths[b].max()), 1)
            opt.zero_grad()
            loss = F.cross_entropy(model(gn.tensor(ids[b, :T]), lengths[b]), gn.tensor(labels[b]))
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), clip)
            opt.step()
            total += loss.item() * len(b)
            count += len(b)
        history.append(total / count)
        if log:
            log(epoch, history[-1])
    return history


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=DEFAULT_DIR)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--maxlen", type=int, default=40)
    parser.add_argument("--test-fraction", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=None, help="use only this many sentences (a quick run)")
    parser.add_argument("--figure", default=str(FIGURES / "sentiment_lstm.png"), help="where to save the figure (PNG)")
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 10:
        parser.error(f"--limit must be at least 10 sentences (some to train on, some held out), got {args.limit}")

    gn.manual_seed(args.seed)
    texts, labels = load_sentences(args.path)
    tokens = [tokenize(t) for t in texts]
    order = np.random.default_rng(args.seed).permutation(len(texts))[:args.limit]
    n_test = int(len(order) * args.test_fraction)
    test_idx, train_idx = order[:n_test], order[n_test:]
    vocab = Vocab([tokens[i] for i in train_idx], min_freq=1)
    ids, lengths = pad_sequences([vocab.encode(t) for t in tokens], maxlen=args.maxlen)
    print(f"{len(order)} sentences ({len(train_idx)} train, {n_test} held-out test), vocabulary {len(vocab)}, "
          f"median length {int(np.median(lengths[order]))} tokens")

    model = SentimentLSTM(len(vocab))
    train_set = ids[train_idx], lengths[train_idx], labels[train_idx]
    test_set = ids[test_idx], lengths[test_idx], labels[test_idx]
    history = {"loss": [], "val_loss": [], "accuracy": [], "val_accuracy": []}
    start = time.perf_counter()

    def log(epoch, _running_loss):  # the running loss saw dropout and a changing model: measure both sets afresh
        for prefix, data in (("", train_set), ("val_", test_set)):
            loss, acc = loss_and_accuracy(model, *data)
            history[f"{prefix}loss"].append(loss)
            history[f"{prefix}accuracy"].append(acc)
        print(f"epoch {epoch:2d}: train loss {history['loss'][-1]:.4f} accuracy {history['accuracy'][-1]:.2%}  "
              f"test loss {history['val_loss'][-1]:.4f} accuracy {history['val_accuracy'][-1]:.2%}  "
              f"({time.perf_counter() - start:.1f} s)", flush=True)

    train(model, *train_set, epochs=args.epochs, seed=args.seed, log=log)
    probs = predict_proba(model, test_set[0], test_set[1])
    result = {"train_accuracy": accuracy(model, *train_set), "test_accuracy": accuracy(model, *test_set),
              "history": history, "test_probs": probs,
              "confusion": gn.metrics.confusion_matrix(test_set[2], probs.argmax(axis=1), num_classes=len(CLASSES))}
    print(f"final: train accuracy {result['train_accuracy']:.2%}, held-out test accuracy {result['test_accuracy']:.2%}")
    print("\nP(positive)  label     held-out sentence")
    for i in range(min(6, n_test)):
        print(f"{probs[i, 1]:11.3f}  {CLASSES[test_set[2][i]]:<8}  {texts[test_idx[i]][:70]}")
    save_figure(lambda path: viz.plot_history(history, path=path, confusion=result["confusion"], class_names=CLASSES),
                args.figure)
    return result


if __name__ == "__main__":
    main()
