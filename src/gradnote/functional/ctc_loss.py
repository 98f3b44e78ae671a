"""Connectionist temporal classification loss (Graves et al., 2006): -log of the total probability of every
alignment of a label sequence to the input frames, by the forward-backward recursion in log space."""

from __future__ import annotations

import numbers

import numpy as np

from .. import backend
from ..autograd import Function, Tensor
from ..backend import xp
from ._util import check_reduction

__all__ = ["ctc_loss"]


def _lse(*terms):
    out = terms[0]
    for t in terms[1:]:
        out = xp.logaddexp(out, t)
    return out


def _shift(a, k: int):
    """a[..., s - k] at position s (-inf where s < k): the states k steps back along the extended label."""
    out = xp.full_like(a, -xp.inf)
    out[..., k:] = a[..., :a.shape[-1] - k]
    return out


def _back(a, k: int):
    out = xp.full_like(a, -xp.inf)
    out[..., :a.shape[-1] - k] = a[..., k:]
    return out


class CTCLoss(Function):
    """Per-sample negative log-likelihoods (N,) of log_probs (T, N, C) for the extended labels ext (N, S').

    alpha[t, s] = lse(alpha[t-1, s], alpha[t-1, s-1], alpha[t-1, s-2] where skipping is allowed) + lp[t, ext[s]];
    beta likewise backwards from t = input_length - 1; d nll / d lp[t, c] = -sum_{s: ext[s] = c}
    exp(alpha[t, s] + beta[t, s] - lp[t, c] + nll) (the share of the probability that passes through (t, s)).
    """

    saves = False

    def forward(self, lp, *, ext, ext_len, in_len, blank, zero_infinity):
        T, N, _ = lp.shape
        S = ext.shape[1]
        m = backend.module_of(lp)  # arrays made from nothing go where the input lives
        idx = m.arange(S)
        valid = idx[None, :] < ext_len[:, None]  # (N, S)
        skip = (ext != blank) & (_shift(ext.astype(lp.dtype), 2) != ext)  # may come from s - 2
        skip[:, :2] = False
        emit = xp.take_along_axis(lp, xp.broadcast_to(ext[None], (T, N, S)), axis=2)  # lp[t, n, ext[n, s]]
        emit = xp.where(valid[None], emit, -xp.inf)
        neg = m.array(-xp.inf, dtype=lp.dtype)
        alpha = m.full((T, N, S), -xp.inf, dtype=lp.dtype)
        alpha[0, :, :2] = emit[0, :, :2]
        for t in range(1, T):
            a = alpha[t - 1]
            alpha[t] = _lse(a, _shift(a, 1), xp.where(skip, _shift(a, 2), neg)) + emit[t]
        last = in_len - 1
        rows = m.arange(N)
        a_end = alpha[last, rows]  # (N, S) at each sample's last frame
        end1 = xp.take_along_axis(a_end, (ext_len - 1)[:, None], 1)[:, 0]
        end2 = xp.take_along_axis(a_end, xp.maximum(ext_len - 2, 0)[:, None], 1)[:, 0]
        nll = -xp.logaddexp(end1, xp.where(ext_len > 1, end2, neg))
        self.infinite = xp.isinf(nll) if zero_infinity else m.zeros(N, dtype=bool)
        self.saved = (lp.shape, lp.dtype, ext, ext_len, in_len, skip, emit, alpha, nll)
        return xp.where(self.infinite, xp.zeros_like(nll), nll)

    def backward(self, g):
        (T, N, C), dtype, ext, ext_len, in_len, skip, emit, alpha, nll = self.saved
        S = ext.shape[1]
        m = backend.module_of(g)
        neg = m.array(-xp.inf, dtype=dtype)
        end = m.arange(S)[None, :] >= (ext_len - 2)[:, None]  # the two states a path may end in
        beta = m.full((T, N, S), -xp.inf, dtype=dtype)
        skip_back = xp.zeros_like(skip)  # from s, s + 2 may be reached when skipping into s + 2 is allowed
        skip_back[:, :-2] = skip[:, 2:]
        for t in range(T - 1, -1, -1):
            start = xp.where(end, emit[t], neg)
            if t + 1 < T:
                b = beta[t + 1]
                step = _lse(b, _back(b, 1), xp.where(skip_back, _back(b, 2), neg)) + emit[t]
            else:
                step = xp.full_like(start, -xp.inf)
            beta[t] = xp.where((t == in_len - 1)[:, None], start, xp.where((t < in_len - 1)[:, None], step, neg))
        finite = xp.where(xp.isinf(emit), xp.zeros_like(emit), emit)  # padding states: -inf - -inf would be NaN
        with np.errstate(invalid="ignore"):
            share = xp.exp(alpha + beta - finite + nll[None, :, None])  # (T, N, S)
        share = xp.where(xp.isfinite(share), share, xp.zeros_like(share)) if self.infinite.any() else share
        grad = m.zeros((T, N, C), dtype=dtype)
        t_idx, n_idx = m.meshgrid(m.arange(T), m.arange(N), indexing="ij")
        backend.scatter_add(grad, (t_idx[..., None].repeat(S, 2), n_idx[..., None].repeat(S, 2),
                                   xp.broadcast_to(ext[None], (T, N, S))), -share)
        gn = xp.where(self.infinite, xp.zeros_like(g), g)
        return (grad * gn[None, :, None],)


def _lengths(values, n: int, name: str):
    if isinstance(values, Tensor):
        values = values.data
    arr = np.asarray(backend.asnumpy(values) if not isinstance(values, (list, tuple, int)) else values)
    arr = arr.reshape(-1) if arr.ndim == 0 else arr
    if arr.dtype.kind not in "iu" or arr.shape != (n,):
        raise ValueError(f"ctc_loss: {name} must be {n} integer(s), one per batch entry, got {values!r}")
    return arr.astype(np.int64)


def ctc_loss(log_probs: Tensor, targets, input_lengths, target_lengths, blank: int = 0, reduction: str = "mean",
             zero_infinity: bool = False) -> Tensor:
    """CTC loss of log-probabilities over frames against unaligned label sequences, as torch's F.ctc_loss.

    log_probs: (T, N, C) (log_softmax over C), or (T, C) unbatched; targets: (N, S) padded or the N sequences
    concatenated (1-D); input_lengths, target_lengths: (N,) ints (tensors or sequences). Each loss is
    -log sum over alignments of prod_t p_t(label); reduction 'mean' divides each by its target length and
    averages, 'sum' adds, 'none' gives (N,). zero_infinity: an impossible alignment (input too short) gives
    loss 0 and gradient 0 instead of inf. The gradient is the true one with respect to log_probs (PyTorch's
    differs by exp(log_probs), a term that cancels through log_softmax).

    >>> lp = gn.tensor(np.log(np.full((2, 1, 2), 0.5)))  # 2 frames; blank-1, 1-blank, 1-1 give [1]: p = 3/4
    >>> round(ctc_loss(lp, gn.tensor([[1]]), [2], [1]).item(), 4)
    0.2877
    """
    op = "ctc_loss"
    reduction = check_reduction(reduction, op)
    lp = log_probs if isinstance(log_probs, Tensor) else Tensor._wrap(backend.asarray(log_probs))
    if lp.ndim == 2:  # unbatched (T, C), targets (S,)
        tg = targets.data if isinstance(targets, Tensor) else np.asarray(targets)
        tgt = Tensor._wrap(backend.asarray(tg).reshape(1, -1))
        il = [int(np.asarray(getattr(input_lengths, "data", input_lengths)).reshape(-1)[0])]
        tl = [int(np.asarray(getattr(target_lengths, "data", target_lengths)).reshape(-1)[0])]
        return ctc_loss(lp.unsqueeze(1), tgt, il, tl, blank, reduction, zero_infinity).reshape(())
    if lp.ndim != 3 or lp.data.dtype.kind != "f":
        raise ValueError(f"{op}: log_probs must be float (T, N, C) or (T, C), got shape {tuple(lp.shape)} "
                         f"{lp.data.dtype}")
    T, N, C = lp.shape
    if not isinstance(blank, numbers.Integral) or not 0 <= blank < C:
        raise ValueError(f"{op}: blank must be an int in [0, {C}), got {blank!r}")
    in_len = _lengths(input_lengths, N, "input_lengths")
    tgt_len = _lengths(target_lengths, N, "target_lengths")
    if (in_len < 1).any() or (in_len > T).any():
        raise ValueError(f"{op}: input_lengths must lie in [1, {T}] (the frames of log_probs), got {in_len.tolist()}")
    if (tgt_len < 0).any():
        raise ValueError(f"{op}: target_lengths must be >= 0, got {tgt_len.tolist()}")
    tg = np.asarray(backend.asnumpy(targets.data if isinstance(targets, Tensor) else targets))
    if tg.dtype.kind not in "iu":
        raise ValueError(f"{op}: targets must be integer class indices, got dtype {tg.dtype}")
    if tg.ndim == 2:
        if tg.shape[0] != N or (tgt_len > tg.shape[1]).any():
            raise ValueError(f"{op}: padded targets of shape {tg.shape} do not fit batch {N} with target_lengths "
                             f"{tgt_len.tolist()}")
        seqs = [tg[n, :tgt_len[n]] for n in range(N)]
    elif tg.ndim == 1:
        if tg.shape[0] != tgt_len.sum():
            raise ValueError(f"{op}: concatenated targets have {tg.shape[0]} labels, target_lengths add up to "
                             f"{int(tgt_len.sum())}")
        seqs = np.split(tg, np.cumsum(tgt_len)[:-1])
    else:
        raise ValueError(f"{op}: targets must be (N, S) padded or 1-D concatenated, got shape {tg.shape}")
    if any(((s < 0) | (s >= C) | (s == blank)).any() for s in seqs):
        raise ValueError(f"{op}: target labels must lie in [0, {C}) and differ from blank={blank}")
    S = 2 * int(tgt_len.max(initial=0)) + 1
    ext = np.full((N, S), blank, dtype=np.int64)
    for n, s in enumerate(seqs):
        ext[n, 1:2 * len(s):2] = s
    like = lp.data
    ext, ext_len, in_len = (backend.like(a, like) for a in (ext, 2 * tgt_len + 1, in_len))  # host indices follow
    loss = CTCLoss.apply(lp, ext=ext, ext_len=ext_len, in_len=in_len, blank=int(blank),
                         zero_infinity=bool(zero_infinity))
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return (loss / Tensor._wrap(backend.like(np.maximum(tgt_len, 1).astype(like.dtype), like))).mean()
