"""Transformer layers: torch-layout names, NumPy references for encoder/decoder layers (post-norm and
norm_first, with masks and dropout placement), float64 gradchecks, deep-copied stacks, the full model."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from test_attention import np_mha

import gradnote as gn
import gradnote.nn as nn

rng = np.random.default_rng(1)
D, H, FF = 8, 2, 12

ENCODER_KEYS = [
    ("self_attn.in_proj_weight", (3 * D, D)), ("self_attn.in_proj_bias", (3 * D,)),
    ("self_attn.out_proj.weight", (D, D)), ("self_attn.out_proj.bias", (D,)),
    ("linear1.weight", (FF, D)), ("linear1.bias", (FF,)), ("linear2.weight", (D, FF)), ("linear2.bias", (D,)),
    ("norm1.weight", (D,)), ("norm1.bias", (D,)), ("norm2.weight", (D,)), ("norm2.bias", (D,)),
]
DECODER_KEYS = (ENCODER_KEYS[:4] + [(k.replace("self_attn", "multihead_attn"), s) for k, s in ENCODER_KEYS[:4]]
                + ENCODER_KEYS[4:] + [("norm3.weight", (D,)), ("norm3.bias", (D,))])


def np_layer_norm(x, w, b, eps=1e-5):
    y = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + eps)
    return y * w + (0 if b is None else b)


def _sub(sd, prefix):
    return {k[len(prefix) + 1:]: v for k, v in sd.items() if k.startswith(prefix + ".")}


def _act(name):
    from math import erf
    return (lambda x: np.maximum(x, 0)) if name == "relu" else np.vectorize(lambda t: 0.5 * t * (1 + erf(t / 2**0.5)))


def np_encoder_layer(x, sd, norm_first=False, act="relu", mask=None, kpm=None, drops=(1, 1, 1)):
    """x: (S, N, D); drops: the factors the test's stand-in dropouts apply at dropout, dropout1, dropout2."""
    ln = lambda t, i: np_layer_norm(t, sd[f"norm{i}.weight"], sd.get(f"norm{i}.bias"))  # noqa: E731
    sa = lambda t: np_mha(t, t, t, _sub(sd, "self_attn"), H, kpm, mask)[0] * drops[1]  # noqa: E731
    ff = lambda t: (_act(act)(t @ sd["linear1.weight"].T + sd.get("linear1.bias", 0)) * drops[0]  # noqa: E731
                    @ sd["linear2.weight"].T + sd.get("linear2.bias", 0)) * drops[2]
    if norm_first:
        x = x + sa(ln(x, 1))
        return x + ff(ln(x, 2))
    x = ln(x + sa(x), 1)
    return ln(x + ff(x), 2)


def np_decoder_layer(x, mem, sd, norm_first=False, tgt_mask=None, mem_kpm=None):
    ln = lambda t, i: np_layer_norm(t, sd[f"norm{i}.weight"], sd[f"norm{i}.bias"])  # noqa: E731
    sa = lambda t: np_mha(t, t, t, _sub(sd, "self_attn"), H, None, tgt_mask)[0]  # noqa: E731
    ca = lambda t: np_mha(t, mem, mem, _sub(sd, "multihead_attn"), H, mem_kpm)[0]  # noqa: E731
    ff = lambda t: np.maximum(t @ sd["linear1.weight"].T + sd["linear1.bias"], 0) @ sd["linear2.weight"].T \
        + sd["linear2.bias"]  # noqa: E731
    if norm_first:
        x = x + sa(ln(x, 1))
        x = x + ca(ln(x, 2))
        return x + ff(ln(x, 3))
    x = ln(x + sa(x), 1)
    x = ln(x + ca(x), 2)
    return ln(x + ff(x), 3)


def _state(m):
    return {k: np.array(v, dtype=np.float64) for k, v in m.state_dict().items()}


def _randomise(m):
    """Non-trivial norms and biases, so the reference checks where each one sits."""
    for p in m.parameters():
        p.data[...] = rng.standard_normal(p.shape) * 0.5 + (1.0 if p.ndim == 1 and p.shape == (D,) else 0.0)
    return m


class Scale(nn.Module):
    """Stands in for a Dropout to show where it is applied."""

    def __init__(self, c):
        super().__init__()
        self.c = c

    def forward(self, x):
        return x * self.c


def test_encoder_and_decoder_layer_state_dicts_have_torch_names_and_shapes():
    enc = nn.TransformerEncoderLayer(D, H, dim_feedforward=FF)
    dec = nn.TransformerDecoderLayer(D, H, dim_feedforward=FF)
    assert [(k, v.shape) for k, v in enc.state_dict().items()] == ENCODER_KEYS
    assert [(k, v.shape) for k, v in dec.state_dict().items()] == DECODER_KEYS
    names = [n for n, _ in dec.named_children()]
    assert names == ["self_attn", "multihead_attn", "linear1", "dropout", "linear2", "norm1", "norm2", "norm3",
                     "dropout1", "dropout2", "dropout3"]
    assert isinstance(dec.dropout3, nn.Dropout) and dec.dropout3.p == 0.1 and dec.self_attn.dropout == 0.1


def test_bias_false_drops_every_bias_and_layer_norm_shift():
    sd = nn.TransformerEncoderLayer(D, H, dim_feedforward=FF, bias=False).state_dict()
    assert [k for k in sd] == ["self_attn.in_proj_weight", "self_attn.out_proj.weight", "linear1.weight",
                               "linear2.weight", "norm1.weight", "norm2.weight"]


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("bias", [True, False])
def test_encoder_layer_matches_numpy(batch_first, norm_first, activation, bias):
    layer = _randomise(nn.TransformerEncoderLayer(D, H, FF, dropout=0.0, activation=activation,
                                                  batch_first=batch_first, norm_first=norm_first,
                                                  bias=bias).double())
    x = rng.standard_normal((5, 3, D))
    mask = np.triu(np.ones((5, 5), bool), 1)
    kpm = np.zeros((3, 5), bool)
    kpm[1, 3:] = True
    want = np_encoder_layer(x, _state(layer), norm_first, activation, mask, kpm)
    xin = x.transpose(1, 0, 2) if batch_first else x
    got = layer(gn.tensor(xin), src_mask=mask, src_key_padding_mask=kpm).data
    np.testing.assert_allclose(got.transpose(1, 0, 2) if batch_first else got, want, atol=1e-10)


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_layer_dropout_placement(norm_first):
    layer = _randomise(nn.TransformerEncoderLayer(D, H, FF, norm_first=norm_first).double())
    layer.dropout, layer.dropout1, layer.dropout2 = Scale(0.5), Scale(2.0), Scale(-3.0)
    x = rng.standard_normal((4, 2, D))
    want = np_encoder_layer(x, _state(layer), norm_first, drops=(0.5, 2.0, -3.0))
    layer.self_attn.dropout = 0.0  # the attention-weight dropout is MultiheadAttention's own
    np.testing.assert_allclose(layer(gn.tensor(x)).data, want, atol=1e-10)


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_matches_numpy(norm_first):
    layer = _randomise(nn.TransformerDecoderLayer(D, H, FF, dropout=0.0, norm_first=norm_first).double())
    x, mem = rng.standard_normal((4, 3, D)), rng.standard_normal((6, 3, D))
    tgt_mask = nn.Transformer.generate_square_subsequent_mask(4).data.astype(np.float64)
    kpm = np.zeros((3, 6), bool)
    kpm[0, 4:] = True
    want = np_decoder_layer(x, mem, _state(layer), norm_first, tgt_mask, kpm)
    got = layer(gn.tensor(x), gn.tensor(mem), tgt_mask=tgt_mask, memory_key_padding_mask=kpm)
    np.testing.assert_allclose(got.data, want, atol=1e-10)


def test_encoder_layer_gradcheck_float64():
    gn.manual_seed(0)
    layer = nn.TransformerEncoderLayer(4, 2, dim_feedforward=6, dropout=0.0, activation="gelu").double()
    x = gn.tensor(rng.standard_normal((3, 2, 4)), requires_grad=True)
    kpm = np.array([[False, False, True], [False, False, False]])
    mask = np.triu(np.ones((3, 3), bool), 1)
    fn = lambda x, *ps: layer(x, src_mask=mask, src_key_padding_mask=kpm)  # noqa: E731
    assert gn.gradcheck(fn, [x, *layer.parameters()], raise_exception=True)


def test_decoder_layer_gradcheck_float64():
    gn.manual_seed(0)
    layer = nn.TransformerDecoderLayer(4, 2, dim_feedforward=6, dropout=0.0, norm_first=True).double()
    x = gn.tensor(rng.standard_normal((3, 2, 4)), requires_grad=True)
    mem = gn.tensor(rng.standard_normal((2, 2, 4)), requires_grad=True)
    fn = lambda x, m, *ps: layer(x, m, tgt_mask=np.triu(np.ones((3, 3), bool), 1), tgt_is_causal=True)  # noqa: E731
    assert gn.gradcheck(fn, [x, mem, *layer.parameters()], raise_exception=True)


def test_deepcopy_of_a_module_is_independent():
    layer = nn.TransformerEncoderLayer(D, H, FF)
    twin = copy.deepcopy(layer)
    for (n, p), (m, q) in zip(layer.named_parameters(), twin.named_parameters()):
        assert n == m and p is not q and np.array_equal(p.data, q.data)
    twin.linear1.weight.data[...] = 0
    assert np.abs(layer.linear1.weight.data).sum() > 0
    x = gn.randn(3, 2, D)
    layer.eval(), twin.eval()
    assert not np.allclose(layer(x).data, twin(x).data)


def test_encoder_stacks_deep_copies_and_applies_the_final_norm():
    layer = _randomise(nn.TransformerEncoderLayer(D, H, FF, dropout=0.0).double())
    norm = _randomise(nn.LayerNorm(D).double())
    enc = nn.TransformerEncoder(layer, num_layers=2, norm=norm)
    assert len(enc.layers) == 2 and enc.layers[0] is not layer and enc.layers[0] is not enc.layers[1]
    assert [k for k in enc.state_dict()][:2] == ["layers.0.self_attn.in_proj_weight", "layers.0.self_attn.in_proj_bias"]
    assert "layers.1.norm2.bias" in enc.state_dict() and "norm.weight" in enc.state_dict()
    _randomise(enc.layers[1])
    x = rng.standard_normal((4, 2, D))
    h = np_encoder_layer(np_encoder_layer(x, _state(enc.layers[0])), _state(enc.layers[1]))
    want = np_layer_norm(h, norm.weight.data, norm.bias.data)
    np.testing.assert_allclose(enc(gn.tensor(x)).data, want, atol=1e-10)


def test_encoder_detects_a_causal_mask():
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(D, H, FF, dropout=0.0), 2).double()
    x = gn.tensor(rng.standard_normal((5, 2, D)))
    causal = nn.Transformer.generate_square_subsequent_mask(5).data.astype(np.float64)
    a = enc(x, mask=causal)
    b = enc(x, mask=causal, is_causal=False)
    c = enc(x, mask=np.triu(np.ones((5, 5), bool), 1))
    np.testing.assert_allclose(a.data, b.data, atol=1e-12)
    np.testing.assert_allclose(a.data, c.data, atol=1e-12)


def test_generate_square_subsequent_mask():
    m = nn.Transformer.generate_square_subsequent_mask(4)
    assert m.shape == (4, 4) and m.dtype == np.float32
    np.testing.assert_array_equal(np.isneginf(m.data), np.triu(np.ones((4, 4), bool), 1))
    assert np.all(m.data[np.tril(np.ones((4, 4), bool))] == 0)


def test_transformer_names_batch_first_and_decoder_reference():
    gn.manual_seed(0)
    model = nn.Transformer(D, H, 1, 1, FF, dropout=0.0).double()
    keys = list(model.state_dict())
    assert keys[0] == "encoder.layers.0.self_attn.in_proj_weight" and "encoder.norm.weight" in keys
    assert "decoder.layers.0.multihead_attn.out_proj.bias" in keys and keys[-1] == "decoder.norm.bias"
    assert np.abs(model.encoder.norm.weight.data - 1).max() == 0  # 1-D parameters keep their init
    src, tgt = rng.standard_normal((5, 2, D)), rng.standard_normal((4, 2, D))
    tgt_mask = nn.Transformer.generate_square_subsequent_mask(4).data.astype(np.float64)
    out = model(gn.tensor(src), gn.tensor(tgt), tgt_mask=tgt_mask)
    sd = _state(model)
    mem = np_layer_norm(np_encoder_layer(src, _sub(sd, "encoder.layers.0")), sd["encoder.norm.weight"],
                        sd["encoder.norm.bias"])
    h = np_decoder_layer(tgt, mem, _sub(sd, "decoder.layers.0"), tgt_mask=tgt_mask)
    np.testing.assert_allclose(out.data, np_layer_norm(h, sd["decoder.norm.weight"], sd["decoder.norm.bias"]),
                               atol=1e-10)
    bf = nn.Transformer(D, H, 1, 1, FF, dropout=0.0, batch_first=True).double()
    bf.load_state_dict(model.state_dict())
    out_bf = bf(gn.tensor(src.transpose(1, 0, 2)), gn.tensor(tgt.transpose(1, 0, 2)), tgt_mask=tgt_mask)
    np.testing.assert_allclose(out_bf.data.transpose(1, 0, 2), out.data, atol=1e-12)


def test_transformer_custom_encoder_and_unbatched():
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(D, H, FF), 1)
    model = nn.Transformer(D, H, custom_encoder=enc, num_decoder_layers=1, dim_feedforward=FF).eval()
    assert model.encoder is enc
    out = model(gn.randn(5, D), gn.randn(3, D))
    assert out.shape == (3, D)


@pytest.mark.parametrize("make, match", [
    (lambda: nn.TransformerEncoderLayer(D, H, activation="tanh"), "activation"),
    (lambda: nn.TransformerEncoderLayer(D, H, dropout=1.0), "dropout"),
    (lambda: nn.TransformerDecoderLayer(D, 3), "divisible"),
    (lambda: nn.TransformerEncoderLayer(0, H), "d_model"),
    (lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(D, H), 0), "num_layers"),
])
def test_bad_hyperparameters(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_callable_activation_and_transformer_input_errors():
    layer = nn.TransformerEncoderLayer(D, H, FF, dropout=0.0, activation=lambda t: t * 0).eval()
    x = gn.randn(3, 2, D)
    ref = nn.TransformerEncoderLayer(D, H, FF, dropout=0.0).eval()
    assert layer(x).shape == (3, 2, D) and ref(x).shape == (3, 2, D)
    model = nn.Transformer(D, H, 1, 1, FF)
    with pytest.raises(ValueError, match="batch size"):
        model(gn.randn(5, 2, D), gn.randn(4, 3, D))
    with pytest.raises(ValueError, match="d_model"):
        model(gn.randn(5, 2, D), gn.randn(4, 2, D + 1))
