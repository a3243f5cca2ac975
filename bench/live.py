"""One live `tessera start` for a benchmark: a fresh data folder (and, given a PostgreSQL URL, a fresh database
on that server), an admin with a token, the server on a free port; all of it removed afterwards.

    with live_tessera(args.database_url, extra_env={"TESSERA_OUTBOUND_ALLOWLIST": "127.0.0.1"}) as live:
        http = live.client()            # httpx.Client with the admin's token
        live.cpu_seconds()              # the server process's CPU time so far

A bench that fills the database itself first, or runs `tessera` commands without a server, takes the two
steps apart; with `keep`, the folder and the database stay under that name for the next run to reuse:

    with tessera_instance(args.database_url, keep=args.keep) as instance:   # folder, database, admin
        if instance.fresh:
            seed(Database(instance.database_url))
        with serve(instance) as live:
            ...
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
class Instance:
    """A data folder and its database, migrated, with the admin user; `env` runs `tessera` on them."""

    data_dir: Path
    env: dict[str, str]
    fresh: bool = True  # False: a kept instance, as an earlier run left it

    @property
    def database_url(self) -> str:
        return self.env["TESSERA_DATABASE_URL"]


@dataclass(kw_only=True)
class Live(Instance):
    """`tessera start` serving an instance."""

    base: str
    token: str
    process: subprocess.Popen  # type: ignore[type-arg]

    def client(self, timeout: float = 600, token: str | None = None) -> httpx.Client:
        """An httpx.Client on the server with the admin's token (or `token`)."""
        headers = {"Authorization": f"Token {token or self.token}"}
        return httpx.Client(base_url=self.base, headers=headers, timeout=timeout)

    def cpu_seconds(self) -> float:
        """User plus system CPU time of the server process (from /proc)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def bench_database(database_url: str | None, data_dir: Path, keep: str | None = None) -> Iterator[tuple[str, bool]]:
    """(URL, whether it is new) of the database for one run: a new database on the PostgreSQL server of
    `database_url`, dropped afterwards, or a SQLite file in `data_dir`. With `keep`, the PostgreSQL database
    is named after it, reused when it is there and never dropped."""
    if not database_url:
        path = data_dir / "tessera.db"
        yield f"sqlite:///{path}", not path.exists()
        return
    import psycopg  # only for a PostgreSQL run

    name = f"tessera_bench_{keep or uuid.uuid4().hex[:8]}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        fresh = not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if fresh:
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url.rsplit("/", 1)[0] + "/" + name, fresh
    finally:
        if not keep:
            with psycopg.connect(database_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def tessera_instance(
    database_url: str | None = None, extra_env: dict[str, str] | None = None, keep: str | None = None
) -> Iterator[Instance]:
    """A data folder and a database (see `bench_database`) with the admin user, removed afterwards; with
    `keep`, the folder is `tessera-bench-<keep>` in the temp folder and both stay for the next run."""
    if keep:
        data_dir = Path(tempfile.gettempdir()) / f"tessera-bench-{keep}"
        data_dir.mkdir(exist_ok=True)
    else:
        data_dir = Path(tempfile.mkdtemp(prefix="tessera-bench-"))
    try:
        with bench_database(database_url, data_dir, keep) as (url, fresh):
            env = {**os.environ, "TESSERA_DATA_DIR": str(data_dir), "TESSERA_DATABASE_URL": url, **(extra_env or {})}
            if fresh:
                run_tessera("user", "create", "--email", ADMIN_EMAIL, "--password", ADMIN_PASSWORD, "--admin", env=env)
            yield Instance(data_dir, env, fresh)
    finally:
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def serve(instance: Instance, workers: int = 1) -> Iterator[Live]:
    """`tessera start` on the instance, on a free port, with a new token for the admin; stopped afterwards."""
    token = run_tessera("token", "create", "--email", ADMIN_EMAIL, env=instance.env).strip().splitlines()[-1]
    port = free_port()
    process = subprocess.Popen(
        [*TESSERA, "start", "--port", str(port), "--workers", str(workers)],
        env=instance.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(base, process)
        yield Live(**vars(instance), base=base, token=token, process=process)
    finally:
        process.terminate()
        process.wait(30)


@contextmanager
def live_tessera(
    database_url: str | None = None, extra_env: dict[str, str] | None = None, workers: int = 1
) -> Iterator[Live]:
    """`serve` on a new `tessera_instance`: the one step for a bench that fills its data over HTTP."""
    with tessera_instance(database_url, extra_env) as instance, serve(instance, workers) as live:
        yield live


def warm_get(instance: Instance, path: str, token: str) -> tuple[float, httpx.Response]:
    """Serve the instance and GET `path` twice with `token`: the seconds and the answer of the second GET (the
    first fills the server's per-process caches, as a report read earlier in this process would have)."""
    with serve(instance) as live, live.client(token=token) as http:
        http.get(path).raise_for_status()
        started = time.perf_counter()
        r = http.get(path)
        seconds = time.perf_counter() - started
    r.raise_for_status()
    return seconds, r


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
