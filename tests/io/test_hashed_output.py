"""`HashedOutput` writes every chunk in order with its md5, and settles a file as it goes (on disk, its pages
handed back) without changing what is written."""

from __future__ import annotations

import hashlib
import io
import os
import random
from pathlib import Path

import pytest

from tessera.io import hashed_output
from tessera.io.hashed_output import HashedOutput


def _chunks() -> list[bytes]:
    rng = random.Random(7)
    return [rng.randbytes(rng.randrange(1, 5000)) for _ in range(300)]


@pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="no posix_fadvise on this system")
def test_a_file_is_settled_in_order_and_keeps_every_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hashed_output, "SETTLE_BYTES", 50_000)
    advised: list[tuple[int, int]] = []
    real = os.posix_fadvise

    def advise(fd: int, offset: int, length: int, advice: int) -> None:
        assert advice == os.POSIX_FADV_DONTNEED
        assert os.fstat(fd).st_size >= offset + length  # flushed before it is given back
        advised.append((offset, length))
        real(fd, offset, length, advice)

    monkeypatch.setattr(hashed_output.os, "posix_fadvise", advise)
    chunks = _chunks()
    with open(tmp_path / "out", "wb") as out:
        sink = HashedOutput(out)
        for chunk in chunks:
            sink.write(bytearray(chunk))  # a caller's buffer, copied
        md5 = sink.close()
    data = b"".join(chunks)
    assert (tmp_path / "out").read_bytes() == data
    assert md5 == hashlib.md5(data, usedforsecurity=False).hexdigest()
    assert len(advised) >= len(data) // 55_000  # one for about every 50,000 bytes
    starts = [offset for offset, _ in advised]
    assert starts == [0] + [offset + length for offset, length in advised[:-1]]  # front to back, no gap


def test_a_buffer_in_memory_is_written_and_hashed() -> None:
    out = io.BytesIO()
    sink = HashedOutput(out)
    chunks = _chunks()
    for chunk in chunks:
        sink.write(chunk)
    assert sink.tell() == sum(map(len, chunks))
    md5 = sink.close()
    assert out.getvalue() == b"".join(chunks)
    assert md5 == hashlib.md5(out.getvalue(), usedforsecurity=False).hexdigest()


def test_a_failed_write_is_raised_to_the_writer(tmp_path: Path) -> None:
    out = open(tmp_path / "out", "wb")  # noqa: SIM115 - closed under the thread on purpose
    sink = HashedOutput(out)
    out.close()
    sink.write(b"x")
    with pytest.raises(ValueError, match="closed file"):
        sink.close()
