"""One live `tessera start` for a benchmark: a fresh data folder (and, given a PostgreSQL URL, a fresh database
on that server), an admin with a token, the server on a free port; all of it removed afterwards.

    with live_tessera(args.database_url) as live:
        http = live.client()            # httpx.Client with the admin's token
        live.cpu_seconds()              # the server process's CPU time so far
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ADMIN_EMAIL = "bench@example.com"
ADMIN_PASSWORD = "benchmark1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The `tessera` package this interpreter imports (PYTHONPATH included), not whichever `tessera` script is on PATH:
# run from a checkout with PYTHONPATH=src, a bench measures that checkout's code.
TESSERA = [sys.executable, "-c", "from tessera.cli.main import app; app()"]


def run_tessera(*args: str, env: dict[str, str]) -> str:
    return subprocess.run([*TESSERA, *args], env=env, check=True, capture_output=True, text=True).stdout


@dataclass
class Live:
    base: str
    token: str
    process: subprocess.Popen  # type: ignore[type-arg]
    data_dir: Path
    env: dict[str, str]

    def client(self, timeout: float = 600) -> httpx.Client:
        return httpx.Client(base_url=self.base, headers={"Authorization": f"Token {self.token}"}, timeout=timeout)

    def cpu_seconds(self) -> float:
        """User plus system CPU time of the server process (from /proc)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def fresh_database(database_url: str | None) -> Iterator[str | None]:
    """A new, empty PostgreSQL database on the server of `database_url`, dropped afterwards; None for SQLite."""
    if not database_url:
        yield None
        return
    import psycopg

    name = f"tessera_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def live_tessera(
    database_url: str | None = None, extra_env: dict[str, str] | None = None, workers: int = 1
) -> Iterator[Live]:
    data_dir = Path(tempfile.mkdtemp(prefix="tessera-bench-"))
    try:
        with fresh_database(database_url) as url:
            env = {**os.environ, "TESSERA_DATA_DIR": str(data_dir), **(extra_env or {})}
            if url:
                env["TESSERA_DATABASE_URL"] = url
            run_tessera("user", "create", "--email", ADMIN_EMAIL, "--password", ADMIN_PASSWORD, "--admin", env=env)
            token = run_tessera("token", "create", "--email", ADMIN_EMAIL, env=env).strip().splitlines()[-1]
            port = free_port()
            process = subprocess.Popen(
                [*TESSERA, "start", "--port", str(port), "--workers", str(workers)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            try:
                base = f"http://127.0.0.1:{port}"
                _wait_for(base, process)
                yield Live(base, token, process, data_dir, env)
            finally:
                process.terminate()
                process.wait(30)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _wait_for(base: str, process: subprocess.Popen) -> None:  # type: ignore[type-arg]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"tessera start exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            if httpx.get(f"{base}/health").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("tessera start did not answer /health within 60 s")
