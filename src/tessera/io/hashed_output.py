"""A binary output that a thread writes and hashes (md5) while the writer makes the next bytes: file writes
and `hashlib` release the GIL, so on a second core they cost the writer nothing, and the file need not be
read again for its md5. Only for writers that write front to back (no seek); `tell` counts the bytes."""

from __future__ import annotations

import hashlib
import queue
import threading
from typing import BinaryIO

QUEUED = 8  # chunks waiting at most (the writers' chunks are about a megabyte)


class HashedOutput:
    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._chunks: queue.Queue[bytes | None] = queue.Queue(QUEUED)
        self._error: BaseException | None = None
        self._written = 0
        self._thread = threading.Thread(target=self._run, name="export-output", daemon=True)
        self._thread.start()

    def write(self, data: bytes | bytearray | memoryview) -> int:
        if self._error is not None:
            raise self._error
        chunk = bytes(data)  # a caller may reuse its buffer (bytes of bytes is the same object, no copy)
        self._chunks.put(chunk)
        self._written += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._written

    def flush(self) -> None:
        pass  # `close` writes everything

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    @property
    def closed(self) -> bool:
        return False

    def close(self) -> str:
        """Wait until every chunk is written; the md5 of them all (raises what writing raised)."""
        self._chunks.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._md5.hexdigest()

    def _run(self) -> None:
        while (chunk := self._chunks.get()) is not None:
            if self._error is None:
                try:
                    self._out.write(chunk)
                    self._md5.update(chunk)
                except BaseException as exc:  # noqa: BLE001 - handed to the writer's thread by `write`/`close`
                    self._error = exc
