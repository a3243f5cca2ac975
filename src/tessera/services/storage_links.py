"""References to storage objects in task data, and the signed, expiring links the browser gets instead.

Task data keeps a stable reference: `s3://<bucket>/<key>` for a bucket, and Label Studio's
`/data/local-files/?d=<path under the local files root>` for a local folder, so that an export holds what
Label Studio's would. When tasks go out for labeling (`GET /api/tasks`, `/api/tasks/{id}`, the next task),
each reference that names an object of one of the project's storages (under its prefix or folder) becomes
`/data/storage/<storage id>?key=…&expires=…&sig=…`: an HMAC-SHA256, under a key derived from the instance
secret, of the storage, the key and the expiry time. The link is a capability: whoever holds it may read that
one object until it expires (as with an S3 presigned URL), and nothing else; Tessera streams the object from
the storage itself, so neither the credentials nor the bucket's address reach the browser. Expiry times are
rounded up to the minute, so the same task read twice within a minute gets the same link (and the browser's
cached copy).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from sqlalchemy import select
from sqlalchemy.orm import Session

from tessera.db.tables import SourceStorage
from tessera.domain.errors import NotFound, PermissionDenied
from tessera.io.local_folders import contained_file, within
from tessera.net.s3 import DEFAULT_REGION, Bucket
from tessera.net.sigv4 import Credentials
from tessera.services.storage_keys import link_key, unseal
from tessera.services.storages import DEFAULT_TTL_MINUTES, LOCAL, S3

LINK_PATH = "/data/storage"
LOCAL_REFERENCE = "/data/local-files/?d="


def reference(storage: SourceStorage, key: str) -> str:
    """What task data holds for object `key` of `storage`."""
    if storage.kind == LOCAL:
        relative = storage.settings.get("relative") or "."
        under_root = key if relative == "." else f"{relative}/{key}"
        return LOCAL_REFERENCE + quote(under_root, safe="/")
    return f"s3://{storage.settings['bucket']}/{key}"


def _reference_prefix(storage: SourceStorage) -> str:
    if storage.kind == LOCAL:
        relative = storage.settings.get("relative") or "."
        return LOCAL_REFERENCE if relative == "." else LOCAL_REFERENCE + quote(relative, safe="/") + "/"
    return f"s3://{storage.settings.get('bucket')}/{storage.settings.get('prefix') or ''}"


def _key_of(storage: SourceStorage, value: str) -> str | None:
    prefix = _reference_prefix(storage)
    if not value.startswith(prefix):
        return None
    if storage.kind == LOCAL:
        return unquote(value[len(prefix) :])
    return value[len(f"s3://{storage.settings.get('bucket')}/") :]


def signature(secret: bytes, storage_id: int, key: str, expires: int) -> str:
    digest = hmac.new(secret, f"{storage_id}\n{expires}\n{key}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def signed_link(secret: bytes, storage_id: int, key: str, expires: int) -> str:
    sig = signature(secret, storage_id, key, expires)
    return f"{LINK_PATH}/{storage_id}?key={quote(key, safe='/')}&expires={expires}&sig={sig}"


def _expiry(storage: SourceStorage, now: float) -> int:
    minutes = int(storage.settings.get("presign_ttl") or DEFAULT_TTL_MINUTES)
    return (int(now) // 60 + minutes + 1) * 60


def resolve_links(session: Session, project_id: int, datas: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copies of task `datas` with every storage reference (a string value, or one in a list) replaced by a
    signed link; the dicts themselves when none holds a reference or the project has no storage."""
    if not any(_holds_reference(data) for data in datas):
        return datas  # most tasks: no need to read the project's storages
    resolve = link_resolver(session, project_id)
    return datas if resolve is None else [resolve(data) for data in datas]


def _is_reference(value: Any) -> bool:
    return isinstance(value, str) and (value.startswith("s3://") or value.startswith(LOCAL_REFERENCE))


def _holds_reference(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    return any(_is_reference(v) or (isinstance(v, list) and any(map(_is_reference, v))) for v in data.values())


def text_may_hold_reference(stored: str) -> bool:
    """Whether a task's stored JSON text may hold a storage reference (stored JSON escapes neither `/` nor
    letters, so a reference appears as it is)."""
    return "s3://" in stored or LOCAL_REFERENCE in stored


def link_resolver(session: Session, project_id: int) -> Callable[[Any], Any] | None:
    """What turns a task's data into a copy with signed links (see `resolve_links`); None when the project has
    no storage, so that its data can go out as stored."""
    storages = list(session.scalars(select(SourceStorage).where(SourceStorage.project_id == project_id)))
    if not storages:
        return None
    secret = link_key(session)
    now = time.time()

    def resolve(value: Any) -> Any:
        if _is_reference(value):
            for storage in storages:
                key = _key_of(storage, value)
                if key:
                    return signed_link(secret, storage.id, key, _expiry(storage, now))
        elif isinstance(value, list):
            return [resolve(v) for v in value]
        return value

    def resolve_data(data: Any) -> Any:
        return {k: resolve(v) for k, v in data.items()} if isinstance(data, dict) else data

    return resolve_data


@dataclass(frozen=True)
class LinkedObject:
    """What a valid link opens: a file of a local folder, or an object of a bucket."""

    key: str
    path: Path | None = None
    bucket: Bucket | None = None


def bucket_of(session: Session, storage: SourceStorage) -> Bucket:
    settings = storage.settings
    secrets = unseal(session, storage.secrets_encrypted)
    credentials = None
    if settings.get("aws_access_key_id") and secrets.get("aws_secret_access_key"):
        credentials = Credentials(
            settings["aws_access_key_id"], secrets["aws_secret_access_key"], secrets.get("aws_session_token")
        )
    return Bucket(
        settings["bucket"], settings.get("region_name") or DEFAULT_REGION, settings.get("s3_endpoint"), credentials
    )


def local_folder(storage: SourceStorage, root: Path | None) -> Path:
    """The storage's folder, checked again against the server's current root (which may have changed)."""
    if root is None:
        raise NotFound("local folders are off on this server")
    folder = Path(storage.settings["path"]).resolve()
    if not within(folder, root.resolve()):
        raise NotFound("the storage's folder is no longer under the local files root")
    return folder


def open_link(
    session: Session, storage_id: int, key: str, expires: str, sig: str, root: Path | None, now: float | None = None
) -> LinkedObject:
    """Check a link (403 when tampered with or expired) and say what it opens (404 when it is gone)."""
    if not (expires.isascii() and expires.isdigit()) or not sig:
        raise PermissionDenied("this link is not valid")
    expected = signature(link_key(session), storage_id, key, int(expires))
    if not hmac.compare_digest(expected, sig):
        raise PermissionDenied("this link is not valid")
    if int(expires) < (time.time() if now is None else now):
        raise PermissionDenied("this link has expired: reload the task")
    storage = session.get(SourceStorage, storage_id)
    if storage is None:
        raise NotFound("no such file")
    if storage.kind == LOCAL:
        return LinkedObject(key, path=contained_file(local_folder(storage, root), key))
    if storage.kind == S3:
        return LinkedObject(key, bucket=bucket_of(session, storage))
    raise NotFound("no such file")
