"""Evidence is judged by its content: photos are re-encoded without metadata, PDFs by signature."""

import io

import pytest
from PIL import Image

from yishi import i18n
from yishi.actions import evidence


def jpeg_with_gps(width=64, height=32, orientation=1) -> bytes:
    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (34.0, 30.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_a_photo_is_reencoded_without_any_metadata():
    prepared = evidence.prepare(jpeg_with_gps(), "IMG_0001.jpg")
    assert prepared.kind == evidence.IMAGE and prepared.suffix == ".jpg"
    with Image.open(io.BytesIO(prepared.content)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
    assert b"PhoneMaker" not in prepared.content


def test_a_photo_taken_sideways_is_turned_upright():
    prepared = evidence.prepare(jpeg_with_gps(64, 32, orientation=6), "side.jpg")
    assert (prepared.width, prepared.height) == (32, 64)


def test_a_pdf_is_recognised_by_its_signature_whatever_its_name():
    prepared = evidence.prepare(b"%PDF-1.7\n...\n%%EOF", "invoice.jpg")
    assert prepared.kind == evidence.PDF and prepared.suffix == ".pdf"
    assert evidence.media_type("actions/1/x.pdf") == "application/pdf"
    assert evidence.media_type("actions/1/x.jpg") == "image/jpeg"


def test_a_file_that_is_neither_a_photo_nor_a_pdf_is_refused_with_its_name():
    with i18n.language("en"), pytest.raises(evidence.EvidenceRefused, match=r"photo\.jpg is neither"):
        evidence.prepare(b"MZ\x90\x00 not an image", "photo.jpg")


def test_where_only_photos_are_accepted_a_pdf_is_refused():
    with pytest.raises(evidence.EvidenceRefused):
        evidence.prepare(b"%PDF-1.4 ...", "a.pdf", allow_pdf=False)
    with i18n.language("en"), pytest.raises(evidence.EvidenceRefused, match="not a JPEG, PNG or WebP"):
        evidence.prepare(b"plain text", "a.jpg", allow_pdf=False)


def test_empty_and_oversized_files_are_refused():
    with pytest.raises(evidence.EvidenceRefused):
        evidence.prepare(b"", "empty.jpg")
    with i18n.language("en"), pytest.raises(evidence.EvidenceRefused, match="10 MB"):
        evidence.prepare(b"%PDF-" + b"0" * evidence.MAX_PDF_BYTES, "big.pdf")


def test_a_tiff_or_an_svg_is_not_taken_as_a_photo():
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="TIFF")
    with pytest.raises(evidence.EvidenceRefused):
        evidence.prepare(out.getvalue(), "scan.tif")
    with pytest.raises(evidence.EvidenceRefused):
        evidence.prepare(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "x.svg")


def test_stored_files_are_read_back_and_never_from_outside_the_uploads(tmp_path):
    stored = evidence.store(evidence.prepare(jpeg_with_gps(), "a.jpg"), tmp_path, "actions/1")
    assert evidence.open_stored(tmp_path, stored.path).startswith(b"\xff\xd8")
    (tmp_path.parent / "secret.txt").write_text("x")
    assert evidence.open_stored(tmp_path, "../secret.txt") is None
    evidence.remove(tmp_path, [stored])
    assert evidence.open_stored(tmp_path, stored.path) is None


def test_a_shown_file_name_has_no_folders_or_control_characters():
    prepared = evidence.prepare(b"%PDF-1.4", "C:\\Users\\王\\报价单\x00.pdf")
    assert prepared.name == "报价单.pdf"
