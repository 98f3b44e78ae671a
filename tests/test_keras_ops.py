"""keras.ops against NumPy references: one table of (op, inputs, reference); values, float64 gradients, and
the same ops recorded on KerasTensors (shape traced, replayed by a functional Model)."""

import math
from fractions import Fraction

import numpy as np
import pytest

import gradnote as gn
from gradnote import keras
from gradnote.keras import layers, ops

R = np.random.default_rng(0)
A = R.normal(size=(3, 4))
B = R.normal(size=(3, 4))
P = R.uniform(0.1, 0.9, size=(3, 4))
V = R.normal(size=(4,))
erf_ref = np.vectorize(math.erf)


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


# name, function, inputs, NumPy reference, differentiable
TABLE = [
    ("add", ops.add, (A, B), np.add, True),
    ("subtract", ops.subtract, (A, B), np.subtract, True),
    ("multiply", ops.multiply, (A, V), np.multiply, True),
    ("divide", ops.divide, (A, P), np.divide, True),
    ("true_divide", ops.true_divide, (A, P), np.true_divide, True),
    ("negative", ops.negative, (A,), np.negative, True),
    ("power", lambda x: ops.power(x, 3), (A,), lambda x: x ** 3, True),
    ("square", ops.square, (A,), np.square, True),
    ("sqrt", ops.sqrt, (P,), np.sqrt, True),
    ("rsqrt", ops.rsqrt, (P,), lambda x: 1 / np.sqrt(x), True),
    ("exp", ops.exp, (A,), np.exp, True),
    ("log", ops.log, (P,), np.log, True),
    ("log1p", ops.log1p, (P,), np.log1p, True),
    ("expm1", ops.expm1, (A,), np.expm1, True),
    ("abs", ops.abs, (A,), np.abs, True),
    ("sign", ops.sign, (A,), np.sign, False),
    ("sin", ops.sin, (A,), np.sin, True),
    ("cos", ops.cos, (A,), np.cos, True),
    ("tanh", ops.tanh, (A,), np.tanh, True),
    ("erf", ops.erf, (A,), erf_ref, True),
    ("floor", ops.floor, (A,), np.floor, False),
    ("ceil", ops.ceil, (A,), np.ceil, False),
    ("round", ops.round, (A,), np.round, False),
    ("clip", lambda x: ops.clip(x, -0.5, 0.5), (A,), lambda x: np.clip(x, -0.5, 0.5), True),
    ("maximum", ops.maximum, (A, B), np.maximum, True),
    ("minimum", ops.minimum, (A, B), np.minimum, True),
    ("where", lambda a, b: ops.where(A > 0, a, b), (A, B), lambda a, b: np.where(A > 0, a, b), True),
    ("logical_and", lambda a, b: ops.logical_and(a > 0, b > 0), (A, B), lambda a, b: (a > 0) & (b > 0), False),
    ("logical_or", lambda a, b: ops.logical_or(a > 0, b > 0), (A, B), lambda a, b: (a > 0) | (b > 0), False),
    ("logical_not", lambda a: ops.logical_not(a > 0), (A,), lambda a: ~(a > 0), False),
    ("equal", ops.equal, (A, A), np.equal, False),
    ("not_equal", ops.not_equal, (A, B), np.not_equal, False),
    ("greater", ops.greater, (A, B), np.greater, False),
    ("greater_equal", ops.greater_equal, (A, B), np.greater_equal, False),
    ("less", ops.less, (A, B), np.less, False),
    ("less_equal", ops.less_equal, (A, B), np.less_equal, False),
    ("sum", lambda x: ops.sum(x, axis=1, keepdims=True), (A,), lambda x: x.sum(1, keepdims=True), True),
    ("sum_all", ops.sum, (A,), np.sum, True),
    ("mean", lambda x: ops.mean(x, axis=(0, 1)), (A,), lambda x: x.mean((0, 1)), True),
    ("max", lambda x: ops.max(x, axis=0), (A,), lambda x: x.max(0), True),
    ("min", lambda x: ops.min(x, axis=-1), (A,), lambda x: x.min(-1), True),
    ("prod", lambda x: ops.prod(x, axis=1), (A,), lambda x: x.prod(1), True),
    ("prod_all", ops.prod, (P,), np.prod, True),
    ("std", lambda x: ops.std(x, axis=0), (A,), lambda x: x.std(0), True),
    ("var", lambda x: ops.var(x, axis=1), (A,), lambda x: x.var(1), True),
    ("argmax", lambda x: ops.argmax(x, axis=1), (A,), lambda x: x.argmax(1), False),
    ("argmax_flat", ops.argmax, (A,), np.argmax, False),
    ("argmin", lambda x: ops.argmin(x, axis=0), (A,), lambda x: x.argmin(0), False),
    ("any", lambda x: ops.any(x > 1, axis=0), (A,), lambda x: (x > 1).any(0), False),
    ("all", lambda x: ops.all(x > -1, axis=1), (A,), lambda x: (x > -1).all(1), False),
    ("logsumexp", lambda x: ops.logsumexp(x, axis=1), (A,), lambda x: np.log(np.exp(x).sum(1)), True),
    ("cumsum", lambda x: ops.cumsum(x, axis=1), (A,), lambda x: np.cumsum(x, 1), True),
    ("cumprod", lambda x: ops.cumprod(x, axis=0), (A,), lambda x: np.cumprod(x, 0), True),
    ("norm", lambda x: ops.norm(x, axis=-1), (A,), lambda x: np.linalg.norm(x, axis=-1), True),
    ("norm_l1", lambda x: ops.norm(x, ord=1, axis=0), (A,), lambda x: np.abs(x).sum(0), True),
    ("top_k", lambda x: ops.top_k(x, 2)[0], (A,), lambda x: -np.sort(-x, -1)[:, :2], True),
    ("reshape", lambda x: ops.reshape(x, (2, -1)), (A,), lambda x: x.reshape(2, -1), True),
    ("transpose", ops.transpose, (A,), np.transpose, True),
    ("expand_dims", lambda x: ops.expand_dims(x, -1), (A,), lambda x: x[..., None], True),
    ("squeeze", lambda x: ops.squeeze(x[None], 0), (A,), lambda x: x, True),
    ("concatenate", lambda a, b: ops.concatenate([a, b], axis=1), (A, B), lambda a, b: np.concatenate([a, b], 1), True),
    ("stack", lambda a, b: ops.stack([a, b], axis=-1), (A, B), lambda a, b: np.stack([a, b], -1), True),
    ("split", lambda x: ops.split(x, 2, axis=1)[1], (A,), lambda x: np.split(x, 2, 1)[1], True),
    ("split_at", lambda x: ops.split(x, [1, 3], axis=1)[2], (A,), lambda x: np.split(x, [1, 3], 1)[2], True),
    ("tile", lambda x: ops.tile(x, (2, 1)), (A,), lambda x: np.tile(x, (2, 1)), True),
    ("repeat", lambda x: ops.repeat(x, 2, axis=0), (A,), lambda x: np.repeat(x, 2, 0), True),
    ("broadcast_to", lambda x: ops.broadcast_to(x, (2, 4)), (V,), lambda x: np.broadcast_to(x, (2, 4)), True),
    ("take", lambda x: ops.take(x, np.array([[0, 2], [1, 1]]), axis=1), (A,),
     lambda x: np.take(x, [[0, 2], [1, 1]], 1), True),
    ("take_along_axis", lambda x: ops.take_along_axis(x, np.argsort(A, 1), axis=1), (A,),
     lambda x: np.take_along_axis(x, np.argsort(A, 1), 1), True),
    ("slice", lambda x: ops.slice(x, (1, 1), (2, 2)), (A,), lambda x: x[1:3, 1:3], True),
    ("flip", lambda x: ops.flip(x, axis=1), (A,), lambda x: np.flip(x, 1), True),
    ("pad", lambda x: ops.pad(x, ((1, 0), (0, 2))), (A,), lambda x: np.pad(x, ((1, 0), (0, 2))), True),
    ("swapaxes", lambda x: ops.swapaxes(x, 0, 1), (A,), lambda x: np.swapaxes(x, 0, 1), True),
    ("moveaxis", lambda x: ops.moveaxis(x[None], 0, -1), (A,), lambda x: np.moveaxis(x[None], 0, -1), True),
    ("tril", ops.tril, (A,), np.tril, True),
    ("triu", lambda x: ops.triu(x, 1), (A,), lambda x: np.triu(x, 1), True),
    ("einsum", lambda a, b: ops.einsum("ij,kj->ik", a, b), (A, B), lambda a, b: a @ b.T, True),
    ("matmul", lambda a, b: ops.matmul(a, b.T), (A, B), lambda a, b: a @ b.T, True),
    ("dot", ops.dot, (A, V), np.dot, True),
    ("tensordot", lambda a, b: ops.tensordot(a, b, axes=([1], [1])), (A, B),
     lambda a, b: np.tensordot(a, b, ([1], [1])), True),
    ("outer", ops.outer, (V, V), np.outer, True),
    ("relu", ops.relu, (A,), lambda x: np.maximum(x, 0), True),
    ("relu6", ops.relu6, (A * 4,), lambda x: np.clip(x, 0, 6), True),
    ("sigmoid", ops.sigmoid, (A,), lambda x: 1 / (1 + np.exp(-x)), True),
    ("softmax", ops.softmax, (A,), _softmax, True),
    ("log_softmax", lambda x: ops.log_softmax(x, axis=0), (A,), lambda x: np.log(_softmax(x, 0)), True),
    ("gelu", ops.gelu, (A,), lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3))), True),
    ("gelu_exact", lambda x: ops.gelu(x, approximate=False), (A,), lambda x: 0.5 * x * (1 + erf_ref(x / np.sqrt(2))),
     True),
    ("silu", ops.silu, (A,), lambda x: x / (1 + np.exp(-x)), True),
    ("swish", ops.swish, (A,), lambda x: x / (1 + np.exp(-x)), True),
    ("softplus", ops.softplus, (A,), lambda x: np.log1p(np.exp(x)), True),
    ("elu", ops.elu, (A,), lambda x: np.where(x > 0, x, np.expm1(x)), True),
    ("leaky_relu", ops.leaky_relu, (A,), lambda x: np.where(x > 0, x, 0.2 * x), True),
    ("binary_crossentropy", lambda p: ops.binary_crossentropy(P > 0.5, p), (P,),
     lambda p: -((P > 0.5) * np.log(p) + (P <= 0.5) * np.log(1 - p)), True),
    ("binary_crossentropy_logits", lambda z: ops.binary_crossentropy(P, z, from_logits=True), (A,),
     lambda z: -(P * np.log(1 / (1 + np.exp(-z))) + (1 - P) * np.log(1 - 1 / (1 + np.exp(-z)))), True),
    ("categorical_crossentropy", lambda p: ops.categorical_crossentropy(np.eye(4)[[0, 3, 1]], p), (P,),
     lambda p: -np.log((p / p.sum(-1, keepdims=True))[[0, 1, 2], [0, 3, 1]]), True),
    ("categorical_crossentropy_logits", lambda z: ops.categorical_crossentropy(np.eye(4)[[0, 3, 1]], z,
                                                                               from_logits=True),
     (A,), lambda z: -np.log(_softmax(z)[[0, 1, 2], [0, 3, 1]]), True),
    ("sparse_categorical_crossentropy", lambda z: ops.sparse_categorical_crossentropy(np.array([0, 3, 1]), z,
                                                                                      from_logits=True),
     (A,), lambda z: -np.log(_softmax(z)[[0, 1, 2], [0, 3, 1]]), True),
    ("normalize", ops.normalize, (A,), lambda x: x / np.linalg.norm(x, axis=-1, keepdims=True), True),
    ("moments_var", lambda x: ops.moments(x, axes=[0])[1], (A,), lambda x: x.var(0), True),
]


@pytest.mark.parametrize("name,fn,inputs,ref,diff", TABLE, ids=[row[0] for row in TABLE])
def test_op_matches_numpy(name, fn, inputs, ref, diff):
    out = fn(*inputs)
    assert isinstance(out, gn.Tensor)
    np.testing.assert_allclose(out.numpy(), ref(*inputs), rtol=1e-6, atol=1e-7)
    if diff:
        ts = [gn.tensor(a, requires_grad=True, dtype=gn.float64) for a in inputs]
        assert gn.gradcheck(fn, ts)


# one-input rows on A, less those whose other operands are constants of A's batch size (3 rows)
SYMBOLIC = [r for r in TABLE if r[2][0] is A and len(r[2]) == 1 and r[0] not in {
    "take_along_axis", "binary_crossentropy_logits", "categorical_crossentropy_logits",
    "sparse_categorical_crossentropy"}]


@pytest.mark.parametrize("name,fn,inputs,ref,diff", SYMBOLIC, ids=[r[0] for r in SYMBOLIC])
def test_op_on_keras_tensor_is_a_replayed_node(name, fn, inputs, ref, diff):
    """The same op on keras.Input((4,)): a KerasTensor whose known axes match the real result's, and a Model
    that replays it on data (batch 3 here, so ops over the batch axis are checked too)."""
    x = keras.Input((4,), dtype="float64")
    y = fn(x)
    assert isinstance(y, keras.KerasTensor)
    expected = np.asarray(ref(A)).shape
    assert len(y.shape) == len(expected)
    assert all(d is None or d == e for d, e in zip(y.shape, expected))
    out = keras.Model(x, y)(A)
    np.testing.assert_allclose(out.numpy(), ref(A), rtol=1e-6, atol=1e-7)


def test_creation_and_dtypes():
    assert ops.arange(5).dtype == np.int32 and ops.arange(5).tolist() == [0, 1, 2, 3, 4]
    assert ops.arange(0, 1, 0.25).dtype == np.float32
    assert ops.ones((2, 3)).dtype == np.float32 and ops.zeros((2,), dtype="int32").dtype == np.int32
    np.testing.assert_array_equal(ops.full((2, 2), 7.0).numpy(), np.full((2, 2), 7.0))
    np.testing.assert_array_equal(ops.eye(3, k=1).numpy(), np.eye(3, k=1))
    np.testing.assert_allclose(ops.linspace(0, 1, 5).numpy(), np.linspace(0, 1, 5))
    assert ops.ones_like(np.ones((2, 3), np.float64)).dtype == np.float64
    assert ops.full_like(np.ones(2), 3, dtype="int32").tolist() == [3, 3]
    assert ops.cast(np.ones(3), "int32").dtype == np.int32
    assert ops.convert_to_tensor([1.0]).dtype == np.float32 and ops.convert_to_tensor([1]).dtype == np.int32
    assert isinstance(ops.convert_to_numpy(ops.ones(2)), np.ndarray)
    assert ops.is_tensor(ops.ones(2)) and not ops.is_tensor(np.ones(2))
    assert ops.shape(np.ones((2, 3))) == (2, 3) and ops.shape(keras.Input((3,))) == (None, 3)
    with pytest.raises(ValueError, match="bfloat16"):
        ops.cast(np.ones(2), "bfloat16")


def test_stop_gradient_cond_fori_loop():
    x = gn.tensor([2.0], requires_grad=True)
    (x * ops.stop_gradient(x)).sum().backward()
    assert x.grad.tolist() == [2.0]
    assert ops.cond(True, lambda: 1, lambda: 2) == 1
    assert ops.fori_loop(0, 4, lambda i, v: v + i, 0) == 6


def test_one_hot_top_k_where():
    np.testing.assert_array_equal(ops.one_hot(np.array([0, 2]), 3).numpy(), np.eye(3)[[0, 2]])
    assert ops.one_hot(np.array([[1]]), 3, axis=1).shape == (1, 3, 1)
    values, idx = ops.top_k(np.array([[1.0, 5.0, 3.0]]), 2)
    assert values.tolist() == [[5.0, 3.0]] and idx.tolist() == [[1, 2]]
    assert [i.tolist() for i in ops.where(np.array([0, 1, 1]))] == [[1, 2]]


def _conv_ref(x, w, stride, pads):
    """NumPy channels_last 2-D convolution (valid after explicit padding)."""
    x = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    kh, kw = w.shape[:2]
    oh, ow = (x.shape[1] - kh) // stride + 1, (x.shape[2] - kw) // stride + 1
    out = np.zeros((x.shape[0], oh, ow, w.shape[3]))
    for i in range(oh):
        for j in range(ow):
            out[:, i, j] = np.einsum("nhwc,hwco->no", x[:, i * stride:i * stride + kh, j * stride:j * stride + kw], w)
    return out


@pytest.mark.parametrize("padding,stride,pads", [("valid", 1, ((0, 0), (0, 0))), ("same", 1, ((1, 1), (1, 1))),
                                                 ("same", 2, ((0, 1), (0, 1)))])
def test_conv_channels_last_same_padding_as_tensorflow(padding, stride, pads):
    x, w = R.normal(size=(2, 6, 6, 3)), R.normal(size=(3, 3, 3, 4))
    out = ops.conv(x, w, strides=stride, padding=padding)
    np.testing.assert_allclose(out.numpy(), _conv_ref(x, w, stride, pads), rtol=1e-6, atol=1e-8)
    assert gn.gradcheck(lambda a, b: ops.conv(a, b, strides=stride, padding=padding),
                        [gn.tensor(x[:1, :5, :5], requires_grad=True), gn.tensor(w, requires_grad=True)])


def test_pooling_same_padding():
    x = R.normal(size=(1, 5, 5, 2))
    out = ops.max_pool(x, 2, padding="same")
    ref = np.pad(x, ((0, 0), (0, 1), (0, 1), (0, 0)), constant_values=-np.inf).reshape(1, 3, 2, 3, 2, 2).max((2, 4))
    np.testing.assert_allclose(out.numpy(), ref)
    avg = ops.average_pool(x, 2, padding="same").numpy()
    assert np.isclose(avg[0, 2, 2], x[0, 4, 4]).all()  # the corner window holds one real pixel: its mean is itself
    np.testing.assert_allclose(avg[0, 0, 0], x[0, :2, :2].mean((0, 1)))
    assert ops.max_pool(np.zeros((1, 7, 3)), 2, strides=2).shape == (1, 3, 3)


def test_image_resize_half_pixel_bilinear():
    img = np.arange(4.0).reshape(1, 1, 4, 1)
    out = ops.image.resize(img, (1, 8)).numpy()[0, 0, :, 0]
    # half-pixel centres: output x maps to (x + 0.5) / 2 - 0.5, clamped at the edges
    src = np.clip((np.arange(8) + 0.5) / 2 - 0.5, 0, 3)
    np.testing.assert_allclose(out, np.interp(src, np.arange(4), np.arange(4.0)))
    assert ops.image.resize(np.ones((4, 4, 3)), (2, 2), interpolation="nearest").shape == (2, 2, 3)
    with pytest.raises(ValueError, match="interpolation"):
        ops.image.resize(img, (2, 2), interpolation="lanczos5")


def test_keras_tensor_operators_and_slicing_build_a_model():
    x = keras.Input((3,))
    y = layers.Dense(2)(x * 2 + 1)
    z = -(y[:, :1] ** 2) @ np.ones((1, 2), np.float32) / 4 - 1
    w = x[..., :2] + (x > 0)[:, 1:]
    model = keras.Model(x, [z, w, abs(x)[:, 0]])
    data = R.normal(size=(5, 3)).astype(np.float32)
    dense = model.layers[[type(m).__name__ for m in model.layers].index("Dense")]
    h = (data * 2 + 1) @ dense.weight.data.T + dense.bias.data
    outs = model(data)
    np.testing.assert_allclose(outs[0].numpy(), -(h[:, :1] ** 2) @ np.ones((1, 2)) / 4 - 1, rtol=1e-5)
    np.testing.assert_allclose(outs[1].numpy(), data[:, :2] + (data > 0)[:, 1:])
    assert z.shape == (None, 2) and w.shape == (None, 2) and outs[2].shape == (5,)
    with pytest.raises(TypeError, match="truth value"):
        bool(x)


def test_ops_in_graph_from_the_brief_trains():
    x = keras.Input((28, 28, 1))
    y = ops.mean(layers.Dense(4)(x), axis=-1)
    assert y.shape == (None, 28, 28)
    model = keras.Model(x, layers.Dense(1)(layers.Flatten()(y)))
    model.compile(optimizer="adam", loss="mse")
    hist = model.fit(R.normal(size=(8, 28, 28, 1)).astype(np.float32), np.ones((8, 1), np.float32), epochs=2,
                     verbose=0)
    assert len(hist.history["loss"]) == 2


def test_graph_with_ops_saves_and_loads(tmp_path):
    x = keras.Input((4,))
    h = layers.Dense(3)(x)
    y = ops.concatenate([h[:, ::2], ops.expand_dims(ops.sum(h * np.float32(0.5), axis=-1), -1)], axis=-1)
    model = keras.Model(x, ops.softmax(y + ops.ones((3,))))
    data = R.normal(size=(2, 4)).astype(np.float32)
    model.save(tmp_path / "m.gnx")
    loaded = keras.models.load_model(tmp_path / "m.gnx")
    np.testing.assert_allclose(loaded(data).numpy(), model(data).numpy(), rtol=1e-6)


def test_graph_op_with_unsaveable_argument_names_the_op(tmp_path):
    x = keras.Input((2,))
    model = keras.Model(x, ops.clip(x, Fraction(0), Fraction(1, 2)))
    np.testing.assert_allclose(model(np.array([[-1.0, 1.0]], np.float32)).numpy(), [[0.0, 0.5]])
    with pytest.raises(TypeError, match="ops.clip"):
        model.save(tmp_path / "m.gnx")
