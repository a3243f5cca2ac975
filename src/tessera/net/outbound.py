"""The one HTTP client for every URL a user gives Tessera: imports, ML backends, webhooks, connectors.

Why a client of its own rather than a plain `httpx.Client`:

* **Pinning.** A guard that resolves a name, checks the address and then lets the HTTP library resolve it
  again can be beaten by DNS rebinding (public on the first answer, 127.0.0.1 on the second). Here the check
  lives in the network backend, at the moment the socket is opened: resolve once, vet every address, connect
  to a vetted address. The URL, the Host header, TLS SNI and certificate checks all keep the host name,
  because nothing above the socket is rewritten.
* **Redirects** are followed here, one hop at a time, so every hop passes the same URL check and, when it
  opens a connection, the same address check. Headers the caller set are not carried to another origin.
* **Bounds.** Per-operation and total timeouts, and a size limit on bodies, so a slow or huge answer cannot
  hold a worker or fill memory.
* **No ambient state.** Environment proxies, `.netrc` and cookies would let one call affect the next or
  bypass the guard through a proxy, so all three are off.

Network failures surface as `httpx.HTTPError` subclasses (`httpx.TimeoutException`, `httpx.ConnectError`…);
anything the guard refuses, including an oversized body or too many redirects, raises `Blocked`.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any

import httpcore
import httpx

from tessera.domain.errors import Blocked
from tessera.net.addresses import AddressPolicy, Resolver, parse_allowlist, resolve_host

__all__ = ["OutboundClient", "describe_failure", "parse_allowlist", "resolve_host"]

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


class _PinningBackend(httpcore.SyncBackend):
    """Opens TCP connections only to addresses the policy has just vetted for this host.

    httpcore asks the backend for a socket to `(host, port)`; instead of letting the OS resolve `host`, this
    resolves it once through the policy (which refuses forbidden answers) and connects to those addresses.
    TLS is layered on afterwards by httpcore with `server_hostname=host`, so certificates are still checked
    against the name. A pooled keep-alive connection is reused only for the same scheme, host and port.
    """

    def __init__(self, policy: AddressPolicy) -> None:
        self._policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = self._policy.addresses_for(host, port)
        except OSError as exc:  # the resolver failed: report it as httpx would
            raise httpcore.ConnectError(f"Cannot resolve {host}: {exc}") from exc
        error: httpcore.ConnectError = httpcore.ConnectError(f"{host} has no address")
        for address in addresses:
            try:
                return super().connect_tcp(str(address), port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:  # refused or unreachable: try the next vetted address
                error = exc
        raise error


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's own transport, with its connection pool built on `_PinningBackend`."""

    def __init__(self, policy: AddressPolicy, verify: ssl.SSLContext | bool) -> None:
        ssl_context = httpx.create_ssl_context(verify=verify, trust_env=False)
        super().__init__(verify=ssl_context, trust_env=False)
        # httpx 0.28 takes no network backend argument (encode/httpx#3749 proposes one), so the pool that
        # `HTTPTransport.__init__` built is replaced by one that uses ours, with httpx's default limits.
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=_PinningBackend(policy),
        )


class _LimitedStream(httpx.SyncByteStream):
    """Wraps a response body: refuses it past `max_bytes` (as received on the wire)."""

    def __init__(self, stream: httpx.SyncByteStream, max_bytes: int) -> None:
        self._stream = stream
        self._max_bytes = max_bytes

    def __iter__(self) -> Iterator[bytes]:
        received = 0
        for chunk in self._stream:
            received += len(chunk)
            if received > self._max_bytes:
                raise Blocked(f"The response is larger than {self._max_bytes} bytes.")
            yield chunk

    def close(self) -> None:
        self._stream.close()


class OutboundClient:
    """Guarded HTTP client. One per process is enough (it pools connections and is thread-safe).

    `allowlist` holds host names and CIDRs that open the guard (see `parse_allowlist`); `timeout` bounds each
    connect, read and write; `total_timeout` bounds a whole call including redirects (for `stream`, until the
    response headers arrive); `max_bytes` bounds a body; `resolver` replaces the system DNS; `verify` is a
    `ssl.SSLContext` of trusted roots, True for the default ones, or False to skip certificate checks.
    """

    def __init__(
        self,
        allowlist: Iterable[str] = (),
        *,
        timeout: float = 10.0,
        total_timeout: float = 60.0,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_redirects: int = 5,
        resolver: Resolver = resolve_host,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self._policy = AddressPolicy(allowlist, resolver)
        self._timeout = timeout
        self._total_timeout = total_timeout
        self._max_bytes = max_bytes
        self._max_redirects = max_redirects
        no_cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
        self._client = httpx.Client(
            transport=_GuardedTransport(self._policy, verify),
            follow_redirects=False,
            trust_env=False,
            cookies=no_cookies,  # a jar, not httpx.Cookies: copying it into one would drop the policy
        )

    def request(
        self,
        method: str,
        url: str | httpx.URL,
        *,
        json: Any = None,
        content: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | tuple[str, str] | None = None,
        timeout: float | None = None,
        total_timeout: float | None = None,
        max_bytes: int | None = None,
    ) -> httpx.Response:
        """Send a request; return the response with its body read.

        The body is refused past `max_bytes` once decoded; the whole call, redirects and body included, must
        end within `total_timeout` (default: the client's).
        """
        limit = self._max_bytes if max_bytes is None else max_bytes
        total = self._total_timeout if total_timeout is None else total_timeout
        deadline = time.monotonic() + total
        with self.stream(
            method,
            url,
            json=json,
            content=content,
            headers=headers,
            auth=auth,
            timeout=timeout,
            total_timeout=total,
            max_bytes=limit,
        ) as response:
            body = bytearray()
            # Count decoded bytes, so that a small gzip body cannot inflate past the limit in memory.
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > limit:
                    raise Blocked(f"The response is larger than {limit} bytes.")
                if time.monotonic() > deadline:
                    raise httpx.TimeoutException("The total timeout was exceeded.", request=response.request)
            response._content = bytes(body)  # what `Response.read()` stores; httpx has no public setter
        return response

    @contextmanager
    def stream(
        self,
        method: str,
        url: str | httpx.URL,
        *,
        json: Any = None,
        content: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | tuple[str, str] | None = None,
        timeout: float | None = None,
        total_timeout: float | None = None,
        max_bytes: int | None = None,
    ) -> Iterator[httpx.Response]:
        """Send a request and yield the response unread, for `iter_bytes()` over big downloads.

        The body is refused past `max_bytes` as it arrives (raw bytes on the wire), so pass a limit that fits
        the download. Each read is bounded by `timeout`, and the response headers must arrive within
        `total_timeout` (default: the client's); the pace of the whole body is the caller's business.
        """
        limit = self._max_bytes if max_bytes is None else max_bytes
        try:
            target = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise Blocked(f"Invalid URL: {exc}") from exc
        # Checked before `build_request`, which would read `file:///x` as a path relative to a base URL.
        self._policy.check_url(target)
        request = self._client.build_request(method, target, json=json, content=content, headers=headers)
        total = self._total_timeout if total_timeout is None else total_timeout
        response = self._follow(request, headers or {}, auth, timeout, total)
        try:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise Blocked(f"The response is larger than {limit} bytes.")
            response.stream = _LimitedStream(response.stream, limit)
            yield response
        finally:
            response.close()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> OutboundClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _follow(
        self,
        request: httpx.Request,
        headers: Mapping[str, str],
        auth: httpx.Auth | tuple[str, str] | None,
        timeout: float | None,
        total_timeout: float,
    ) -> httpx.Response:
        """Send `request`, following redirects hop by hop and checking each URL; return the last response."""
        deadline = time.monotonic() + total_timeout
        origin = _origin(request.url)
        hops: list[httpx.Response] = []
        while True:
            self._policy.check_url(request.url)
            if _origin(request.url) != origin:
                for name in headers:  # the caller's headers may be credentials meant for the first origin
                    request.headers.pop(name, None)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise httpx.TimeoutException("The total timeout was exceeded.", request=request)
            each = min(self._timeout if timeout is None else timeout, remaining)
            request.extensions["timeout"] = {"connect": each, "read": each, "write": each, "pool": each}
            # `auth` signs the first hop only; httpx drops its Authorization header on cross-origin redirects.
            response = self._client.send(request, stream=True, auth=None if hops else auth)
            if response.next_request is None:
                response.history = hops
                return response
            response.close()
            hops.append(response)
            if len(hops) > self._max_redirects:
                raise Blocked(f"More than {self._max_redirects} redirects.")
            request = response.next_request


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port


def describe_failure(exc: httpx.HTTPError) -> str:
    """A network failure in words for a user: `could not connect: [Errno 111] Connection refused`, `timed out`."""
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return text if "time" in text.lower() else f"timed out ({text})"
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect: {text}"
    return text
