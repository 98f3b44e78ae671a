"""Keras 2's ``keras.preprocessing.image``: the image file helpers of keras.utils under their old home.

    from gradnote.keras.preprocessing import image
    x = image.img_to_array(image.load_img("cat.jpg", target_size=(64, 64)))   # (64, 64, 3) float32
"""

from ..image_utils import array_to_img, img_to_array, load_img, save_img  # noqa: F401

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img"]
