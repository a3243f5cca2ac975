"""Media files: which uploads are media (by extension), and what a stored file really is (from its bytes).

The type a media file is served with comes from its first bytes, never from its name or the uploader: a file
named `cat.png` holding HTML is served as `application/octet-stream`, and only the types in `INLINE` are
shown in the page (images, audio, video); anything else is a download."""

from __future__ import annotations

IMAGE, AUDIO, VIDEO = "image", "audio", "video"
MEDIA_EXTENSIONS: dict[str, str] = {
    **dict.fromkeys((".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".svg"), IMAGE),
    **dict.fromkeys((".mp3", ".wav", ".ogg", ".oga", ".opus", ".flac", ".m4a", ".aac"), AUDIO),
    **dict.fromkeys((".mp4", ".webm", ".mov", ".m4v"), VIDEO),
}
INLINE = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/bmp",
        "image/tiff",
        "audio/mpeg",
        "audio/wav",
        "audio/ogg",
        "audio/flac",
        "audio/mp4",
        "audio/aac",
        "video/mp4",
        "video/webm",
        "video/quicktime",
    }
)
OCTET = "application/octet-stream"
SNIFF_BYTES = 512


def media_kind(filename: str) -> str | None:
    """ "image", "audio" or "video" for a media file name, None for anything else (task files)."""
    dot = filename.rfind(".")
    return MEDIA_EXTENSIONS.get(filename[dot:].lower()) if dot >= 0 else None


def sniff(head: bytes) -> str:
    """The content type of a file from its first bytes (`SNIFF_BYTES` are enough); OCTET when unknown."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"BM") and len(head) > 14:
        return "image/bmp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06):
        return "audio/mpeg"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B "):
            return "audio/mp4"
        return "video/quicktime" if brand == b"qt  " else "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    text = head.lstrip().lower()
    if (text.startswith(b"<?xml") or text.startswith(b"<svg")) and b"<svg" in text:
        return "image/svg+xml"  # served as a download in a sandbox: an SVG can carry script
    return OCTET
