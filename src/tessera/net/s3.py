"""A small S3 client over the guarded outbound client: list a bucket (ListObjectsV2, page by page with
continuation tokens) and stream one object (GetObject). Every request is signed with `sigv4` when the storage
has credentials (anonymous otherwise: a public bucket) and goes through `OutboundClient`, so the SSRF guard
and its allowlist apply to a custom endpoint as to any URL a user gives.

Addressing: with an endpoint (MinIO, moto, another S3-compatible server) path-style, `<endpoint>/<bucket>/<key>`;
on AWS itself virtual-hosted, `https://<bucket>.s3.<region>.amazonaws.com/<key>` (path-style for bucket names
with dots, which a wildcard certificate does not cover).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

import httpx
from defusedxml.ElementTree import fromstring

from tessera.domain.errors import InvalidInput, NotFound, UpstreamFailed
from tessera.net.outbound import OutboundClient, describe_failure
from tessera.net.sigv4 import Credentials, canonical_query, sign, uri_encode

DEFAULT_REGION = "us-east-1"
LIST_PAGE = 1000  # S3's own maximum per ListObjectsV2 call
LIST_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Bucket:
    name: str
    region: str = DEFAULT_REGION
    endpoint: str | None = None
    credentials: Credentials | None = None

    def url(self, key: str = "") -> str:
        path = uri_encode(key, keep_slash=True)
        if self.endpoint:
            return f"{self.endpoint.rstrip('/')}/{uri_encode(self.name, keep_slash=False)}/{path}"
        if "." in self.name:
            return f"https://s3.{self.region}.amazonaws.com/{self.name}/{path}"
        return f"https://{self.name}.s3.{self.region}.amazonaws.com/{path}"


@dataclass(frozen=True)
class S3Object:
    key: str
    size: int


def _headers(bucket: Bucket, method: str, url: str, params: list[tuple[str, str]], extra: dict[str, str]) -> dict:
    if bucket.credentials is None:
        return extra
    return sign(method, url, params, bucket.credentials, bucket.region, headers=extra)


def _text(node: Element | None, name: str) -> str:
    found = node.find(name) if node is not None else None
    return (found.text or "") if found is not None else ""


def _strip_namespaces(root: Element) -> Element:
    for node in root.iter():
        if isinstance(node.tag, str) and "}" in node.tag:
            node.tag = node.tag.split("}", 1)[1]
    return root


def _failure(bucket: Bucket, response: httpx.Response, body: bytes) -> InvalidInput:
    code = message = ""
    try:
        root = _strip_namespaces(fromstring(body))
        code, message = _text(root, "Code"), _text(root, "Message")
    except Exception:  # not S3's XML error: name the status only
        pass
    what = f"{code}: {message}".strip(": ") or response.reason_phrase
    return InvalidInput(f"bucket {bucket.name!r} answered {response.status_code} ({what})")


def list_objects(client: OutboundClient, bucket: Bucket, prefix: str = "") -> Iterator[S3Object]:
    """Every object under `prefix`, in S3's key order, one ListObjectsV2 page at a time."""
    token = ""
    while True:
        params = [("list-type", "2"), ("max-keys", str(LIST_PAGE))]
        if prefix:
            params.append(("prefix", prefix))
        if token:
            params.append(("continuation-token", token))
        base = bucket.url()
        try:
            response = client.request(
                "GET",
                f"{base}?{canonical_query(params)}",
                headers=_headers(bucket, "GET", base, params, {}),
                max_bytes=LIST_BYTES,
            )
        except httpx.HTTPError as exc:
            raise UpstreamFailed(f"cannot list bucket {bucket.name!r}: {describe_failure(exc)}") from exc
        if response.status_code != 200:
            raise _failure(bucket, response, response.content)
        try:
            root = _strip_namespaces(fromstring(response.content))
        except (ParseError, ValueError) as exc:  # defusedxml's refusals are ValueErrors
            raise UpstreamFailed(f"bucket {bucket.name!r} answered a listing that is not S3's XML") from exc
        for item in root.findall("Contents"):
            key = _text(item, "Key")
            if key and not key.endswith("/"):  # "folder" placeholder objects are not files
                size = _text(item, "Size")
                yield S3Object(key, int(size) if size.isdigit() else 0)
        token = _text(root, "NextContinuationToken")
        if _text(root, "IsTruncated").lower() != "true" or not token:
            return


@contextmanager
def get_object(
    client: OutboundClient, bucket: Bucket, key: str, *, max_bytes: int, byte_range: str | None = None
) -> Iterator[httpx.Response]:
    """The object's response, unread, for streaming (`iter_bytes`). A missing object is `NotFound`; with
    `byte_range` (an HTTP Range value) the answer may be a 206."""
    url = bucket.url(key)
    extra = {"range": byte_range} if byte_range else {}
    try:
        with client.stream("GET", url, headers=_headers(bucket, "GET", url, [], extra), max_bytes=max_bytes) as r:
            if r.status_code in (404, 403) and not byte_range:
                raise NotFound("no such object")
            if r.status_code not in (200, 206):
                raise _failure(bucket, r, r.read()[:65536])
            yield r
    except httpx.HTTPError as exc:
        raise UpstreamFailed(f"cannot read from bucket {bucket.name!r}: {describe_failure(exc)}") from exc
