"""AWS Signature Version 4 for S3 requests, written out so that Tessera needs no AWS SDK.

A request is signed by hashing a canonical form of it (method, path, sorted query, the signed headers and the
body's SHA-256) into a "string to sign", and taking an HMAC-SHA256 of that under a key derived from the
secret key, the date, the region and the service. The signature goes into the `Authorization` header; the
body hash goes into `x-amz-content-sha256` too, which S3 requires. botocore's signer is the test oracle
(tests/net/test_sigv4.py).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

ALGORITHM = "AWS4-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str
    session_token: str | None = None


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def uri_encode(text: str, *, keep_slash: bool) -> str:
    """Percent-encode everything but RFC 3986's unreserved characters (and `/` in a path)."""
    return quote(text, safe="-_.~/" if keep_slash else "-_.~")


def canonical_query(params: list[tuple[str, str]]) -> str:
    pairs = sorted((uri_encode(k, keep_slash=False), uri_encode(v, keep_slash=False)) for k, v in params)
    return "&".join(f"{k}={v}" for k, v in pairs)


def signing_key(secret: str, day: str, region: str, service: str) -> bytes:
    key = _hmac(f"AWS4{secret}".encode(), day)
    for part in (region, service, "aws4_request"):
        key = _hmac(key, part)
    return key


def sign(
    method: str,
    url: str,
    params: list[tuple[str, str]],
    credentials: Credentials,
    region: str,
    *,
    service: str = "s3",
    payload_sha256: str = EMPTY_SHA256,
    headers: dict[str, str] | None = None,
    now: datetime | None = None,
) -> dict[str, str]:
    """The headers to send with the request: `headers` plus `host`, `x-amz-date`, `x-amz-content-sha256`,
    `x-amz-security-token` (with a session token) and `Authorization`. `url` holds the path already
    percent-encoded as it will be sent (S3 paths are not encoded twice); `params` is the query string."""
    at = (now or datetime.now(UTC)).astimezone(UTC)
    stamp, day = at.strftime("%Y%m%dT%H%M%SZ"), at.strftime("%Y%m%d")
    parts = urlsplit(url)
    out = {k.lower(): v for k, v in (headers or {}).items()}
    out["host"] = parts.netloc
    out["x-amz-date"] = stamp
    out["x-amz-content-sha256"] = payload_sha256
    if credentials.session_token:
        out["x-amz-security-token"] = credentials.session_token
    names = sorted(out)
    canonical_headers = "".join(f"{n}:{' '.join(out[n].split())}\n" for n in names)
    signed = ";".join(names)
    request = "\n".join(
        [method.upper(), parts.path or "/", canonical_query(params), canonical_headers, signed, payload_sha256]
    )
    scope = f"{day}/{region}/{service}/aws4_request"
    to_sign = "\n".join([ALGORITHM, stamp, scope, hashlib.sha256(request.encode()).hexdigest()])
    signature = hmac.new(
        signing_key(credentials.secret_access_key, day, region, service), to_sign.encode(), hashlib.sha256
    ).hexdigest()
    out["authorization"] = (
        f"{ALGORITHM} Credential={credentials.access_key_id}/{scope}, SignedHeaders={signed}, Signature={signature}"
    )
    return out
