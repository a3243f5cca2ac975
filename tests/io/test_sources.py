"""Encodings, gzip and odd streams, through every reader."""

from __future__ import annotations

import gzip
import io

import pytest

from tessera.io.readers import read_tasks
from tests.io.conftest import read, read_error

SAMPLES = {
    "x.json": b'[{"text": "caf\xc3\xa9"}]',
    "x.jsonl": b'{"text": "caf\xc3\xa9"}\n',
    "x.csv": b"text\ncaf\xc3\xa9\n",
    "x.tsv": b"text\ncaf\xc3\xa9\n",
    "x.txt": b"caf\xc3\xa9\n",
}


@pytest.mark.parametrize("filename", SAMPLES)
def test_utf8_bom_is_stripped(filename: str) -> None:
    tasks = read(b"\xef\xbb\xbf" + SAMPLES[filename], filename, text_field="text")
    assert [item for _, item in tasks] == [{"text": "café"}]


@pytest.mark.parametrize("filename", SAMPLES)
@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-16-le"])
def test_utf16_is_refused_with_advice(filename: str, codec: str) -> None:
    content = SAMPLES[filename].decode("utf-8").encode(codec)  # "utf-16" writes a BOM; -le/-be do not
    error = read_error(content, filename, text_field="text")
    assert error.detail == f"{filename}: file is UTF-16; save it as UTF-8"


def test_utf32_is_refused() -> None:
    error = read_error('[{"a": 1}]'.encode("utf-32"), "x.json")
    assert "UTF-32; save it as UTF-8" in error.detail


@pytest.mark.parametrize("filename", SAMPLES)
def test_invalid_utf8_names_the_line(filename: str) -> None:
    content = SAMPLES[filename] + SAMPLES[filename].split(b"\n")[-2 if filename != "x.json" else 0]
    bad = content.replace(b"caf\xc3\xa9", b"caf\xe9", 1) if filename != "x.json" else b'[\n\n{"a": "\xe9"}]'
    error = read_error(bad, filename, text_field="text")
    assert "invalid UTF-8" in error.detail and "save the file as UTF-8" in error.detail
    assert error.line == (3 if filename == "x.json" else 2 if filename in ("x.csv", "x.tsv") else 1)


def test_invalid_utf8_in_a_later_chunk_of_a_big_json_file() -> None:
    body = b",\n".join(b'{"text": "%d"}' % i for i in range(200_000))  # about 3 MB: several chunks
    error = read_error(b"[\n" + body + b',\n{"text": "\xc3"}\n]', "x.json")
    assert error.line == 200_002 and "invalid UTF-8" in error.detail


@pytest.mark.parametrize("filename", SAMPLES)
def test_nul_byte_names_the_line(filename: str) -> None:
    content = SAMPLES[filename].replace(b"caf", b"c\x00f")
    error = read_error(content, filename, text_field="text")
    assert "NUL byte" in error.detail
    assert error.line == (2 if filename in ("x.csv", "x.tsv") else 1)


@pytest.mark.parametrize("filename", SAMPLES)
def test_gzip_is_read_by_suffix_and_by_magic(filename: str) -> None:
    packed = gzip.compress(SAMPLES[filename])
    by_suffix = read(packed, filename + ".gz", text_field="text")
    by_magic = read(packed, filename, text_field="text")
    assert by_suffix == by_magic == [(by_suffix[0][0], {"text": "café"})]


def test_gzipped_utf16_is_still_refused() -> None:
    error = read_error(gzip.compress('[{"a": 1}]'.encode("utf-16")), "x.json.gz")
    assert "UTF-16" in error.detail


@pytest.mark.parametrize("filename", ["x.json.gz", "x.jsonl.gz", "x.csv.gz"])
def test_truncated_gzip_is_an_import_error(filename: str) -> None:
    content = {"x.json.gz": b'[{"a": 1}]', "x.jsonl.gz": b'{"a": 1}\n', "x.csv.gz": b"a\n1\n"}[filename]
    packed = gzip.compress(content * 1000)
    error = read_error(packed[: len(packed) // 2], filename)
    assert "gzip data is damaged" in error.detail


def test_corrupt_gzip_is_an_import_error() -> None:
    packed = bytearray(gzip.compress(b'{"a": 1}\n' * 1000))
    packed[20:40] = b"\xff" * 20
    assert "gzip data is damaged" in read_error(bytes(packed), "x.jsonl.gz").detail


def test_zip_file_gets_advice() -> None:
    assert "ZIP archive" in read_error(b"PK\x03\x04rest of an xlsx", "x.csv").detail


class _Trickle(io.RawIOBase):
    """A non-seekable stream that returns at most 3 bytes per read."""

    def __init__(self, content: bytes) -> None:
        self._content = content

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(3, len(buffer), len(self._content))
        buffer[:n], self._content = self._content[:n], self._content[n:]
        return n


@pytest.mark.parametrize("filename", SAMPLES)
def test_short_reads_from_an_unseekable_stream(filename: str) -> None:
    with _Trickle(b"\xef\xbb\xbf" + SAMPLES[filename]) as stream:
        tasks = list(read_tasks(stream, filename, text_field="text"))  # type: ignore[arg-type]
    assert [t.item for t in tasks] == [{"text": "café"}]


def test_the_callers_stream_is_left_open() -> None:
    stream = io.BytesIO(gzip.compress(b'{"a": 1}\n'))
    assert [t.item for t in read_tasks(stream, "x.jsonl")] == [{"a": 1}]
    assert not stream.closed
    stream.close()
