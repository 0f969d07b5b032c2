"""engine.images: EXIF orientation, every PIL mode -> uint8 RGB, working size, masks back to original size."""
import io

import numpy as np
import pytest
from PIL import Image

from engine import masks as M
from engine.errors import BadImageError, BadMaskError
from engine.images import load_image, load_mask, resize_image, resize_mask, to_png_bytes, working_size

RED, BLUE = (255, 0, 0), (0, 0, 255)


def encode(img: Image.Image, fmt="PNG", **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def marked(w=6, h=4) -> Image.Image:
    """Blue image with a red top-left pixel, stored un-rotated."""
    img = Image.new("RGB", (w, h), BLUE)
    img.putpixel((0, 0), RED)
    return img


@pytest.mark.parametrize("orientation, shape, red_at", [
    (1, (4, 6), (0, 0)), (3, (4, 6), (3, 5)), (6, (6, 4), (0, 3)), (8, (6, 4), (5, 0)),
])
def test_exif_orientation_is_applied(orientation, shape, red_at):
    img = marked()
    exif = img.getexif()
    exif[0x0112] = orientation
    out = load_image(encode(img, exif=exif.tobytes()))
    assert out.shape == (*shape, 3) and out.dtype == np.uint8
    assert tuple(out[red_at]) == RED and (out == RED).all(axis=2).sum() == 1


def test_mask_files_follow_exif_orientation_too():
    img = Image.new("L", (6, 4), 0)
    img.putpixel((0, 0), 255)
    exif = img.getexif()
    exif[0x0112] = 6
    mask = load_mask(encode(img, exif=exif.tobytes()), size=(4, 6))
    assert mask.shape == (6, 4) and mask[0, 3] and mask.sum() == 1


def test_alpha_modes_are_composited_on_white():
    rgba = Image.new("RGBA", (3, 1))
    rgba.putdata([(255, 0, 0, 255), (255, 0, 0, 0), (0, 0, 0, 128)])
    out = load_image(encode(rgba))
    assert tuple(out[0, 0]) == RED and tuple(out[0, 1]) == (255, 255, 255) and 125 <= out[0, 2, 0] <= 129
    la = Image.new("LA", (2, 1))
    la.putdata([(0, 255), (0, 0)])
    assert load_image(encode(la))[0].tolist() == [[0, 0, 0], [255, 255, 255]]


def test_palette_with_and_without_transparency():
    p = Image.new("P", (2, 1))
    p.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    p.putdata([0, 1])
    assert load_image(encode(p))[0].tolist() == [list(RED), list(BLUE)]
    assert load_image(encode(p, transparency=1))[0].tolist() == [list(RED), [255, 255, 255]]


def test_cmyk_grayscale_bilevel_and_16_bit():
    assert tuple(load_image(encode(Image.new("CMYK", (2, 2), (0, 255, 255, 0)), "JPEG", quality=100))[0, 0]) in {
        (255, 0, 0), (254, 0, 0), (255, 0, 1), (254, 0, 1)}
    assert tuple(load_image(encode(Image.new("CMYK", (2, 2), (0, 255, 255, 0)), "TIFF"))[0, 0]) == RED
    gray = load_image(encode(Image.new("L", (2, 2), 77)))
    assert gray.shape == (2, 2, 3) and (gray == 77).all()
    assert (load_image(encode(Image.new("1", (2, 2), 1))) == 255).all()
    deep = np.array([[0, 32768, 65535, 200]], np.uint16)  # 16-bit PNG: scaled, not clipped
    assert load_image(encode(Image.fromarray(deep)))[0, :, 0].tolist() == [0, 128, 255, 1]


def test_unreadable_or_missing_files_are_bad_image_errors(tmp_path):
    with pytest.raises(BadImageError, match="not a readable image"):
        load_image(b"definitely not an image")
    with pytest.raises(BadImageError, match="not found"):
        load_image(tmp_path / "absent.png")


@pytest.mark.parametrize("size, short, expected", [
    ((600, 400), 640, (960, 640)), ((400, 600), 640, (640, 960)), ((1000, 333), 640, (1920, 640)),
    ((4000, 3000), 640, (856, 640)), ((640, 640), 640, (640, 640)), ((601, 397), 512, (776, 512)),
])
def test_working_size_short_side_and_multiples_of_8(size, short, expected):
    w, h = working_size(*size, short_side=short)
    assert (w, h) == expected and w % 8 == 0 and h % 8 == 0 and min(w, h) == short


def test_working_size_rejects_empty_images():
    with pytest.raises(BadImageError):
        working_size(0, 10)


@pytest.mark.parametrize("size", [(600, 400), (601, 397), (1000, 333), (4000, 3000), (641, 640)])
def test_masks_map_back_to_the_original_size_exactly(size):
    w, h = size
    box = (w * 0.3, h * 0.2, w * 0.25, h * 0.5)
    original = M.box_mask((h, w), box)
    work = working_size(w, h)
    back = resize_mask(resize_mask(original, work), (w, h))
    assert back.shape == (h, w) and back.dtype == bool
    step = max(1, int(np.ceil(max(w / work[0], h / work[1]))))  # edges move by less than one working pixel
    assert np.array_equal(M.erode(original, step) & back, M.erode(original, step))
    assert not (back & ~M.dilate(original, step)).any()
    if work[0] >= w:  # upscaled working image: the round trip is lossless
        assert np.array_equal(back, original)


def test_resize_image_and_png_round_trip_keep_types():
    img = np.random.default_rng(0).integers(0, 256, (40, 60, 3), dtype=np.uint8)
    big = resize_image(img, (96, 64))
    assert big.shape == (64, 96, 3) and big.dtype == np.uint8
    assert np.array_equal(load_image(to_png_bytes(img)), img)
    mask = img[..., 0] > 128
    assert np.array_equal(load_mask(to_png_bytes(mask)), mask)
    with pytest.raises(BadMaskError, match="same size"):
        load_mask(to_png_bytes(mask), size=(10, 10))
