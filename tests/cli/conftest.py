"""The `tessera` command run as a real subprocess, each test with its own data folder and database (SQLite
in the data folder, or a fresh PostgreSQL database when TESSERA_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg import sql

from tests.conftest import PG_ENV

COMMAND_TIMEOUT = 60
START_TIMEOUT = 30


def tessera_executable() -> str:
    """The console script next to this interpreter (faster than a pyenv shim), else the one on PATH."""
    beside = Path(sys.executable).parent / "tessera"
    found = str(beside) if beside.exists() else shutil.which("tessera")
    assert found, "the `tessera` command is not installed (pip install -e .)"
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    lines: list[str] = field(default_factory=list)

    @property
    def output(self) -> str:
        return "".join(self.lines)


@dataclass
class Cli:
    data_dir: Path
    env: dict[str, str]
    exe: str = field(default_factory=tessera_executable)

    def run(self, *args: str | Path, data_dir: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = [self.exe, *map(str, args)] + (["--data-dir", str(self.data_dir)] if data_dir else [])
        return subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT)

    def ok(self, *args: str | Path) -> str:
        done = self.run(*args)
        assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
        return done.stdout

    @contextmanager
    def start(self, *extra: str) -> Iterator[Server]:
        """`tessera start` on a free port; yields once /health answers, stops the server afterwards."""
        port = free_port()
        cmd = [self.exe, "start", "--data-dir", str(self.data_dir), "--port", str(port), *extra]
        process = subprocess.Popen(
            cmd, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
        )
        server = Server(f"http://127.0.0.1:{port}", process)
        reader = threading.Thread(target=lambda: server.lines.extend(iter(process.stdout.readline, "")), daemon=True)
        reader.start()
        try:
            wait_until_up(server)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)
            reader.join(timeout=5)


def wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            time.sleep(0.2)  # let the reader collect the last lines
            pytest.fail(f"tessera start exited with {server.process.returncode}:\n{server.output}")
        try:
            if httpx.get(f"{server.url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"tessera start did not answer within {START_TIMEOUT} s:\n{server.output}")


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Cli]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TESSERA_")}
    env.update(NO_COLOR="1", COLUMNS="200")
    admin_url = os.environ.get(PG_ENV)
    if not admin_url:
        yield Cli(tmp_path / "data", env)
        return
    name = f"tessera_cli_{uuid.uuid4().hex[:12]}"
    admin_url = _plain(admin_url)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base, _, _old = admin_url.rpartition("/")
    env["TESSERA_DATABASE_URL"] = f"{base}/{name}"
    try:
        yield Cli(tmp_path / "data", env)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def last_line(text: str) -> str:
    return text.strip().splitlines()[-1].strip()
