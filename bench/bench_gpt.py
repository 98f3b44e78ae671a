"""GPT (gn.models.GPT) tokens per second: one training step, and cached generation, against nanoGPT in PyTorch eager.

Model: vocab 96, block 64, 4 layers, 4 heads, n_embd 128 (~0.8 M parameters), dropout 0. Training: a (16, 64)
batch of random tokens, forward, cross-entropy, backward, AdamW step (16 * 64 = 1024 tokens per step).
Generation: 56 new tokens after an 8-token prompt for 8 sequences, greedy, with the key/value cache
(gradnote's generate(); the PyTorch side is the same loop with its own cache). Both sides hold the
same weights (copied by state_dict, nanoGPT's names), and the first training losses must agree.
Target: <= 1.2x each.

    python bench/bench_gpt.py                  # default threads (PyTorch: one per CPU)
    python bench/bench_gpt.py --single-thread  # one BLAS thread for NumPy, one thread for PyTorch
    python bench/bench_gpt.py --device cuda    # both on the GPU (gradnote through CuPy, PyTorch CUDA)
"""

from __future__ import annotations

import math
import os

import harness  # first: with --single-thread it limits BLAS threads before NumPy loads
import numpy as np
from harness import compare, setup_torch

import gradnote as gn

VOCAB, BLOCK, LAYERS, HEADS, EMBD = 96, 64, 4, 4, 128
BATCH, PROMPT, NEW, GEN_BATCH = 16, 8, 56, 8  # prompt + new tokens fill the block: no sliding


def torch_gpt(torch):
    """nanoGPT's model (its names and maths), with a key/value cache for generation."""
    nn, F = torch.nn, torch.nn.functional

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_attn, self.c_proj = nn.Linear(EMBD, 3 * EMBD), nn.Linear(EMBD, EMBD)

        def forward(self, x, cache=None):
            n, t, c = x.shape
            q, k, v = (a.view(n, t, HEADS, c // HEADS).transpose(1, 2) for a in self.c_attn(x).split(c, dim=2))
            if cache is None or cache.get("k") is None:
                if cache is not None:
                    cache["k"], cache["v"] = k, v
                y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            else:  # one new token: it sees every cached position
                cache["k"], cache["v"] = torch.cat([cache["k"], k], 2), torch.cat([cache["v"], v], 2)
                y = F.scaled_dot_product_attention(q, cache["k"], cache["v"])
            return self.c_proj(y.transpose(1, 2).contiguous().view(n, t, c))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1, self.attn, self.ln_2 = nn.LayerNorm(EMBD), Attention(), nn.LayerNorm(EMBD)
            self.mlp = nn.ModuleDict(dict(c_fc=nn.Linear(EMBD, 4 * EMBD), c_proj=nn.Linear(4 * EMBD, EMBD)))

        def forward(self, x, cache=None):
            x = x + self.attn(self.ln_1(x), cache)
            return x + self.mlp.c_proj(F.gelu(self.mlp.c_fc(self.ln_2(x))))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.transformer = nn.ModuleDict(dict(
                wte=nn.Embedding(VOCAB, EMBD), wpe=nn.Embedding(BLOCK, EMBD),
                h=nn.ModuleList([Block() for _ in range(LAYERS)]), ln_f=nn.LayerNorm(EMBD)))
            self.lm_head = nn.Linear(EMBD, VOCAB, bias=False)
            self.transformer.wte.weight = self.lm_head.weight

        def forward(self, idx, targets=None, caches=None, start=0):
            pos = torch.arange(start, start + idx.shape[1])
            x = self.transformer.wte(idx) + self.transformer.wpe(pos)
            for i, block in enumerate(self.transformer.h):
                x = block(x, None if caches is None else caches[i])
            logits = self.lm_head(self.transformer.ln_f(x))
            loss = None if targets is None else F.cross_entropy(logits.view(-1, VOCAB), targets.reshape(-1))
            return logits, loss

        @torch.no_grad()
        def generate(self, idx, new):
            caches = [{} for _ in range(LAYERS)]
            logits, _ = self(idx, caches=caches)
            for i in range(new):
                nxt = logits[:, -1].argmax(-1, keepdim=True)
                idx = torch.cat([idx, nxt], 1)
                if i + 1 < new:
                    logits, _ = self(nxt, caches=caches, start=idx.shape[1] - 1)
            return idx

    return GPT()


def make_steps(torch=None):
    """((gn_train, torch_train), (gn_generate, torch_generate), first losses); torch parts None without torch."""
    rng = np.random.default_rng(0)
    data = rng.integers(0, VOCAB, (BATCH, BLOCK + 1))
    prompt = rng.integers(0, VOCAB, (GEN_BATCH, PROMPT))

    gn.manual_seed(0)
    model = gn.models.GPT(VOCAB, BLOCK, LAYERS, HEADS, EMBD)
    opt = gn.optim.AdamW(model.parameters(), lr=1e-3)
    model, x, y, gprompt = harness.to_device(model, gn.tensor(data[:, :-1]), gn.tensor(data[:, 1:]), gn.tensor(prompt))
    gn_losses = []

    def gn_train():
        opt.zero_grad()
        _, loss = model(x, y)
        loss.backward()
        opt.step()
        gn_losses.append(loss.item())

    def gn_generate():
        return model.generate(gprompt, NEW, temperature=0).cpu().numpy()

    torch_train = torch_generate = None
    losses = {}
    if torch is not None:
        tmodel = torch_gpt(torch)
        tmodel.load_state_dict(harness.torch_state_dict(torch, model))
        tmodel.to(harness.DEVICE)
        topt = torch.optim.AdamW(tmodel.parameters(), lr=1e-3)
        tx, ty, tprompt = (torch.from_numpy(a).to(harness.DEVICE) for a in (data[:, :-1], data[:, 1:], prompt))
        torch_losses = []

        def torch_train():
            topt.zero_grad()
            _, loss = tmodel(tx, ty)
            loss.backward()
            topt.step()
            torch_losses.append(loss.item())

        def torch_generate():
            return tmodel.generate(tprompt, NEW).cpu().numpy()

        gn_train()
        torch_train()
        losses = {"gradnote": gn_losses[0], "torch": torch_losses[0]}
        if not math.isclose(losses["gradnote"], losses["torch"], rel_tol=1e-5):
            raise AssertionError(f"bench_gpt: first-step losses differ: {losses}")
        # a fresh copy for generation: the trained weights drift apart in float32 rounding, greedy ties with them
        tmodel.load_state_dict(harness.torch_state_dict(torch, model))
        same = (gn_generate() == torch_generate()).mean()
        print(f"first-step loss gradnote {losses['gradnote']:.6f}  torch {losses['torch']:.6f}; "
              f"greedy generations agree on {100 * same:.0f}% of tokens")
    return ((harness.gn_synced(gn_train), harness.torch_synced(torch, torch_train)),
            (harness.gn_synced(gn_generate), harness.torch_synced(torch, torch_generate)), losses)


def main() -> list:
    torch = setup_torch()
    (gn_train, torch_train), (gn_gen, torch_gen), _ = make_steps(torch)
    tag = " 1-thread" if harness.SINGLE_THREAD else ""
    train = compare("gpt train" + tag, gn_train, torch_train, target=1.2)
    gen = compare("gpt gen" + tag, gn_gen, torch_gen, target=1.2)
    for result, tokens in ((train, BATCH * BLOCK), (gen, GEN_BATCH * NEW)):
        result["gn_tokens_per_s"] = tokens / (result["gn_us"] * 1e-6)
        result["torch_tokens_per_s"] = tokens / (result["torch_us"] * 1e-6) if result["torch_us"] else None
        extra = "" if result["torch_us"] is None else f", torch {result['torch_tokens_per_s']:,.0f}"
        print(f"  {result['name']}: gradnote {result['gn_tokens_per_s']:,.0f} tokens/s{extra}")
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    return [train, gen]


if __name__ == "__main__":
    main()
