"""Photos are judged by their content and kept without their metadata."""

import io

import pytest
from PIL import Image

from yishi import photos


def image_bytes(fmt: str = "PNG", size=(40, 30), mode="RGB", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (200, 30, 30) if mode == "RGB" else None).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def jpeg_with_exif(orientation: int, size=(40, 20)) -> bytes:
    image = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (34.0, 29.0, 50.0)}  # GPS info
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_jpeg_png_and_webp_photos_are_accepted_in_their_own_format(fmt):
    prepared = photos.prepare_photo(image_bytes(fmt), "photo")
    assert Image.open(io.BytesIO(prepared.content)).format == fmt
    assert (prepared.width, prepared.height) == (40, 30)


def test_a_gif_is_refused_even_though_it_is_an_image():
    with pytest.raises(photos.PhotoRefused, match=r"animation\.gif"):
        photos.prepare_photo(image_bytes("GIF"), "animation.gif")


def test_a_text_file_named_like_a_photo_is_refused_by_its_content():
    with pytest.raises(photos.PhotoRefused, match=r"fake\.jpg"):
        photos.prepare_photo(b"<html>not a picture</html>", "fake.jpg")


def test_a_truncated_photo_is_refused_even_after_weasyprint_relaxed_pillow():
    import weasyprint  # noqa: F401 - importing it makes Pillow load truncated images

    data = image_bytes("JPEG", size=(300, 300))
    with pytest.raises(photos.PhotoRefused):
        photos.prepare_photo(data[: len(data) // 2], "broken.jpg")


def test_a_photo_over_five_megabytes_is_refused_before_it_is_opened():
    with pytest.raises(photos.PhotoRefused, match="5 MB"):
        photos.prepare_photo(b"\xff\xd8" + b"0" * photos.MAX_PHOTO_BYTES, "huge.jpg")


def test_an_empty_upload_is_refused():
    with pytest.raises(photos.PhotoRefused):
        photos.prepare_photo(b"", "empty.png")


def test_exif_is_removed_after_turning_the_photo_upright():
    prepared = photos.prepare_photo(jpeg_with_exif(orientation=6), "rotated.jpg")
    kept = Image.open(io.BytesIO(prepared.content))
    assert kept.size == (20, 40)  # orientation 6: turned a quarter
    assert not kept.getexif()
    assert "exif" not in kept.info


def test_text_chunks_and_colour_profiles_of_a_png_are_not_kept():
    from PIL import ImageCms, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "taken at 3-2-502")
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = image_bytes("PNG", pnginfo=info, icc_profile=profile)
    kept = Image.open(io.BytesIO(photos.prepare_photo(data, "a.png").content))
    assert "Comment" not in kept.info and "icc_profile" not in kept.info


def test_a_large_photo_is_shrunk_to_the_longest_side():
    prepared = photos.prepare_photo(image_bytes("JPEG", size=(4096, 1024)), "wide.jpg")
    assert (prepared.width, prepared.height) == (2048, 512)


def test_a_sixth_photo_is_refused():
    uploads = [photos.Upload(f"{i}.png", image_bytes()) for i in range(6)]
    with pytest.raises(photos.PhotoRefused, match="5"):
        photos.prepare_photos(uploads)
    assert len(photos.prepare_photos(uploads[:5])) == 5


def test_stored_photos_get_random_names_inside_their_folder(tmp_path):
    stored = photos.store_photos([photos.prepare_photo(image_bytes(), "x.png")] * 2, tmp_path, "proposals")
    assert stored[0].path != stored[1].path
    for photo in stored:
        assert photo.path.startswith("proposals/") and photo.path.endswith(".png")
        assert photos.stored_path(tmp_path, photo.path).is_file()
    photos.discard(stored, tmp_path)
    assert not photos.stored_path(tmp_path, stored[0].path).exists()


def test_a_stored_path_cannot_leave_the_uploads_folder(tmp_path):
    assert photos.stored_path(tmp_path, "../secret_key") is None
    assert photos.stored_path(tmp_path, "proposals/../../yishi.sqlite3") is None


def _png(width: int, height: int) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 180, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_picture_with_too_many_pixels_is_refused_from_its_header():
    from yishi import photos

    data = _png(7000, 7000)  # 49 megapixels in about 150 KB
    assert len(data) < 1024 * 1024
    with pytest.raises(photos.PhotoRefused, match="像素过多"):
        photos.prepare_photo(data, "huge.png")


async def test_decoding_a_large_picture_does_not_hold_other_requests():
    import asyncio

    from yishi import photos

    data = _png(4000, 4000)  # the largest PNG accepted
    ticks = 0

    async def other_requests() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    ticker = asyncio.create_task(other_requests())
    await asyncio.sleep(0)
    prepared = await photos.off_loop(photos.prepare_photo, data, "big.png")
    ticker.cancel()
    assert prepared.width == photos.MAX_SIDE and ticks > 3
