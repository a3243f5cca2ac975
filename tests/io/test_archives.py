"""ZIP archives: every entry is imported as a file of its own, after the whole archive has been checked."""

from __future__ import annotations

import io
import zipfile

import pytest

from tessera.domain.errors import ImportFormatError
from tessera.io import archives
from tessera.io.readers import read_sources


def zip_of(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    buffer.seek(0)
    return buffer


def items(stream: io.BytesIO, name: str = "a.zip") -> list[tuple[str, dict]]:
    return [(entry, task.item) for entry, tasks in read_sources(stream, name, text_field="text") for task in tasks]


def test_entries_are_read_in_order_with_their_own_format() -> None:
    stream = zip_of({"one.jsonl": b'{"text": "a"}\n', "dir/two.txt": b"b\n", "dir/": b"", ".hidden.json": b"x"})
    assert items(stream) == [("a.zip/one.jsonl", {"text": "a"}), ("a.zip/dir/two.txt", {"text": "b"})]


@pytest.mark.parametrize("name", ["../x.jsonl", "/x.jsonl", "a/../../x.jsonl", "C:/x.jsonl", "a\\..\\x.jsonl"])
def test_an_escaping_entry_refuses_the_whole_archive(name: str) -> None:
    stream = zip_of({"fine.jsonl": b'{"text": "a"}\n', name: b'{"text": "b"}\n'})
    with pytest.raises(ImportFormatError, match="leaves the archive's folder"):
        items(stream)


def test_a_bomb_is_refused_by_its_ratio(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = zip_of({"bomb.jsonl": b" " * (50 << 20)})
    with pytest.raises(ImportFormatError, match="zip bomb"):
        items(stream)


def test_many_entries_adding_up_past_the_cap_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archives, "MAX_UNPACKED_BYTES", 1000)
    stream = zip_of({f"{i}.jsonl": b'{"text": "abcdefghij"}\n' * 10 for i in range(10)}, zipfile.ZIP_STORED)
    with pytest.raises(ImportFormatError, match="unpacks to more than"):
        items(stream)


def test_a_damaged_entry_is_reported() -> None:
    raw = bytearray(zip_of({"a.jsonl": b'{"text": "abc"}\n' * 1000}, zipfile.ZIP_STORED).getvalue())
    raw[100] ^= 0xFF  # inside the entry's data: the CRC check fails
    with pytest.raises(ImportFormatError):
        items(io.BytesIO(bytes(raw)))


def test_not_a_zip() -> None:
    with pytest.raises(ImportFormatError, match="not a readable ZIP archive"):
        items(io.BytesIO(b"PK\x03\x04 nothing more"))
