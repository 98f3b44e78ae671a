"""A character-level GPT (gn.models.GPT) trained on a text file: watch its samples turn from noise into text.

    python examples/char_gpt.py [TEXT_FILE ...] [--steps 600] [--plot attention.png] [--quick]

Default text: the study notes in ../shared/seeds/*.txt beside the repository when present, else a short
built-in passage; any UTF-8 files can be given instead. Every character is a token (nanoGPT's
shakespeare_char recipe). Training: random windows of block_size characters from the first 90% of the
text, the model predicting each next character; every --log-every steps it prints the training and
held-out loss and a sample drawn from the same prompt with the same seed, so the samples compare.
--plot saves the last layer's attention weights per head on a held-out window (gn.viz.plot_attention).
--quick is a seconds-long run for the tests.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))  # run from a plain checkout too

import numpy as np

import gradnote as gn
from gradnote import nn
from gradnote.random import get_rng

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"  # the study notes beside the repo

# Lewis Carroll, "Alice's Adventures in Wonderland" (1865), public domain: used when no notes are found.
FALLBACK = """Alice was beginning to get very tired of sitting by her sister on the bank, and of having
nothing to do: once or twice she had peeped into the book her sister was reading, but it had no
pictures or conversations in it, 'and what is the use of a book,' thought Alice 'without pictures or
conversations?' So she was considering in her own mind (as well as she could, for the hot day made
her feel very sleepy and stupid), whether the pleasure of making a daisy-chain would be worth the
trouble of getting up and picking the daisies, when suddenly a White Rabbit with pink eyes ran close
by her.
"""


def load_text(paths=None) -> tuple[str, str]:
    """(text, where it came from): the given UTF-8 files, else the notes in ../shared/seeds, else FALLBACK."""
    files = [Path(p) for p in paths] if paths else sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    if not files:
        return FALLBACK, "built-in passage (Alice in Wonderland)"
    return "".join(f.read_text(encoding="utf-8") for f in files), f"{len(files)} file(s) in {files[0].parent}"


class CharCodec:
    """Characters <-> ids: the sorted set of characters the text uses."""

    def __init__(self, text: str):
        self.chars = sorted(set(text))
        self.stoi = {c: i for i, c in enumerate(self.chars)}

    def encode(self, s: str) -> np.ndarray:
        return np.array([self.stoi[c] for c in s], dtype=np.int64)

    def decode(self, ids) -> str:
        return "".join(self.chars[int(i)] for i in ids)


def batch(ids: np.ndarray, block_size: int, batch_size: int, rng) -> tuple[gn.Tensor, gn.Tensor]:
    """Random windows: inputs ids[s:s+T], targets shifted by one, ids[s+1:s+T+1]; each (batch_size, T)."""
    starts = rng.integers(0, len(ids) - block_size - 1, batch_size)
    rows = ids[starts[:, None] + np.arange(block_size + 1)]
    return gn.tensor(rows[:, :-1]), gn.tensor(rows[:, 1:])


def estimate_loss(model, ids, block_size: int, batch_size: int, batches: int = 4) -> float:
    """Mean loss over a few windows of `ids`, in evaluation mode, from a fixed generator (same windows each time)."""
    rng = np.random.default_rng(1234)
    model.eval()
    with gn.no_grad():
        losses = [model(*batch(ids, block_size, batch_size, rng))[1].item() for _ in range(batches)]
    model.train()
    return float(np.mean(losses))


def sample(model, codec: CharCodec, prompt: str, length: int, temperature: float = 0.8, top_k: int | None = 10,
           seed: int = 0) -> str:
    """`length` characters after `prompt`, drawn with their own seeded generator (comparable across steps)."""
    gen = np.random.default_rng(seed)
    out = model.generate(codec.encode(prompt)[None], length, temperature=temperature, top_k=top_k, generator=gen)
    return codec.decode(out.numpy()[0])


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("text", nargs="*", help="UTF-8 text files (default: ../shared/seeds/*.txt)")
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--block-size", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--n-layer", type=int, default=3)
    parser.add_argument("--n-head", type=int, default=4)
    parser.add_argument("--n-embd", type=int, default=64)
    parser.add_argument("--dropout", type=float, default=0.0)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--log-every", type=int, default=100)
    parser.add_argument("--sample-length", type=int, default=120)
    parser.add_argument("--plot", help="save the last layer's attention weights per head (PNG)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="a tiny model for a few seconds (tests)")
    args = parser.parse_args(argv)
    if args.quick:
        args.steps, args.block_size, args.n_layer, args.n_embd = 60, 32, 2, 32
        args.log_every, args.sample_length = 30, 40

    gn.manual_seed(args.seed)
    text, source = load_text(args.text)
    codec = CharCodec(text)
    ids = codec.encode(text)
    split = int(0.9 * len(ids))
    train_ids, val_ids = ids[:split], ids[split:]
    if len(val_ids) <= args.block_size + 1:
        raise ValueError(f"char_gpt: the text ({len(ids)} characters) is too short for block_size {args.block_size}")
    print(f"text: {source}, {len(ids):,} characters, {len(codec.chars)} distinct")

    model = gn.models.GPT(len(codec.chars), args.block_size, args.n_layer, args.n_head, args.n_embd,
                          dropout=args.dropout)
    print(f"GPT: {args.n_layer} layers, {args.n_head} heads, n_embd {args.n_embd}, block {args.block_size}, "
          f"{model.num_parameters():,} parameters")
    opt = gn.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.1)
    prompt = text[:8]
    rng = get_rng()
    losses, log = [], []
    start = time.perf_counter()
    for step in range(1, args.steps + 1):
        _, loss = model(*batch(train_ids, args.block_size, args.batch_size, rng))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
        if step == 1 or step % args.log_every == 0 or step == args.steps:
            val = estimate_loss(model, val_ids, args.block_size, args.batch_size)
            text_out = sample(model, codec, prompt, args.sample_length, seed=args.seed)
            log.append({"step": step, "train_loss": float(np.mean(losses[-args.log_every:])), "val_loss": val,
                        "sample": text_out})
            print(f"\nstep {step:4d}  train loss {log[-1]['train_loss']:.3f}  val loss {val:.3f}  "
                  f"({time.perf_counter() - start:.0f} s)\n{text_out}", flush=True)
    seconds = time.perf_counter() - start
    tokens_per_s = args.steps * args.batch_size * args.block_size / seconds
    print(f"\n{args.steps} steps in {seconds:.0f} s ({tokens_per_s:,.0f} training tokens/s, samples included)")

    if args.plot:
        window = val_ids[:min(args.block_size, 24)]
        weights = model.attention_weights(window[None])  # (n_layer, 1, n_head, T, T)
        gn.viz.plot_attention(weights[-1, 0], tokens=codec.decode(window),
                              title=f"last layer's attention, step {args.steps}", path=args.plot)
        print(f"attention weights per head saved to {args.plot}")
    return {"first_loss": losses[0], "final_loss": float(np.mean(losses[-10:])), "log": log,
            "val_loss": log[-1]["val_loss"], "seconds": seconds}


if __name__ == "__main__":
    main()
