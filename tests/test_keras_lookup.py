"""StringLookup, IntegerLookup, Hashing, Discretization and CategoryEncoding: ids and encodings as Keras's docs
give them."""

import numpy as np
import pytest

from gradnote import keras

L = keras.layers


def test_string_lookup_ids_mask_oov_and_invert():
    lookup = L.StringLookup(vocabulary=["a", "b", "c"])
    np.testing.assert_array_equal(lookup(np.array([["a", "c"], ["d", "b"]])).data, [[1, 3], [0, 2]])
    assert lookup.get_vocabulary() == ["[UNK]", "a", "b", "c"] and lookup.vocabulary_size() == 4
    masked = L.StringLookup(vocabulary=["a", "b"], mask_token="")
    np.testing.assert_array_equal(masked(np.array(["", "b", "zz"])).data, [0, 3, 1])
    inverse = L.StringLookup(vocabulary=["a", "b", "c"], invert=True)
    assert inverse(np.array([[1, 3], [0, 2]])).tolist() == [["a", "c"], ["[UNK]", "b"]]
    two = L.StringLookup(vocabulary=["a"], num_oov_indices=2)
    ids = two(np.array(["x", "y", "x", "a"])).data
    assert ids[3] == 2 and set(ids[:3]) <= {0, 1} and ids[0] == ids[2]  # the same OOV value, the same bucket
    adapted = L.StringLookup(max_tokens=3)
    adapted.adapt(np.array([["b", "b", "c"], ["c", "b", "a"]]))
    assert adapted.get_vocabulary() == ["[UNK]", "b", "c"]
    again = L.StringLookup(**lookup.get_config())
    np.testing.assert_array_equal(again(np.array(["c"])).data, [3])
    with pytest.raises(ValueError, match="StringLookup: 'x' is not in the vocabulary"):
        L.StringLookup(vocabulary=["a"], num_oov_indices=0)(np.array(["x"]))


def test_lookup_output_modes():
    lookup = L.StringLookup(vocabulary=["a", "b", "c"], output_mode="one_hot")
    np.testing.assert_array_equal(lookup(np.array(["a", "z"])).data, [[0, 1, 0, 0], [1, 0, 0, 0]])
    multi = L.StringLookup(vocabulary=["a", "b", "c"], output_mode="multi_hot")
    np.testing.assert_array_equal(multi(np.array([["a", "a", "c"], ["b", "z", "z"]])).data,
                                  [[0, 1, 0, 1], [1, 0, 1, 0]])
    count = L.IntegerLookup(vocabulary=[12, 36, 1138], output_mode="count")
    np.testing.assert_array_equal(count(np.array([[12, 12, 1138], [42, 36, 42]])).data,
                                  [[0, 2, 0, 1], [2, 0, 1, 0]])
    tfidf = L.StringLookup(vocabulary=["a", "b"], output_mode="tf_idf", idf_weights=[0.5, 0.25])
    np.testing.assert_allclose(tfidf(np.array([["a", "a", "z"]])).data, [[0.375, 1.0, 0.0]])  # OOV: mean idf
    padded = L.StringLookup(vocabulary=["a"], output_mode="multi_hot", max_tokens=5, pad_to_max_tokens=True)
    assert padded(np.array([["a"]])).shape == (1, 5)


def test_integer_lookup():
    lookup = L.IntegerLookup(vocabulary=[12, 36, 1138, 42])
    np.testing.assert_array_equal(lookup(np.array([[12, 1138, 42], [42, 1000, 36]])).data, [[1, 3, 4], [4, 0, 2]])
    assert lookup.get_vocabulary()[0] == -1
    masked = L.IntegerLookup(vocabulary=[12, 36], mask_token=0)
    np.testing.assert_array_equal(masked(np.array([0, 36, 7])).data, [0, 3, 1])
    adapted = L.IntegerLookup()
    adapted.adapt(np.array([5, 7, 7, 5, 7, 9]))
    assert adapted.get_vocabulary() == [-1, 7, 5, 9]


def test_category_encoding():
    np.testing.assert_array_equal(L.CategoryEncoding(num_tokens=4, output_mode="one_hot")(np.array([3, 2, 0, 1])).data,
                                  np.eye(4)[[3, 2, 0, 1]])
    np.testing.assert_array_equal(L.CategoryEncoding(4)(np.array([[0, 1], [0, 0], [1, 2], [3, 1]])).data,
                                  [[1, 1, 0, 0], [1, 0, 0, 0], [0, 1, 1, 0], [0, 1, 0, 1]])
    counted = L.CategoryEncoding(4, output_mode="count")(np.array([[0, 1], [0, 0]]), count_weights=np.array(
        [[0.1, 0.2], [0.1, 0.4]]))
    np.testing.assert_allclose(counted.data, [[0.1, 0.2, 0, 0], [0.5, 0, 0, 0]])
    with pytest.raises(ValueError, match=r"CategoryEncoding: ids must lie in \[0, 4\)"):
        L.CategoryEncoding(4)(np.array([4]))


def test_hashing_and_discretization():
    h = L.Hashing(num_bins=3)
    out = h(np.array([["A"], ["B"], ["C"], ["A"]])).data
    assert out.shape == (4, 1) and out.min() >= 0 and out.max() < 3 and out[0, 0] == out[3, 0]
    np.testing.assert_array_equal(L.Hashing(num_bins=3)(np.array([["A"], ["B"]])).data, out[:2])  # stable
    masked = L.Hashing(num_bins=3, mask_value="")(np.array(["", "A", "B", "C"])).data
    assert masked[0] == 0 and np.all(masked[1:] >= 1)
    assert L.Hashing(num_bins=4, output_mode="one_hot")(np.array(["A"])).shape == (1, 4)
    d = L.Discretization(bin_boundaries=[0.0, 1.0, 2.0])
    np.testing.assert_array_equal(d(np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]])).data,
                                  [[0, 2, 3, 1], [1, 3, 2, 1]])
    q = L.Discretization(num_bins=4)
    q.adapt(np.arange(100.0))
    np.testing.assert_allclose(q.bin_boundaries, np.quantile(np.arange(100.0), [0.25, 0.5, 0.75]))
    assert L.Discretization(**q.get_config()).bin_boundaries == q.bin_boundaries
    np.testing.assert_array_equal(L.Discretization([0.0], output_mode="one_hot")(np.array([-1.0, 1.0])).data,
                                  [[1, 0], [0, 1]])
