"""Start `tests/fixtures/fake_openai.py` as a real separate process on a free port, and talk to it."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve().parents[1] / "fixtures" / "fake_openai.py"


class FakeOpenAI:
    def __init__(self, port: int, key: str) -> None:
        self.port, self.key = port, key
        self.origin = f"http://127.0.0.1:{port}"
        self.base_url = f"{self.origin}/v1"

    def _open(self, method: str, path: str) -> Any:
        request = urllib.request.Request(self.origin + path, method=method, data=b"" if method == "POST" else None)
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - a local test server
            return json.loads(response.read())

    def calls(self, model: str | None = None) -> list[dict[str, Any]]:
        found = self._open("GET", "/calls")["calls"]
        return [c for c in found if model is None or c["model"] == model]

    def reset(self) -> None:
        self._open("POST", "/reset")


@contextmanager
def fake_openai(key: str) -> Iterator[FakeOpenAI]:
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--key", key], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(
                f"the fake server did not start: {line!r} {process.stderr.read() if process.stderr else ''}"
            )
        yield FakeOpenAI(int(line.split()[1]), key)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
