"""Embedding: lookup, accumulating gradients for repeated indices, padding_idx, errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gradnote as gn
import gradnote.functional as F
from gradnote import nn


def ref_embedding_grad(idx, g, num_embeddings):
    """Row i's gradient: the sum of the output gradients of every position holding i."""
    dw = np.zeros((num_embeddings, g.shape[-1]))
    for pos in np.ndindex(*idx.shape):
        dw[idx[pos]] += g[pos]
    return dw


def test_lookup_is_row_indexing():
    w = gn.randn(6, 3)
    idx = np.array([[0, 5, 2], [2, 2, 1]])
    np.testing.assert_array_equal(F.embedding(gn.tensor(idx), w).data, w.data[idx])
    assert F.embedding([1, 2], w).shape == (2, 3)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=1, max_size=12), st.integers(1, 4))
def test_repeated_indices_accumulate(ids, dim):
    rng = np.random.default_rng(len(ids))
    w = gn.tensor(rng.standard_normal((5, dim)), requires_grad=True)
    idx = np.array(ids).reshape(-1, 1) if len(ids) % 2 else np.array(ids)
    g = rng.standard_normal((*idx.shape, dim))
    F.embedding(gn.tensor(idx), w).backward(g)
    np.testing.assert_allclose(w.grad, ref_embedding_grad(idx, g, 5), rtol=1e-12, atol=1e-12)


def test_gradcheck_with_repeats():
    w = gn.tensor(np.random.default_rng(0).standard_normal((4, 3)), requires_grad=True)
    idx = gn.tensor([[1, 1, 3], [0, 1, 3]])
    assert gn.gradcheck(lambda w: F.embedding(idx, w), [w], raise_exception=True)


def test_module_init_and_padding_row_never_updated():
    emb = nn.Embedding(1000, 16, padding_idx=0)
    assert emb.weight.shape == (1000, 16) and emb.weight.dtype == np.float32
    assert np.all(emb.weight.data[0] == 0)
    rest = emb.weight.data[1:]
    assert abs(rest.mean()) < 0.05 and abs(rest.std() - 1) < 0.05  # N(0, 1) as PyTorch
    out = emb(gn.tensor([[0, 3, 0], [3, 7, 0]]))
    (out * out).sum().backward()
    expected = np.zeros_like(emb.weight.data)  # d/dw sum(w[i]^2) = 2 w[i] per occurrence; padding row excluded
    expected[3], expected[7] = 2 * 2 * emb.weight.data[3], 2 * emb.weight.data[7]
    np.testing.assert_allclose(emb.weight.grad, expected, rtol=1e-6)
    assert nn.Embedding(5, 2, padding_idx=-1).padding_idx == 4  # counts from the end, as PyTorch


def test_float64_table_stays_float64():
    emb = nn.Embedding(4, 2).double()
    out = emb(gn.tensor([1, 2]))
    out.sum().backward()
    assert out.dtype == np.float64 and emb.weight.grad.dtype == np.float64


def test_errors():
    emb = nn.Embedding(10, 3)
    with pytest.raises(IndexError, match=r"embedding: index 12 is out of range for a table of 10 embeddings"):
        emb(gn.tensor([1, 12]))
    with pytest.raises(IndexError, match=r"index -1 is out of range"):
        emb(gn.tensor([-1]))
    with pytest.raises(TypeError, match="embedding: indices must be integers, got dtype float32"):
        emb(gn.tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match="Embedding: embedding_dim must be a positive int, got 0"):
        nn.Embedding(10, 0)
    with pytest.raises(ValueError, match=r"padding_idx must be in \[-10, 10\), got 10"):
        nn.Embedding(10, 3, padding_idx=10)
