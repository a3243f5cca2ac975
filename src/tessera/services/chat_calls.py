"""Calls to an OpenAI-compatible `POST {base_url}/chat/completions`, through the guarded outbound client.

Each attempt first takes a slot from the connector's rate limit (`rate_limits.py`). A 429, a 5xx, a timeout
or a dropped connection is retried up to the connector's `max_retries`, after `Retry-After` when the
endpoint sends one (capped at a minute) or else an exponential backoff (0.5 s, 1 s, 2 s … up to 30 s); a
live call (`max_wait` set) gives up instead of waiting longer than `max_wait` for a retry. A 4xx,
an address the guard refuses, or a 2xx that is not a chat completion fails at once. Failures raise
`UpstreamFailed` with a message for people; the API key is never part of it, nor of anything logged.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy.orm import Session

from tessera.db.tables import Connector, utcnow
from tessera.domain.chat import BadCompletion, completion_body, completion_texts
from tessera.domain.errors import Blocked, UpstreamFailed
from tessera.net.outbound import OutboundClient, describe_failure
from tessera.services.connector_keys import api_key_of
from tessera.services.ls_shapes import iso
from tessera.services.rate_limits import RateLimits

MAX_RETRY_AFTER = 60.0
MAX_BODY = 10 * 1024 * 1024


@dataclass(frozen=True)
class Endpoint:
    """What a call needs of a connector, read out of the session (the key is never shown by `repr`)."""

    connector_id: int
    name: str
    base_url: str
    model: str
    params: dict[str, Any]
    requests_per_minute: int
    max_retries: int
    timeout: float
    api_key: str | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return self.base_url.rstrip("/") + "/chat/completions"


def endpoint_of(session: Session, connector: Connector) -> Endpoint:
    return Endpoint(
        connector.id,
        connector.name,
        connector.base_url,
        connector.model,
        dict(connector.params or {}),
        connector.requests_per_minute,
        connector.max_retries,
        connector.timeout,
        api_key_of(session, connector),
    )


@dataclass(frozen=True)
class Completion:
    texts: list[str]
    model: str  # as the endpoint named it, else the connector's
    params: dict[str, Any]
    created_at: str
    attempts: int


class _Retry(Exception):
    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.after = reason, after


class ChatCaller:
    """Sends chat completions for every connector of the process; thread-safe (one per app)."""

    def __init__(
        self,
        client: OutboundClient,
        limits: RateLimits,
        *,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client, self.limits = client, limits
        self.backoff, self.max_backoff, self.sleep = backoff, max_backoff, sleep

    def complete(
        self, endpoint: Endpoint, messages: list[dict[str, str]], n: int = 1, *, max_wait: float | None = None
    ) -> Completion:
        """`n` replies to `messages`. An endpoint that ignores `n` is asked again for the rest."""
        texts: list[str] = []
        model = endpoint.model
        attempts = 0
        for _round in range(n):
            if len(texts) >= n:
                break
            got, answered_by, tries = self._call(
                endpoint, completion_body(endpoint.model, messages, endpoint.params, n - len(texts)), max_wait
            )
            texts += got
            model = answered_by or model
            attempts += tries
        if len(texts) < n:
            raise UpstreamFailed(f"connector {endpoint.name!r}: asked for {n} replies, got {len(texts)}")
        return Completion(texts[:n], model, dict(endpoint.params), iso(utcnow()) or "", attempts)

    def _call(
        self, endpoint: Endpoint, body: dict[str, Any], max_wait: float | None
    ) -> tuple[list[str], str | None, int]:
        headers = {"Authorization": f"Bearer {endpoint.api_key}"} if endpoint.api_key else {}
        reason = ""
        tries = 0
        for attempt in range(endpoint.max_retries + 1):
            self.limits.acquire(endpoint.connector_id, endpoint.requests_per_minute, max_wait=max_wait)
            tries = attempt + 1
            try:
                texts, model = self._once(endpoint, body, headers)
                return texts, model, tries
            except _Retry as retry:
                reason = retry.reason
                if attempt == endpoint.max_retries:
                    break
                delay = retry.after if retry.after is not None else self.backoff * 2**attempt
                delay = min(delay, self.max_backoff if retry.after is None else MAX_RETRY_AFTER)
                if max_wait is not None and delay > max_wait:  # a live call gives up rather than hang
                    reason += f"; it asks to wait {delay:.0f} s"
                    break
                self.sleep(delay)
        raise UpstreamFailed(self._say(endpoint, f"{reason} (after {tries} attempt{'s' if tries > 1 else ''})"))

    def _once(self, endpoint: Endpoint, body: dict[str, Any], headers: dict[str, str]) -> tuple[list[str], str | None]:
        try:
            response = self.client.request(
                "POST",
                endpoint.url,
                json=body,
                headers=headers,
                timeout=endpoint.timeout,
                total_timeout=endpoint.timeout,
                max_bytes=MAX_BODY,
            )
        except Blocked as exc:
            raise UpstreamFailed(self._say(endpoint, f"{endpoint.url} was refused: {exc.detail}")) from None
        except httpx.TimeoutException:
            raise _Retry(f"no answer within {endpoint.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise _Retry(f"cannot reach {endpoint.url}: {describe_failure(exc)}") from None
        status = response.status_code
        if status == 429 or status >= 500:
            raise _Retry(f"{endpoint.url} answered {status}{_said(response)}", _retry_after(response))
        if status in (401, 403):
            raise UpstreamFailed(
                self._say(endpoint, f"{endpoint.url} answered {status}: the API key is missing or wrong")
            )
        if not response.is_success:
            raise UpstreamFailed(self._say(endpoint, f"{endpoint.url} answered {status}{_said(response)}"))
        try:
            return completion_texts(response.json())
        except (ValueError, BadCompletion) as exc:  # JSONDecodeError is a ValueError
            detail = exc if isinstance(exc, BadCompletion) else "the body is not JSON"
            raise UpstreamFailed(
                self._say(endpoint, f"{endpoint.url} did not answer a chat completion: {detail}")
            ) from None

    @staticmethod
    def _say(endpoint: Endpoint, text: str) -> str:
        text = f"connector {endpoint.name!r}: {text}"
        return text.replace(endpoint.api_key, "***") if endpoint.api_key else text


def _said(response: httpx.Response) -> str:
    """`: <the endpoint's error message>` when its body has one (OpenAI's `{"error": {"message": …}}`)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else error
    return f": {message[:300]}" if isinstance(message, str) and message else ""


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        at = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (at - datetime.now(UTC)).total_seconds()) if at.tzinfo else None
