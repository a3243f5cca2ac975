"""Real HTTP servers on 127.0.0.1 for tests of the calls Tessera makes out: a file server, a model server.

Each server runs in a thread on a free port and answers from a table of routes, `path -> Reply`; a path not
in the table is a 404. Every request is recorded in `hits`. Connections close after each answer (HTTP/1.0),
so nothing is left waiting when a test stops its server.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    sized: bool = True  # send Content-Length; else the body ends when the connection closes
    before: Callable[[], object] | None = None  # run before answering, in the server's thread
    between: Callable[[], object] | None = None  # run after the headers went out, before the body

    @classmethod
    def json(cls, value: object, status: int = 200) -> Reply:
        return cls(status, json.dumps(value).encode(), {"Content-Type": "application/json"})

    @classmethod
    def redirect(cls, location: str) -> Reply:
        return cls(302, b"", {"Location": location})


@dataclass
class Hit:
    method: str
    path: str
    headers: dict[str, str]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, routes: dict[str, Reply]) -> None:
        self.routes = routes
        self.hits: list[Hit] = []
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.hits.append(Hit(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}))
        reply = self.server.routes.get(urlsplit(self.path).path, Reply(404, b"no such file"))
        if reply.before is not None:
            reply.before()
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.sized:
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if reply.between is not None:
            self.wfile.flush()
            reply.between()
        self.wfile.write(reply.body)

    do_POST = do_GET


@dataclass
class LocalServer:
    routes: dict[str, Reply]
    server: _Server

    @property
    def origin(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def hits(self) -> list[Hit]:
        return self.server.hits

    def url(self, path: str) -> str:
        return self.origin + path


@contextmanager
def local_server(routes: dict[str, Reply] | None = None) -> Iterator[LocalServer]:
    """Serve `routes` on a free port of 127.0.0.1 until the block ends."""
    httpd = _Server(routes if routes is not None else {})
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield LocalServer(httpd.routes, httpd)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@contextmanager
def silent_port() -> Iterator[int]:
    """A port on 127.0.0.1 that accepts connections (the kernel does) and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


class WriteMeanwhile:
    """A `Reply.before` hook: runs `write` in another thread and records in `finished` whether it ended within
    `within` seconds, which it cannot while the request being answered holds the database's write lock."""

    def __init__(self, write: Callable[[], object], within: float = 2.0) -> None:
        self.write = write
        self.within = within
        self.finished: list[bool] = []

    def __call__(self) -> None:
        worker = threading.Thread(target=self.write, daemon=True)
        worker.start()
        worker.join(self.within)
        self.finished.append(not worker.is_alive())


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (free a moment ago): connecting is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
