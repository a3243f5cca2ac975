"""The pixel size of an image from its first bytes (PNG, JPEG, GIF, BMP, WebP), without decoding it."""

from __future__ import annotations

import struct
from typing import IO

HEAD_BYTES = 1 << 16  # enough for a JPEG's frame header after the usual EXIF and ICC segments


def image_size(stream: IO[bytes]) -> tuple[int, int] | None:
    """(width, height), or None when the format is not known or the header is damaged."""
    head = stream.read(32)
    if head.startswith(b"\x89PNG\r\n\x1a\n") and len(head) >= 24:
        w, h = struct.unpack(">II", head[16:24])
        return _sane(w, h)
    if head[:6] in (b"GIF87a", b"GIF89a") and len(head) >= 10:
        w, h = struct.unpack("<HH", head[6:10])
        return _sane(w, h)
    if head.startswith(b"BM") and len(head) >= 26:
        w, h = struct.unpack("<ii", head[18:26])
        return _sane(w, abs(h))
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _webp(head)
    if head.startswith(b"\xff\xd8"):
        return _jpeg(head + stream.read(HEAD_BYTES))
    return None


def _sane(w: int, h: int) -> tuple[int, int] | None:
    return (w, h) if 0 < w < 1 << 20 and 0 < h < 1 << 20 else None


def _webp(head: bytes) -> tuple[int, int] | None:
    chunk = head[12:16]
    if chunk == b"VP8 " and len(head) >= 30:
        w, h = struct.unpack("<HH", head[26:30])
        return _sane(w & 0x3FFF, h & 0x3FFF)
    if chunk == b"VP8L" and len(head) >= 25:
        bits = int.from_bytes(head[21:25], "little")
        return _sane((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8X" and len(head) >= 30:
        return _sane(int.from_bytes(head[24:27], "little") + 1, int.from_bytes(head[27:30], "little") + 1)
    return None


def _jpeg(data: bytes) -> tuple[int, int] | None:
    """Walk the JPEG's segments to the first start-of-frame marker (SOF0..SOF15 but DHT, JPG and DAC)."""
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if pos + 9 > len(data):
                return None
            h, w = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return _sane(w, h)
        pos += 2 + length
    return None
