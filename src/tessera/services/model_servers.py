"""Calls Tessera makes to a model server (an ML backend), through the guarded outbound client.

For now, the health check Label Studio makes when a backend is added or changed: `GET {url}/health`. It is
kept short, so that adding a backend answers quickly even when the model server hangs, and it never raises:
whatever goes wrong becomes the backend's error message.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from tessera.db.tables import MLBackend
from tessera.domain.errors import Blocked
from tessera.net.outbound import OutboundClient, describe_failure

CHECK_SECONDS = 3.0  # each connect or read of the health check
CHECK_TOTAL_SECONDS = 5.0  # the whole health check, redirects included
CHECK_MAX_BYTES = 64 * 1024
CONNECTED, ERROR = "CO", "ER"


@dataclass(frozen=True)
class Health:
    """The outcome of a health check: the backend's new `state`, and the reason when it is an error."""

    state: str
    error_message: str | None = None


def check_health(client: OutboundClient, backend: MLBackend) -> Health:
    """`GET {url}/health`: connected on a 2xx JSON answer whose `status`, if given, is `UP`."""
    try:
        url = health_url(backend.url)
    except httpx.InvalidURL as exc:
        return Health(ERROR, f"invalid URL {backend.url}: {exc}")
    auth = (backend.basic_auth_user or "", backend.basic_auth_pass or "")
    timeout = min(float(backend.timeout or CHECK_SECONDS), CHECK_SECONDS)
    try:
        response = client.request(
            "GET",
            url,
            auth=auth if backend.auth_method == "BASIC_AUTH" else None,
            timeout=timeout,
            total_timeout=CHECK_TOTAL_SECONDS,
            max_bytes=CHECK_MAX_BYTES,
        )
    except Blocked as exc:
        return Health(ERROR, f"{url} was refused: {exc.detail}")
    except httpx.HTTPError as exc:
        return Health(ERROR, f"cannot reach {url}: {describe_failure(exc)}")
    if response.status_code == 401:
        return Health(ERROR, f"{url} answered 401: the basic auth user or password is missing or wrong")
    if not response.is_success:
        return Health(ERROR, f"{url} answered {response.status_code} {response.reason_phrase}".strip())
    try:
        body = response.json()
    except ValueError:
        return Health(ERROR, f"{url} did not answer with JSON")
    status = body.get("status") if isinstance(body, dict) else None
    if status is not None and str(status).upper() != "UP":
        return Health(ERROR, f"{url} reports status {status!r}")
    return Health(CONNECTED)


def health_url(base: str) -> str:
    """`{base}/health`, keeping any path the base has (`http://host/models/a` → `.../models/a/health`)."""
    url = httpx.URL(base)
    return str(url.copy_with(path=url.path.rstrip("/") + "/health", query=None, fragment=None))
