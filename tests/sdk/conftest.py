"""A live Tessera server for the official `label-studio-sdk` to talk to, started the way a user starts it.

Each server process runs over a fresh data folder (and a fresh PostgreSQL database when
`TESSERA_TEST_DATABASE_URL` is set), and the modules of a test folder that need the same environment share it
(`LiveServers`): `tessera user create` and `tessera token create` make the admin and its
API token, `tessera start` serves on a free port, and the fixture waits for `GET /health`. No mocks.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from tests.sdk.support import ADMIN_EMAIL, NER_CONFIG

ADMIN_PASSWORD = "sdk-admin-password-1"
PG_ENV = "TESSERA_TEST_DATABASE_URL"
START_TIMEOUT_S = 60


def _tessera_command() -> list[str]:
    exe = shutil.which("tessera")
    if exe:
        return [exe]
    return [sys.executable, "-c", "from tessera.cli.main import app; app()"]


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("TESSERA_DATABASE_URL", "TESSERA_DATA_DIR"):
        env.pop(name, None)
    spec = importlib.util.find_spec("tessera")
    if spec is not None and spec.origin:
        # Let the child import the same checkout as this test process (PYTHONPATH=src or an editable install).
        source_root = str(Path(spec.origin).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (source_root, env.get("PYTHONPATH", "")) if p)
    return env


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _psycopg_url(url: str) -> str:
    """psycopg wants `postgresql://`, not SQLAlchemy's `postgresql+psycopg://`."""
    scheme, rest = url.split("://", 1)
    return "postgresql://" + rest if scheme.startswith("postgres") else url


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@dataclass
class LiveServer:
    base_url: str
    token: str
    data_dir: Path
    env: dict[str, str]
    command: list[str] = field(default_factory=_tessera_command)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run `tessera <args> --data-dir <this server's folder>` against the live server's database."""
        done = subprocess.run(
            [*self.command, *args, "--data-dir", str(self.data_dir)],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            raise AssertionError(f"tessera {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done

    def create_user_with_token(self, email: str, password: str = "sdk-user-password-1", admin: bool = False) -> str:
        """A new user made with the CLI; returns the legacy API token printed by `tessera token create`."""
        self.cli("user", "create", "--email", email, "--password", password, *(["--admin"] if admin else []))
        return self.cli("token", "create", "--email", email).stdout.strip().splitlines()[-1].strip()

    def http(self, token: str | None = None) -> httpx.Client:
        """A plain HTTP client for what the SDK does not cover; `Authorization: Token <token>`."""
        headers = {"Authorization": f"Token {token or self.token}"}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=60)


@pytest.fixture(scope="module")
def live_server_env() -> dict[str, str]:
    """Extra environment for the module's server (a module overrides this fixture, e.g. to allowlist 127.0.0.1)."""
    return {}


class LiveServers:
    """The session's servers, one per (test folder, environment): the modules of a folder that ask for the same
    environment share one server, so the browser and SDK suites start a handful instead of one per module.
    Each test makes its own projects and users, with names no other module uses."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self.tmp_path_factory = tmp_path_factory
        self.servers: dict[tuple[str, tuple[tuple[str, str], ...]], LiveServer] = {}
        self.stack = ExitStack()

    def get(self, group: str, extra_env: dict[str, str]) -> LiveServer:
        key = (group, tuple(sorted(extra_env.items())))
        if key not in self.servers:
            self.servers[key] = self.stack.enter_context(_running_server(self.tmp_path_factory, extra_env))
        return self.servers[key]


@pytest.fixture(scope="session")
def live_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServers]:
    servers = LiveServers(tmp_path_factory)
    with servers.stack:
        yield servers


@pytest.fixture(scope="module")
def live_server(
    request: pytest.FixtureRequest, live_servers: LiveServers, live_server_env: dict[str, str]
) -> LiveServer:
    return live_servers.get(request.path.parent.name, live_server_env)


@contextmanager
def _running_server(tmp_path_factory: pytest.TempPathFactory, extra_env: dict[str, str]) -> Iterator[LiveServer]:
    """`tessera start` over a fresh data folder (and a fresh PostgreSQL database when asked), with its admin."""
    data_dir = tmp_path_factory.mktemp("tessera-sdk")
    env = {**_child_env(), **extra_env}
    admin_url = os.environ.get(PG_ENV)
    db_name = None
    if admin_url:
        import psycopg

        admin_url = _psycopg_url(admin_url)
        db_name = f"tessera_sdk_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{db_name}"')
        env["TESSERA_DATABASE_URL"] = _with_database(admin_url, db_name)
    proc: subprocess.Popen[bytes] | None = None
    log_path = data_dir / "server.log"
    try:
        server = LiveServer(base_url="", token="", data_dir=data_dir, env=env)
        server.cli("user", "create", "--email", ADMIN_EMAIL, "--password", ADMIN_PASSWORD, "--admin")
        server.token = server.cli("token", "create", "--email", ADMIN_EMAIL).stdout.strip().splitlines()[-1].strip()
        port = _free_port()
        server.base_url = f"http://127.0.0.1:{port}"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                [*server.command, "start", "--data-dir", str(data_dir), "--port", str(port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        _wait_for_health(server.base_url, proc, log_path)
        if db_name is not None:  # the server really runs on PostgreSQL, not on a SQLite file in its folder
            assert not (data_dir / "tessera.db").exists()
        yield server
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=20)
        if db_name is not None:
            import psycopg

            with psycopg.connect(admin_url, autocommit=True) as conn:  # type: ignore[arg-type]
                conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def _wait_for_health(base_url: str, proc: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log = log_path.read_text(errors="replace")
            raise AssertionError(f"tessera start exited with {proc.returncode}:\n{log}")
        try:
            r = httpx.get(f"{base_url}/health", timeout=2)
            if r.status_code == 200 and r.json() == {"status": "UP"}:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(
        f"tessera start did not answer /health in {START_TIMEOUT_S} s:\n{log_path.read_text(errors='replace')}"
    )


@pytest.fixture(scope="module")
def ls(live_server: LiveServer) -> Iterator[Any]:
    """The SDK's new client, `LabelStudio(base_url=..., api_key=...)`, with the admin's legacy token."""
    from label_studio_sdk import LabelStudio

    client = LabelStudio(base_url=live_server.base_url, api_key=live_server.token)
    yield client
    client._client_wrapper.httpx_client.httpx_client.close()


@pytest.fixture(scope="module")
def legacy(live_server: LiveServer) -> Iterator[Any]:
    """The SDK's legacy client, `label_studio_sdk.Client(url, api_key)` (it lives in `label_studio_sdk._legacy`)."""
    from label_studio_sdk import Client

    client = Client(url=live_server.base_url, api_key=live_server.token)
    yield client
    client.session.close()


@pytest.fixture
def make_project(ls: Any) -> Iterator[Callable[..., Any]]:
    """Create projects through the new client; every one made is deleted after the test."""
    made: list[int] = []

    def make(label_config: str = NER_CONFIG, title: str | None = None, **kwargs: Any) -> Any:
        project = ls.projects.create(title=title or f"sdk {uuid.uuid4().hex[:8]}", label_config=label_config, **kwargs)
        made.append(project.id)
        return project

    yield make
    from label_studio_sdk.core.api_error import ApiError

    for project_id in made:
        try:
            ls.projects.delete(project_id)
        except ApiError as exc:
            if exc.status_code != 404:
                raise
