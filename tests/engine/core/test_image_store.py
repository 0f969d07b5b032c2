"""The image store: ids name pixels, every read is verified, writes are durable or explicitly deferred."""
import hashlib
import io
import os
import time

import numpy as np
import pytest
from PIL import Image

import engine.store_io as store_io
from engine.errors import StoreCorruptError, StoreIntegrityError
from engine.image_store import ImageStore
from engine.images import to_png_bytes


def _img(seed=0, h=48, w=64):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def _mask(h=48, w=64):
    m = np.zeros((h, w), bool)
    m[10:30, 5:40] = True
    return m


def test_ids_are_the_documented_pixel_hash_for_images_and_masks(tmp_path):
    store = ImageStore(tmp_path)
    img, mask = _img(), _mask()
    assert store.put(img) == hashlib.sha256(b"brushedit-pixels-v1 rgb8 48x64\n" + img.tobytes()).hexdigest()
    assert store.put(mask) == hashlib.sha256(b"brushedit-pixels-v1 mask 48x64\n" + mask.tobytes()).hexdigest()
    # the same pixels give the same id in any layout (a Fortran-ordered or sliced copy)
    assert store.put(np.asfortranarray(img)) == store.put(img[:, :].copy())


def test_put_then_get_neither_decodes_nor_copies_and_arrays_are_read_only(tmp_path):
    store = ImageStore(tmp_path)
    img = _img()
    image_id = store.put(img)
    decodes, copies = store.stats.counts.get("decode_s", 0), store.stats.counts.get("copy_s", 0)
    got = store.get_image(image_id)
    assert got is store.get_image(image_id) and not got.flags.writeable
    assert store.stats.counts.get("decode_s", 0) == decodes
    img[:] = 0  # the caller's array is the caller's: the store kept its own copy
    assert np.array_equal(store.get_image(image_id, verify=True), _img())
    with pytest.raises(ValueError):
        got[0, 0] = 1
    store.put(got)  # a read-only array from the store is not copied again
    fresh = _img(13)
    store.put(fresh, copy=False)  # handed over: frozen in place
    assert store.stats.counts["copy_s"] == copies and not fresh.flags.writeable
    view = _img(14)[::2]
    store.put(view, copy=False)  # a view of a writable array is copied all the same
    assert store.stats.counts["copy_s"] == copies + 1 and view.flags.writeable


def test_a_fresh_store_reads_and_verifies_files_with_the_right_codec(tmp_path):
    first = ImageStore(tmp_path)
    img, mask = _img(1), _mask()
    i, m = first.put(img), first.put(mask)
    assert first.path(i).suffix == ".qoi" and first.path(m).suffix == ".png"
    store_io.CACHE.pop((first._key, i))
    store_io.CACHE.pop((first._key, m))
    again = ImageStore(tmp_path)
    assert np.array_equal(again.get_image(i), img) and np.array_equal(again.get_mask(m), mask)
    assert again.stats.counts["decode_s"] >= 2
    # cross-kind reads, as the PNG-only store allowed: a mask as a 0/255 image, an image as a mask
    assert np.array_equal(again.get_image(m)[..., 0], mask * np.uint8(255))
    assert again.get_mask(i).shape == mask.shape


def _legacy_put(root, array) -> str:
    """What the store wrote before pixel ids: Pillow PNG level 1, id = sha256 of the file bytes."""
    data = to_png_bytes(array)
    image_id = hashlib.sha256(data).hexdigest()
    (root / image_id[:2]).mkdir(parents=True, exist_ok=True)
    (root / image_id[:2] / f"{image_id}.png").write_bytes(data)
    return image_id


def test_legacy_png_stores_keep_loading_listing_and_exporting(tmp_path):
    img, mask = _img(2), _mask()
    i, m = _legacy_put(tmp_path, img), _legacy_put(tmp_path, mask)
    store = ImageStore(tmp_path)
    assert set(store.ids()) == {i, m} and store.exists(i)
    assert np.array_equal(store.get_image(i, verify=True), img)
    assert np.array_equal(store.get_mask(m, verify=True), mask)
    assert store.png_bytes(i) == store.path(i).read_bytes()  # a stored PNG is handed out as it is
    # putting the same pixels again stores them under their pixel id: both ids stay valid
    new = store.put(img)
    assert new != i and np.array_equal(store.get_image(new, verify=True), store.get_image(i, verify=True))
    (tmp_path / i[:2] / f"{i}.png").write_bytes(to_png_bytes(_img(3)))  # swapped for another valid PNG
    with pytest.raises(StoreCorruptError, match=i):
        store.get_image(i, verify=True)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "swapped", "flipped byte"])
def test_every_read_from_disk_is_verified_and_names_the_file(tmp_path, damage):
    store = ImageStore(tmp_path)
    image_id = store.put(_img(4))
    path = store.path(image_id)
    data = path.read_bytes()
    other = ImageStore(tmp_path / "other")
    damaged = {"garbage": b"garbage", "truncated": data[: len(data) // 2],
               "swapped": other.path(other.put(_img(5))).read_bytes(),
               "flipped byte": data[:40] + bytes([data[40] ^ 0x01]) + data[41:]}[damage]
    path.write_bytes(damaged)
    store_io.CACHE.pop((store._key, image_id))
    with pytest.raises(StoreCorruptError, match=str(path)) as err:
        ImageStore(tmp_path).get_image(image_id)  # no verify flag: a disk read is always checked
    assert "corrupt" in str(err.value) and err.value.fix


def test_a_mask_file_with_values_other_than_0_and_255_is_corrupt(tmp_path):
    store = ImageStore(tmp_path)
    mask_id = store.put(_mask())
    gray = _mask().astype(np.uint8) * 255
    gray[0, 0] = 100  # still False after thresholding, but not the stored mask's bytes
    buf = io.BytesIO()
    Image.fromarray(gray).save(buf, format="PNG")
    store.path(mask_id).write_bytes(buf.getvalue())
    with pytest.raises(StoreCorruptError, match="0 and 255"):
        store.get_mask(mask_id, verify=True)


def test_storing_existing_pixels_refreshes_the_timestamp_so_gc_spares_the_file(tmp_path):
    store = ImageStore(tmp_path)
    image_id = store.put(_img(6))
    old = time.time() - 7200
    os.utime(store.path(image_id), (old, old))
    store.put(_img(6))  # an edit re-creates an old rejected attempt's pixels
    assert store.path(image_id).stat().st_mtime > time.time() - 60
    os.utime(store.path(image_id), (old, old))
    store.touch(image_id)
    assert store.path(image_id).stat().st_mtime > time.time() - 60


def test_background_write_is_served_from_memory_then_lands_durably(tmp_path):
    store = ImageStore(tmp_path)
    img = _img(7, 256, 256)
    image_id = store.put(img, wait=False)
    assert store.exists(image_id)  # on disk or in flight
    assert np.array_equal(store.get_image(image_id), img)
    store.flush([image_id])
    assert store.path(image_id).is_file()
    assert not list(tmp_path.rglob("*.tmp"))
    store_io.CACHE.pop((store._key, image_id))
    assert np.array_equal(ImageStore(tmp_path).get_image(image_id), img)


def test_a_failed_background_write_is_reported_by_flush_and_can_be_retried(tmp_path, monkeypatch):
    store = ImageStore(tmp_path)
    calls = []

    def full_disk(target, data):
        calls.append(target)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("engine.image_store.write_durable", full_disk)
    image_id = store.put(_img(8), wait=False)
    with pytest.raises(OSError, match="No space"):
        store.flush([image_id])
    assert not store.path(image_id).exists() and calls
    with pytest.raises(OSError, match="No space"):  # a waiting put reports it too
        store.put(_img(9))
    monkeypatch.undo()
    store.flush([image_id])  # the pixels are still in memory: the retry writes them
    assert np.array_equal(store.get_image(image_id, verify=True), _img(8))


def test_memory_only_put_is_written_only_when_flushed(tmp_path):
    store = ImageStore(tmp_path)
    raw = store.put(_img(10), durable=False)  # e.g. a raw generation no judge keeps
    assert not store.exists(raw) and np.array_equal(store.get_image(raw), _img(10))
    store.flush([raw])
    assert store.exists(raw) and np.array_equal(store.get_image(raw, verify=True), _img(10))
    gone = store.put(_img(11), durable=False)
    store_io.CACHE.pop((store._key, gone))
    with pytest.raises(StoreIntegrityError, match="memory only"):
        store.get_image(gone)
    with pytest.raises(StoreIntegrityError, match="neither on disk"):
        store.flush([gone])
    with pytest.raises(StoreIntegrityError) as err:
        store.get_image("0" * 64)
    assert "not in the store" in err.value.message and "durable=False" not in err.value.message


def test_cache_is_bounded_in_bytes_but_keeps_writes_in_flight(tmp_path, monkeypatch):
    cache = store_io.ArrayCache(max_bytes=3 * 48 * 64 * 3)
    monkeypatch.setattr("engine.image_store.CACHE", cache)
    store = ImageStore(tmp_path)
    ids = [store.put(_img(20 + k)) for k in range(6)]
    assert cache.get((store._key, ids[0])) is None and cache.get((store._key, ids[-1])) is not None
    cache.put(("x", "pinned"), _img(30), "image", pin=True)
    for k in range(6):
        store.put(_img(40 + k))
    assert cache.get(("x", "pinned")) is not None
    assert np.array_equal(store.get_image(ids[0]), _img(20))  # evicted: read back from disk


def test_png_export_is_a_real_png_of_the_pixels(tmp_path):
    store = ImageStore(tmp_path)
    img, mask = _img(12), _mask()
    out = store.export_png(store.put(img), tmp_path / "out" / "v1.png")
    with Image.open(out) as png:
        assert png.format == "PNG" and np.array_equal(np.asarray(png.convert("RGB")), img)
    with Image.open(io.BytesIO(store.png_bytes(store.put(mask)))) as png:
        assert png.format == "PNG" and np.array_equal(np.asarray(png) > 127, mask)


@pytest.mark.parametrize("bad", [np.zeros((4, 4), np.uint8), np.zeros((4, 4, 4), np.uint8),
                                 np.zeros((4, 4, 3), np.float32), "not an array"])
def test_put_refuses_what_is_neither_image_nor_mask(tmp_path, bad):
    with pytest.raises(StoreIntegrityError, match="uint8"):
        ImageStore(tmp_path).put(bad)
