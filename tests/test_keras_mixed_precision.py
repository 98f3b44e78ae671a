"""keras.mixed_precision: float32 accepted, mixed policies refused with the reason."""

import pytest

from gradnote import keras


def test_float32_policy_is_accepted_and_mixed_refused():
    keras.mixed_precision.set_global_policy("float32")
    assert keras.mixed_precision.global_policy().compute_dtype == "float32"
    keras.mixed_precision.set_global_policy(keras.mixed_precision.Policy("float32"))
    for name in ("mixed_float16", "mixed_bfloat16", "float16"):
        with pytest.raises(ValueError, match=f"policy '{name}' is not supported"):
            keras.mixed_precision.set_global_policy(name)
    assert keras.mixed_precision.global_policy().name == "float32"
