"""gn.models.GPT: a NumPy reference forward (logits and attention weights), causal masking, float64 gradcheck,
the tied head, nanoGPT's state_dict layout, cached == uncached generation, viz.plot_attention, char_gpt --quick."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _examples import load_example

import gradnote as gn
from gradnote import viz

V, BLOCK, LAYERS, HEADS, EMBD = 13, 8, 2, 2, 8
rng = np.random.default_rng(0)


def tiny(dtype=None, spread: float = 0.0, **kw):
    """A small GPT; spread > 0 adds N(0, spread) to every weight so outputs are far from uniform."""
    gn.manual_seed(0)
    model = gn.models.GPT(kw.pop("vocab_size", V), kw.pop("block_size", BLOCK), kw.pop("n_layer", LAYERS),
                          kw.pop("n_head", HEADS), kw.pop("n_embd", EMBD), **kw)
    if dtype is not None:
        model.to(dtype)
    for p in model.parameters():
        p.data += rng.normal(0, spread, p.shape).astype(p.data.dtype)
    return model


def ids(n: int, t: int, vocab: int = V) -> np.ndarray:
    return rng.integers(0, vocab, (n, t))


# ----- NumPy reference -------------------------------------------------------------------------------------
_erf = np.vectorize(math.erf)


def np_layer_norm(x, w, b):
    out = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-5) * w
    return out if b is None else out + b


def np_linear(x, sd, name):
    out = x @ sd[name + ".weight"].T
    return out + sd[name + ".bias"] if name + ".bias" in sd else out


def np_gpt(sd, idx, n_layer, n_head):
    """(logits (N, T, V), per-layer attention weights (N, H, T, T)) from a state_dict, in float64."""
    sd = {k: np.asarray(v, dtype=np.float64) for k, v in sd.items()}
    n, t = idx.shape
    x = sd["transformer.wte.weight"][idx] + sd["transformer.wpe.weight"][:t]
    future = np.triu(np.ones((t, t), bool), 1)
    attention = []
    for i in range(n_layer):
        p = f"transformer.h.{i}."
        h = np_layer_norm(x, sd[p + "ln_1.weight"], sd.get(p + "ln_1.bias"))
        q, k, v = np.split(np_linear(h, sd, p + "attn.c_attn"), 3, axis=-1)
        q, k, v = (a.reshape(n, t, n_head, -1).transpose(0, 2, 1, 3) for a in (q, k, v))
        s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(q.shape[-1])
        s[..., future] = -np.inf
        a = np.exp(s - s.max(-1, keepdims=True))
        a /= a.sum(-1, keepdims=True)
        attention.append(a)
        y = (a @ v).transpose(0, 2, 1, 3).reshape(n, t, -1)
        x = x + np_linear(y, sd, p + "attn.c_proj")
        h = np_layer_norm(x, sd[p + "ln_2.weight"], sd.get(p + "ln_2.bias"))
        h = np_linear(h, sd, p + "mlp.c_fc")
        x = x + np_linear(0.5 * h * (1 + _erf(h / np.sqrt(2))), sd, p + "mlp.c_proj")
    x = np_layer_norm(x, sd["transformer.ln_f.weight"], sd.get("transformer.ln_f.bias"))
    return x @ sd["lm_head.weight"].T, attention


@pytest.mark.parametrize("bias", [True, False])
def test_forward_and_attention_weights_match_numpy_reference(bias):
    model = tiny(gn.float64, spread=0.3, bias=bias)
    idx = ids(3, 6)
    logits, loss = model(gn.tensor(idx))
    want, want_attention = np_gpt(model.state_dict(), idx, LAYERS, HEADS)
    assert loss is None and logits.shape == (3, 6, V)
    np.testing.assert_allclose(logits.data, want, atol=1e-10)
    got = model.attention_weights(idx)
    assert got.shape == (LAYERS, 3, HEADS, 6, 6)
    np.testing.assert_allclose(got.data, np.stack(want_attention), atol=1e-12)


def test_loss_is_mean_cross_entropy_of_the_next_token_and_ignores_minus_one():
    model = tiny(gn.float64, spread=0.3)
    idx, targets = ids(2, 5), ids(2, 5)
    targets[0, 1] = -1
    logits, loss = model(gn.tensor(idx), gn.tensor(targets))
    z = logits.data - logits.data.max(-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
    keep = targets != -1
    want = -np.take_along_axis(logp, np.where(keep, targets, 0)[..., None], -1)[..., 0][keep].mean()
    np.testing.assert_allclose(loss.item(), want, rtol=1e-12)


def test_changing_a_future_token_leaves_earlier_logits_unchanged():
    model = tiny(spread=0.3)
    idx = ids(2, BLOCK)
    other = idx.copy()
    other[:, 5] = (other[:, 5] + 1) % V
    a, _ = model(gn.tensor(idx))
    b, _ = model(gn.tensor(other))
    np.testing.assert_array_equal(a.data[:, :5], b.data[:, :5])
    assert np.abs(a.data[:, 5:] - b.data[:, 5:]).max(axis=-1).min() > 1e-4  # every later position sees it


def test_gradcheck_float64_through_every_parameter_and_the_tied_head():
    model = tiny(gn.float64, spread=0.3, vocab_size=5, block_size=4, n_embd=4)
    idx = gn.tensor(ids(2, 4, 5))
    assert gn.gradcheck(lambda *ps: model(idx)[0], list(model.parameters()), raise_exception=True)


def test_weight_tying_one_parameter_counted_once_saved_under_both_names():
    model = tiny()
    wte = model.transformer.wte.weight
    assert model.lm_head.weight is wte
    names = [n for n, _ in model.named_parameters()]
    assert "transformer.wte.weight" in names and "lm_head.weight" not in names
    c, v, t = EMBD, V, BLOCK
    per_block = 2 * 2 * c + (3 * c * c + 3 * c) + (c * c + c) + (4 * c * c + 4 * c) + (4 * c * c + c)
    expected = v * c + t * c + LAYERS * per_block + 2 * c
    assert model.num_parameters() == sum(p.data.size for p in model.parameters()) == expected
    assert model.num_parameters(non_embedding=True) == expected - t * c
    sd = model.state_dict()
    assert np.shares_memory(sd["transformer.wte.weight"], sd["lm_head.weight"])
    _, loss = model(gn.tensor(ids(2, 5)), gn.tensor(ids(2, 5)))
    loss.backward()
    gn.optim.AdamW(model.parameters(), lr=0.1).step()
    assert model.lm_head.weight is model.transformer.wte.weight


def test_state_dict_has_nanogpt_names_and_shapes_and_round_trips():
    model = tiny(n_layer=1)
    c, v = EMBD, V
    want = {"transformer.wte.weight": (v, c), "transformer.wpe.weight": (BLOCK, c),
            "transformer.h.0.ln_1.weight": (c,), "transformer.h.0.ln_1.bias": (c,),
            "transformer.h.0.attn.c_attn.weight": (3 * c, c), "transformer.h.0.attn.c_attn.bias": (3 * c,),
            "transformer.h.0.attn.c_proj.weight": (c, c), "transformer.h.0.attn.c_proj.bias": (c,),
            "transformer.h.0.ln_2.weight": (c,), "transformer.h.0.ln_2.bias": (c,),
            "transformer.h.0.mlp.c_fc.weight": (4 * c, c), "transformer.h.0.mlp.c_fc.bias": (4 * c,),
            "transformer.h.0.mlp.c_proj.weight": (c, 4 * c), "transformer.h.0.mlp.c_proj.bias": (c,),
            "transformer.ln_f.weight": (c,), "transformer.ln_f.bias": (c,), "lm_head.weight": (v, c)}
    sd = model.state_dict()
    assert list(sd) == list(want) and {k: a.shape for k, a in sd.items()} == want
    no_bias = tiny(n_layer=1, bias=False).state_dict()
    assert list(no_bias) == [k for k in want if not k.endswith("bias")]

    gn.manual_seed(1)
    twin = gn.models.GPT(V, BLOCK, 1, HEADS, EMBD)
    twin.load_state_dict({k: a.copy() for k, a in sd.items()})
    idx = gn.tensor(ids(2, 5))
    np.testing.assert_array_equal(twin(idx)[0].data, model(idx)[0].data)
    with pytest.raises(KeyError, match="lm_head.weight"):
        twin.load_state_dict({k: a for k, a in sd.items() if k != "lm_head.weight"})


def test_init_follows_gpt2():
    model = gn.models.GPT(50, 16, 4, 4, 128)
    sd = model.state_dict()
    assert abs(sd["transformer.wte.weight"].std() - 0.02) < 0.002
    assert abs(sd["transformer.h.0.attn.c_proj.weight"].std() - 0.02 / math.sqrt(8)) < 0.001
    assert not sd["transformer.h.0.mlp.c_fc.bias"].any() and (sd["transformer.ln_f.weight"] == 1).all()
    assert all(a.dtype == np.float32 for a in sd.values())


def test_cached_forward_equals_full_forward_one_token_and_chunks():
    model = tiny(gn.float64, spread=0.3)
    idx = ids(2, 7)
    full, _ = model(gn.tensor(idx))
    cache = gn.models.KVCache(LAYERS, BLOCK)
    pieces = [model(gn.tensor(idx[:, a:b]), cache=cache)[0].data for a, b in ((0, 3), (3, 4), (4, 7))]
    assert len(cache) == 7
    with pytest.raises(ValueError, match="KVCache: 7 cached \\+ 2 new positions exceed its capacity 8"):
        cache.append(0, *model.transformer.h[0].attn._qkv(gn.randn(2, 2, EMBD, dtype=gn.float64))[1:])
    np.testing.assert_allclose(np.concatenate(pieces, axis=1), full.data, atol=1e-12)


@pytest.mark.parametrize("new", [4, 13])  # 13: past block_size, the window slides
def test_cached_generation_equals_uncached_greedy_and_sampled(new):
    model = tiny(gn.float64, spread=0.5)
    prompt = ids(3, 3)
    greedy = model.generate(prompt, new, temperature=0)
    assert greedy.shape == (3, 3 + new) and greedy.dtype == np.int64
    np.testing.assert_array_equal(greedy.numpy()[:, :3], prompt)
    np.testing.assert_array_equal(greedy.numpy(), model.generate(prompt, new, temperature=0, use_cache=False).numpy())
    drawn = [model.generate(prompt, new, temperature=1.5, top_k=4, use_cache=c,
                            generator=np.random.default_rng(7)).numpy() for c in (True, False)]
    np.testing.assert_array_equal(*drawn)
    assert (drawn[0] != greedy.numpy()).any()


def test_uncached_greedy_step_is_the_argmax_of_the_window_logits():
    model = tiny(spread=0.5)
    prompt = ids(1, BLOCK)
    out = model.generate(prompt, 1, temperature=0, use_cache=False).numpy()
    assert out[0, -1] == model(gn.tensor(prompt))[0].data[0, -1].argmax()


def test_top_k_restricts_draws_to_the_k_likeliest():
    model = tiny(spread=0.5)
    prompt = ids(1, 2)
    logits = model(gn.tensor(prompt))[0].data[0, -1]
    best = set(np.argsort(logits)[-2:])
    draws = {int(model.generate(prompt, 1, top_k=2, temperature=3.0).numpy()[0, -1]) for _ in range(40)}
    assert draws <= best and len(draws) == 2


def test_generate_restores_training_mode_and_dropout_acts_only_in_training():
    model = tiny(dropout=0.5)
    idx = gn.tensor(ids(2, 5))
    assert not np.array_equal(model(idx)[0].data, model(idx)[0].data)
    model.generate(ids(1, 2), 2)
    assert model.training
    model.eval()
    np.testing.assert_array_equal(model(idx)[0].data, model(idx)[0].data)


def test_bad_arguments_are_refused_with_their_values():
    with pytest.raises(ValueError, match="n_embd must be divisible by n_head.*n_embd=10.*n_head=4"):
        gn.models.GPT(V, BLOCK, 1, 4, 10)
    with pytest.raises(ValueError, match=r"dropout must be in \[0, 1\), got 1.0"):
        gn.models.GPT(V, BLOCK, 1, 2, 8, dropout=1.0)
    with pytest.raises(ValueError, match="vocab_size must be a positive int, got 0"):
        gn.models.GPT(0, BLOCK, 1, 2, 8)
    model = tiny()
    with pytest.raises(ValueError, match="cannot run 9 positions.*block_size is only 8"):
        model(gn.tensor(ids(1, 9)))
    with pytest.raises(ValueError, match=r"shape \(5,\)"):
        model(gn.tensor(ids(1, 5)[0]))
    with pytest.raises(ValueError, match="temperature must be >= 0"):
        model.generate(ids(1, 2), 3, temperature=-1)
    with pytest.raises(ValueError, match="top_k must be a positive int"):
        model.generate(ids(1, 2), 3, top_k=0)
    with pytest.raises(ValueError, match=r"T >= 1"):
        model.generate(np.zeros((1, 0), np.int64), 3)


# ----- viz.plot_attention -----------------------------------------------------------------------------------
def test_plot_attention_one_panel_per_head_with_token_labels(tmp_path):
    weights = tiny(spread=0.3).attention_weights(ids(1, 5))[-1, 0]  # (heads, T, T)
    fig = viz.plot_attention(weights, tokens=list("ab c\n"), path=tmp_path / "att.png")
    panels = [ax for ax in fig.axes if ax.get_title().startswith("head")]
    assert len(panels) == HEADS
    shown = panels[1].images[0].get_array()
    np.testing.assert_allclose(shown, weights.data[1], rtol=1e-6)
    assert [t.get_text() for t in panels[0].get_xticklabels()] == ["a", "b", "\u2423", "c", "\u21b5"]
    assert (tmp_path / "att.png").read_bytes()[:4] == b"\x89PNG"
    assert len(viz.plot_attention(np.eye(3)).axes) == 2  # one head: one panel and the colour bar


def test_plot_attention_refuses_bad_shapes_and_token_counts():
    with pytest.raises(ValueError, match=r"plot_attention: expected weights of shape.*\(2, 1, 2, 3, 3\)"):
        viz.plot_attention(np.zeros((2, 1, 2, 3, 3)))
    with pytest.raises(ValueError, match="plot_attention: 2 tokens for weights over 3 queries"):
        viz.plot_attention(np.eye(3), tokens="ab")


# ----- examples/char_gpt.py ---------------------------------------------------------------------------------
def test_char_gpt_quick_mode_learns_and_plots(tmp_path):
    ex = load_example("char_gpt")
    out = ex.main(["--quick", "--plot", str(tmp_path / "att.png")])
    log = out["log"]
    assert out["final_loss"] < out["first_loss"] - 0.5
    assert log[-1]["val_loss"] < log[0]["val_loss"] - 0.3
    assert all(isinstance(row["sample"], str) and len(row["sample"]) == 8 + 40 for row in log)
    assert (tmp_path / "att.png").stat().st_size > 0


def test_char_gpt_reads_a_given_text_file(tmp_path):
    ex = load_example("char_gpt")
    path = tmp_path / "t.txt"
    path.write_text("héllo wörld, " * 40, encoding="utf-8")
    text, source = ex.load_text([path])
    codec = ex.CharCodec(text)
    assert "1 file(s)" in source and codec.decode(codec.encode(text)) == text and "ö" in codec.chars
