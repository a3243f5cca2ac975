"""Real HTTP(S) servers on loopback, each on a free port in a thread, for the outbound client's tests.

Routes: `/` echoes the request as JSON; `/redirect?to=URL&code=302`; `/loop`; `/bytes?n=N` (sized body);
`/unsized?n=N` (no Content-Length, ends at close); `/gzip?n=N` (N zero bytes, gzip-encoded);
`/slow?s=S` (answers after S seconds); `/drip?n=N&every=T` (one byte every T seconds); `/cookie`.
"""

from __future__ import annotations

import gzip
import json
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class Hit:
    method: str
    path: str
    headers: dict[str, str]


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # so that server_close() waits for handler threads
    block_on_close = True

    def __init__(self, address: tuple[str, int], family: socket.AddressFamily, name: str) -> None:
        self.address_family = family
        self.name = name
        self.hits: list[Hit] = []
        self.sni: list[str | None] = []
        self.stopping = threading.Event()
        super().__init__(address, _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up or refuses our certificate is part of the tests, not a failure."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 5  # a keep-alive connection left open cannot hold the server's shutdown for long
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.hits.append(Hit(self.command, self.path, dict(self.headers)))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        n = int(query.get("n", 0))
        if url.path == "/redirect":
            self._send(int(query.get("code", 302)), b"", [("Location", query["to"])])
        elif url.path == "/loop":
            self._send(302, b"", [("Location", "/loop")])
        elif url.path == "/bytes":
            self._send(200, b"x" * n)
        elif url.path == "/unsized":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"x" * n)
            self.close_connection = True
        elif url.path == "/gzip":
            self._send(200, gzip.compress(b"\0" * n), [("Content-Encoding", "gzip")])
        elif url.path == "/slow":
            self.server.stopping.wait(float(query["s"]))
            self._send(200, b"late")
        elif url.path == "/drip":
            self.send_response(200)
            self.send_header("Content-Length", str(n))
            self.end_headers()
            for _ in range(n):
                if self.server.stopping.wait(float(query["every"])):
                    break
                self.wfile.write(b"x")
                self.wfile.flush()
        elif url.path == "/cookie":
            self._send(200, b"", [("Set-Cookie", "session=secret; Path=/")])
        else:
            echo = {
                "server": self.server.name,
                "method": self.command,
                "path": self.path,
                "headers": {key.lower(): value for key, value in self.headers.items()},
                "body": body.decode("utf-8", "replace"),
            }
            self._send(200, json.dumps(echo).encode(), [("Content-Type", "application/json")])

    do_POST = do_PUT = do_GET

    def _send(self, status: int, body: bytes, headers: list[tuple[str, str]] = ()) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@dataclass
class Server:
    """A running test server: `origin` is `http(s)://host:port` with the address, `hits` what it received."""

    server: _Server
    scheme: str
    thread: threading.Thread = field(repr=False)

    @property
    def host(self) -> str:
        return self.server.server_address[0]

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def hits(self) -> list[Hit]:
        return self.server.hits

    @property
    def sni(self) -> list[str | None]:
        return self.server.sni

    @property
    def origin(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    def stop(self) -> None:
        self.server.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


ServerFactory = Callable[..., Server]


@pytest.fixture
def serve() -> Iterator[ServerFactory]:
    """Start servers with `serve(host="127.0.0.1", port=0, name="a", tls=None)`; all stop after the test."""
    started: list[Server] = []

    def start(host: str = "127.0.0.1", port: int = 0, name: str = "a", tls: ssl.SSLContext | None = None) -> Server:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        httpd = _Server((host, port), family, name)
        if tls is not None:
            tls.sni_callback = lambda _sock, server_name, _ctx: httpd.sni.append(server_name)
            # The handshake then happens on the first read, in the handler thread, not in the accept loop.
            httpd.socket = tls.wrap_socket(httpd.socket, server_side=True, do_handshake_on_connect=False)
        thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        server = Server(httpd, "https" if tls else "http", thread)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def server(serve: ServerFactory) -> Server:
    return serve()


@dataclass
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A self-signed certificate for the name `pinned.test` only (made with the openssl command)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=pinned.test",
         "-addext", "subjectAltName=DNS:pinned.test"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return Certificate(cert, key)
