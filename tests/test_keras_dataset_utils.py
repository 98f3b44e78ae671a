"""keras.utils datasets (timeseries, image and text folders) and image files, against direct references."""

import numpy as np
import pytest
from PIL import Image

import gradnote as gn
from gradnote import keras

U = keras.utils


def _windows(data, targets, length, stride, rate, start, end):
    xs, ys = [], []
    s = start
    while s + (length - 1) * rate < end and (targets is None or s < len(targets)):
        xs.append(data[s:s + (length - 1) * rate + 1:rate])
        ys.append(None if targets is None else targets[s])
        s += stride
    return np.array(xs), np.array(ys)


@pytest.mark.parametrize("length, stride, rate, start, end", [(5, 1, 1, None, None), (3, 2, 3, 2, 37),
                                                             (4, 3, 2, 5, None)])
def test_timeseries_windows_and_targets_match_a_direct_loop(length, stride, rate, start, end):
    data = np.arange(40.0).reshape(40, 1) * 10
    targets = np.arange(40) + 100
    ds = U.timeseries_dataset_from_array(data, targets, sequence_length=length, sequence_stride=stride,
                                         sampling_rate=rate, batch_size=4, start_index=start, end_index=end)
    xs, ys = zip(*ds)
    ref_x, ref_y = _windows(data, targets, length, stride, rate, start or 0, end or 40)
    np.testing.assert_array_equal(np.concatenate(xs), ref_x)
    np.testing.assert_array_equal(np.concatenate(ys), ref_y)
    assert len(ds) == -(-len(ref_x) // 4)


def test_timeseries_shuffle_reorders_every_epoch_and_trains():
    data = np.arange(30.0)
    ds = U.timeseries_dataset_from_array(data, None, sequence_length=3, batch_size=100, shuffle=True, seed=0)
    first = next(iter(ds))
    ds.on_epoch_end()
    second = next(iter(ds))
    assert sorted(first[:, 0].tolist()) == sorted(second[:, 0].tolist()) == list(range(28))
    assert first[:, 0].tolist() != second[:, 0].tolist()
    np.testing.assert_array_equal(first[:, 1] - first[:, 0], 1)
    gn.manual_seed(0)
    x = np.sin(np.arange(200) / 5).astype(np.float32)[:, None]
    train = U.timeseries_dataset_from_array(x[:-1], x[8:], sequence_length=8, batch_size=16, shuffle=True, seed=1)
    model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    hist = model.fit(train, epochs=5, verbose=0)
    assert hist.history["loss"][-1] < 0.5 * hist.history["loss"][0]
    with pytest.raises(ValueError, match="sequence_length must be a positive int, got 0"):
        U.timeseries_dataset_from_array(data, None, sequence_length=0)


@pytest.fixture
def image_folder(tmp_path):
    rng = np.random.default_rng(0)
    for c, n in (("b_dogs", 4), ("a_cats", 6)):
        (tmp_path / c).mkdir()
        for i in range(n):
            Image.fromarray(rng.integers(0, 255, (12, 10, 3), dtype=np.uint8)).save(tmp_path / c / f"{i}.png")
    (tmp_path / "a_cats" / "notes.txt").write_text("not an image")
    return tmp_path


def test_image_dataset_labels_modes_and_images(image_folder, capsys):
    ds = U.image_dataset_from_directory(image_folder, image_size=(12, 10), batch_size=4, shuffle=False)
    assert "Found 10 files belonging to 2 classes." in capsys.readouterr().out
    assert ds.class_names == ["a_cats", "b_dogs"] and len(ds) == 3
    x, y = zip(*ds)
    x, y = np.concatenate(x), np.concatenate(y)
    assert x.shape == (10, 12, 10, 3) and x.dtype == np.float32 and y.dtype == np.int32
    np.testing.assert_array_equal(y, [0] * 6 + [1] * 4)
    np.testing.assert_array_equal(x[0], np.asarray(Image.open(image_folder / "a_cats" / "0.png"), np.float32))
    cat = U.image_dataset_from_directory(image_folder, label_mode="categorical", image_size=(6, 5), batch_size=20,
                                         shuffle=False, color_mode="grayscale", verbose=False)
    xc, yc = next(iter(cat))
    assert xc.shape == (10, 6, 5, 1) and yc.shape == (10, 2) and yc.sum() == 10
    small = keras.ops.image.resize(U.img_to_array(U.load_img(image_folder / "a_cats" / "0.png",
                                                             color_mode="grayscale")), (6, 5))
    np.testing.assert_allclose(xc[0], small.data, rtol=1e-6)
    binary = U.image_dataset_from_directory(image_folder, label_mode="binary", image_size=(4, 4), verbose=False,
                                            shuffle=False)
    assert next(iter(binary))[1].shape == (10, 1)
    bare = U.image_dataset_from_directory(image_folder, labels=None, image_size=(4, 4), verbose=False)
    assert next(iter(bare)).shape == (10, 4, 4, 3)


def test_image_dataset_split_is_disjoint_repeatable_and_fits(image_folder):
    train, val = U.image_dataset_from_directory(image_folder, image_size=(8, 8), batch_size=3, seed=7,
                                                validation_split=0.3, subset="both", verbose=False)
    again = U.image_dataset_from_directory(image_folder, image_size=(8, 8), seed=7, validation_split=0.3,
                                           subset="validation", verbose=False)
    assert len(train.file_paths) == 7 and len(val.file_paths) == 3
    assert not set(train.file_paths) & set(val.file_paths) and again.file_paths == val.file_paths
    model = keras.Sequential([keras.layers.Rescaling(1 / 255), keras.layers.Flatten(), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    hist = model.fit(train.prefetch(2).cache(), validation_data=val, epochs=2, verbose=0)
    assert len(hist.history["val_accuracy"]) == 2 and model.predict(val).shape == (3, 2)
    scaled = train.map(lambda x, y: (x / 255.0, y)).take(1)
    assert len(scaled) == 1 and next(iter(scaled))[0].max() <= 1.0
    with pytest.raises(ValueError, match="pass seed="):
        U.image_dataset_from_directory(image_folder, validation_split=0.2, subset="training")
    with pytest.raises(ValueError, match="subset must be 'training', 'validation' or 'both'"):
        U.image_dataset_from_directory(image_folder, validation_split=0.2, subset="test", seed=1)
    with pytest.raises(ValueError, match="label_mode='binary' needs exactly 2 classes, found 3"):
        (image_folder / "c_birds").mkdir()
        Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(image_folder / "c_birds" / "0.png")
        U.image_dataset_from_directory(image_folder, label_mode="binary", verbose=False)


def test_text_dataset_from_directory(tmp_path):
    for c, texts in (("neg", ["bad film", "awful"]), ("pos", ["great", "loved it", "fine"])):
        (tmp_path / c).mkdir()
        for i, t in enumerate(texts):
            (tmp_path / c / f"{i}.txt").write_text(t)
    ds = U.text_dataset_from_directory(tmp_path, batch_size=10, shuffle=False, max_length=5, verbose=False)
    x, y = next(iter(ds))
    assert x.tolist() == ["bad f", "awful", "great", "loved", "fine"] and y.tolist() == [0, 0, 1, 1, 1]
    assert ds.class_names == ["neg", "pos"]


def test_image_files_round_trip(tmp_path):
    x = np.random.default_rng(1).integers(0, 255, (5, 7, 3)).astype(np.float32)
    U.save_img(tmp_path / "a.png", x, scale=False)
    img = U.load_img(tmp_path / "a.png")
    np.testing.assert_array_equal(U.img_to_array(img), x)
    assert U.img_to_array(img, data_format="channels_first").shape == (3, 5, 7)
    assert U.img_to_array(U.load_img(tmp_path / "a.png", target_size=(10, 14))).shape == (10, 14, 3)
    assert U.img_to_array(U.load_img(tmp_path / "a.png", color_mode="grayscale")).shape == (5, 7, 1)
    scaled = U.img_to_array(U.array_to_img(x / 255.0 * 2 + 1))
    assert scaled.min() == 0 and scaled.max() == 255
    with pytest.raises(ValueError, match="color_mode must be one of"):
        U.load_img(tmp_path / "a.png", color_mode="cmyk")


def test_plot_model_names_what_it_needs():
    with pytest.raises(ImportError, match="plot_model needs pydot and graphviz"):
        U.plot_model(keras.Sequential([keras.layers.Dense(1)]), to_file="m.png")


def test_utils_spell_the_saving_registry():
    assert U.register_keras_serializable is keras.saving.register_keras_serializable
    assert U.get_registered_object is keras.saving.get_registered_object
