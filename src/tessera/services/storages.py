"""Source storages (Label Studio's import storages): a local folder under the server's local files root, or an
S3-compatible bucket, connected to a project (`/api/storages/localfiles`, `/api/storages/s3`).

Managers of the project configure storages; a local folder is created or moved by an instance admin only, so
that a project manager cannot point the server at its own files. The S3 secret key and session token are
write-only: sealed with a key derived from the instance secret (`storage_keys.py`) and never read back; the
server's own AWS credentials (environment, instance profile) are never used. Every storage is reached through
the scoped accessor: another project's storage is not found.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from tessera.db.tables import SourceStorage, utcnow
from tessera.domain.errors import InvalidInput, NotFound, PermissionDenied
from tessera.io.local_folders import folder_under_root
from tessera.services.access import get_project, get_scoped
from tessera.services.actors import Actor
from tessera.services.storage_keys import seal, unseal

LOCAL, S3 = "localfiles", "s3"
KINDS = {LOCAL: "Local files", S3: "AWS S3"}
COMMON = {"project", "title", "description", "regex_filter", "use_blob_urls", "synchronizable", "recursive_scan", "id"}
FIELDS = {
    LOCAL: COMMON | {"path"},
    S3: COMMON
    | {
        "bucket",
        "prefix",
        "region_name",
        "s3_endpoint",
        "presign",
        "presign_ttl",
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_session_token",
        "aws_sse_kms_key_id",
    },
}
SECRETS = ("aws_secret_access_key", "aws_session_token")
DEFAULT_TTL_MINUTES = 15
MAX_REGEX = 1000
_REGION = re.compile(r"^[a-z0-9-]{1,64}$")


def _text(body: dict[str, Any], key: str, errors: dict[str, list[str]], limit: int) -> None:
    value = body.get(key)
    if value is not None and (not isinstance(value, str) or len(value) > limit):
        errors[key] = [f"must be a string of at most {limit} characters"]


def _problems(kind: str, body: dict[str, Any], creating: bool) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {k: ["unknown field"] for k in sorted(set(body) - FIELDS[kind])}
    for key, limit in (("title", 255), ("description", 10_000), ("prefix", 1024), ("aws_sse_kms_key_id", 2048)):
        _text(body, key, errors, limit)
    for key in ("aws_access_key_id", *SECRETS):
        _text(body, key, errors, 4096)
    for key in ("use_blob_urls", "synchronizable", "recursive_scan", "presign"):
        if body.get(key) is not None and not isinstance(body[key], bool):
            errors[key] = ["must be a boolean"]
    regex = body.get("regex_filter")
    if regex is not None:
        if not isinstance(regex, str) or len(regex) > MAX_REGEX:
            errors["regex_filter"] = [f"must be a regular expression of at most {MAX_REGEX} characters"]
        else:
            try:
                re.compile(regex)
            except re.error as exc:
                errors["regex_filter"] = [f"not a regular expression: {exc}"]
    if kind == LOCAL and (creating or "path" in body) and (not isinstance(body.get("path"), str) or not body["path"]):
        errors["path"] = ["this field is required" if creating else "must be a non-empty string"]
    if kind == S3:
        bucket = body.get("bucket")
        if (creating or "bucket" in body) and (
            not isinstance(bucket, str) or not 1 <= len(bucket) <= 255 or "/" in bucket or bucket.strip() != bucket
        ):
            errors["bucket"] = ["must be a bucket name"]
        region = body.get("region_name")
        if region not in (None, "") and (not isinstance(region, str) or not _REGION.match(region)):
            errors["region_name"] = ["must be a region name such as us-east-1"]
        endpoint = body.get("s3_endpoint")
        if endpoint not in (None, ""):
            parts = urlsplit(endpoint) if isinstance(endpoint, str) else None
            if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
                errors["s3_endpoint"] = ["must be an http(s) URL such as https://minio.example.com"]
            elif parts.username or parts.password:
                errors["s3_endpoint"] = ["must not hold credentials; use aws_access_key_id"]
        ttl = body.get("presign_ttl")
        if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, int) or not 1 <= ttl <= 7 * 24 * 60):
            errors["presign_ttl"] = ["must be a number of minutes from 1 to 10080"]
    return errors


def _check(kind: str, body: Any, creating: bool) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    errors = _problems(kind, body, creating)
    if errors:
        # Messages name the field; a value is never echoed (it might be a secret).
        raise InvalidInput("; ".join(f"{k}: {v[0]}" for k, v in errors.items()), field_errors=errors)
    return body


def _apply(session: Session, storage: SourceStorage, body: dict[str, Any], root: Path | None, actor: Actor) -> None:
    for key in ("title", "description"):
        if key in body:
            setattr(storage, key, body[key] or "")
    if "regex_filter" in body:
        storage.regex_filter = body["regex_filter"] or None
    if body.get("use_blob_urls") is not None:
        storage.use_blob_urls = body["use_blob_urls"]
    settings = dict(storage.settings or {})
    if body.get("recursive_scan") is not None:
        settings["recursive_scan"] = body["recursive_scan"]
    if storage.kind == LOCAL and "path" in body:
        if not actor.is_admin:
            raise PermissionDenied("only an instance admin may connect a local folder")
        if root is None:
            msg = "local folders are off on this server: its admin sets TESSERA_LOCAL_FILES_ROOT to turn them on"
            raise InvalidInput(msg, field_errors={"path": [msg]})
        folder = folder_under_root(root, body["path"])
        settings["path"] = str(folder)
        settings["relative"] = folder.relative_to(root.resolve()).as_posix()
    if storage.kind == S3:
        for key in ("bucket", "prefix", "region_name", "s3_endpoint", "aws_access_key_id", "aws_sse_kms_key_id"):
            if key in body:
                settings[key] = body[key] or None
        for key in ("presign", "presign_ttl"):
            if body.get(key) is not None:
                settings[key] = body[key]
        if any(key in body for key in SECRETS):
            secrets = unseal(session, storage.secrets_encrypted)
            for key in SECRETS:
                if key in body:
                    secrets[key] = body[key] or None
            kept = {k: v for k, v in secrets.items() if v}
            storage.secrets_encrypted = seal(session, kept) if kept else None
    storage.settings = settings


def _project_of(body: dict[str, Any]) -> int:
    project = body.get("project")
    if isinstance(project, bool) or not isinstance(project, int):
        raise InvalidInput("project is required", field_errors={"project": ["must be a project id"]})
    return project


def create_storage(
    session: Session, actor: Actor, kind: str, body: Any, root: Path | None, *, save: bool = True
) -> SourceStorage:
    """A new storage of the project named in `body`; with `save=False` only checked (Label Studio's
    `validate`): the same errors, nothing written."""
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    project, _role = get_project(session, actor, _project_of(body), "storages.change")
    body = _check(kind, body, creating=True)
    storage = SourceStorage(
        project_id=project.id,
        kind=kind,
        created_by=actor.user_id or None,
        settings={"recursive_scan": False} if kind == LOCAL else {"presign": True, "presign_ttl": DEFAULT_TTL_MINUTES},
    )
    _apply(session, storage, body, root, actor)
    if save:
        session.add(storage)
        session.flush()
    return storage


def get_storage(
    session: Session, actor: Actor, kind: str | None, storage_id: int, action: str, *, for_update: bool = False
) -> SourceStorage:
    """A storage through its project's membership; one of another kind than the URL names is not found."""
    storage, _role = get_scoped(session, actor, SourceStorage, storage_id, action, for_update=for_update)
    if kind is not None and storage.kind != kind:
        raise NotFound("storage not found")
    return storage


def list_storages(session: Session, actor: Actor, project_id: int, kind: str | None = None) -> list[SourceStorage]:
    project, _role = get_project(session, actor, project_id, "storages.view")
    q = select(SourceStorage).where(SourceStorage.project_id == project.id).order_by(SourceStorage.id)
    if kind is not None:
        q = q.where(SourceStorage.kind == kind)
    return list(session.scalars(q))


def update_storage(
    session: Session, actor: Actor, kind: str, storage_id: int, body: Any, root: Path | None
) -> SourceStorage:
    storage = get_storage(session, actor, kind, storage_id, "storages.change", for_update=True)
    body = _check(kind, body, creating=False)
    if "project" in body and body["project"] not in (None, storage.project_id):
        raise InvalidInput("a storage cannot move to another project", field_errors={"project": ["cannot change"]})
    if kind == LOCAL and body.get("path") == storage.settings.get("path"):
        body = {k: v for k, v in body.items() if k != "path"}  # the same folder sent back: not a move
    _apply(session, storage, body, root, actor)
    storage.updated_at = utcnow()
    session.flush()
    return storage


def delete_storage(session: Session, actor: Actor, kind: str, storage_id: int) -> None:
    """The storage goes; its tasks stay, and links to its objects stop working."""
    storage = get_storage(session, actor, kind, storage_id, "storages.change")
    session.delete(storage)
    session.flush()
