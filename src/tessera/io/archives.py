"""ZIP archives of import files: each entry is read as a file of its own, after the whole archive is checked.

Checked before any entry is read, so that a bad archive imports nothing: entry names that would escape a
folder (`..` segments, absolute or drive paths, backslashes), more than `MAX_ENTRIES` files, and zip bombs —
an entry that inflates more than `MAX_RATIO` times its compressed size, or entries that add up to more than
`MAX_UNPACKED_BYTES`. The sizes checked are the ones the archive declares; `zipfile` never returns more than
the declared size of an entry (and checks its CRC), so a lying header cannot inflate past the check.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from typing import IO, BinaryIO

from tessera.domain.errors import ImportFormatError

MAX_ENTRIES = 10_000
MAX_RATIO = 200  # JSON and CSV of real text compress 5-20 times; a bomb compresses thousands of times
MAX_UNPACKED_BYTES = 64 << 30
_DRIVE = re.compile(r"^[A-Za-z]:")


def is_zip_name(filename: str) -> bool:
    return filename.lower().endswith(".zip")


def _unsafe(name: str) -> bool:
    parts = name.split("/")
    return name.startswith("/") or "\\" in name or bool(_DRIVE.match(name)) or ".." in parts or "\x00" in name


def _skipped(name: str) -> bool:
    """Folders, and what archivers add beside the files (macOS resource forks, hidden files)."""
    base = name.rstrip("/").rsplit("/", 1)[-1]
    return name.endswith("/") or name.startswith("__MACOSX/") or base.startswith(".")


def zip_entries(stream: BinaryIO, filename: str) -> Iterator[tuple[str, IO[bytes]]]:
    """(display name, open entry) for each file of the archive, in archive order, once all are checked.
    A stream that cannot seek (ZIP's index is at its end) is copied to a temporary file first."""
    with tempfile.TemporaryFile(prefix="tessera-zip-") as spare:
        if not _seekable(stream):
            shutil.copyfileobj(stream, spare, 1 << 20)
            spare.seek(0)
            stream = spare
        yield from _entries(stream, filename)


def _seekable(stream: BinaryIO) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, ValueError):
        return False


def _entries(stream: BinaryIO, filename: str) -> Iterator[tuple[str, IO[bytes]]]:
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFormatError(f"not a readable ZIP archive ({exc})", filename=filename) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise ImportFormatError(f"the archive has more than {MAX_ENTRIES} entries", filename=filename)
        chosen = []
        unpacked = 0
        for info in infos:
            if _unsafe(info.filename):
                detail = f"entry {info.filename!r} has a path that leaves the archive's folder; nothing was imported"
                raise ImportFormatError(detail, filename=filename)
            if _skipped(info.filename):
                continue
            unpacked += info.file_size
            if info.file_size > 1 << 20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                detail = f"entry {info.filename!r} inflates more than {MAX_RATIO} times (a zip bomb?)"
                raise ImportFormatError(detail, filename=filename)
            if unpacked > MAX_UNPACKED_BYTES:
                detail = f"the archive unpacks to more than {MAX_UNPACKED_BYTES >> 30} GB"
                raise ImportFormatError(detail, filename=filename)
            chosen.append(info)
        if not chosen:
            raise ImportFormatError("the archive has no files", filename=filename)
        for info in chosen:
            try:
                with archive.open(info) as entry:
                    yield f"{filename}/{info.filename}", entry
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
                raise ImportFormatError(f"entry {info.filename!r} cannot be read ({exc})", filename=filename) from None
