"""`image_size` reads the pixel size from an image's first bytes; Pillow writes the images and is the oracle."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tessera.io.image_size import image_size


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "BMP", "WEBP"])
@pytest.mark.parametrize("size", [(1, 1), (640, 480), (37, 1201)])
def test_the_size_matches_pillow(fmt: str, size: tuple[int, int]) -> None:
    buf = io.BytesIO()
    extra = {"exif": Image.Exif()} if fmt == "JPEG" else {}
    Image.new("RGB", size, (200, 30, 30)).save(buf, fmt, **extra)
    buf.seek(0)
    assert image_size(buf) == Image.open(io.BytesIO(buf.getvalue())).size == size


def test_a_jpeg_with_a_big_exif_block_before_its_frame() -> None:
    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x010E] = "x" * 30000  # ImageDescription
    Image.new("RGB", (123, 45)).save(buf, "JPEG", exif=exif)
    assert image_size(io.BytesIO(buf.getvalue())) == (123, 45)


@pytest.mark.parametrize(
    "data", [b"", b"not an image", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0\x00\x10JFIF", b"GIF89a\x00\x00\x00\x00"]
)
def test_unknown_or_damaged_headers_have_no_size(data: bytes) -> None:
    assert image_size(io.BytesIO(data)) is None
