"""Sync a source storage: list its objects (a key matching `regex_filter`, from the start of the key), and
import those it has not imported before as tasks.

With `use_blob_urls` each object becomes one task, `{"<data key of the config's object tag>": <reference>}`
(see `storage_links.reference`); without it, `.json` and `.jsonl` objects hold tasks (with their annotations
and predictions, as any import file), and other objects are left out (counted in `meta.skipped`), as Label
Studio reads them. What was imported is remembered per storage (`storage_objects`), so a sync imports only
new objects, and never again one whose tasks were deleted since.

The listing (and, for a bucket, the download of task files) happens before the write transaction, so that
neither the database nor, on SQLite, its one write slot waits on the network. The import itself is one
transaction: all or nothing, as every import. A sync runs as a job (`storage_sync_jobs.py`), which calls
`plan_sync`, `list_new` and `import_listed` in turn.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tessera.db.tables import SourceStorage, StorageObject, utcnow
from tessera.domain.config import cached_config
from tessera.domain.errors import InvalidInput
from tessera.io.local_folders import contained_file, list_files
from tessera.io.readers import RawTask, read_tasks
from tessera.net.outbound import OutboundClient
from tessera.net.s3 import Bucket, get_object, list_objects
from tessera.services.access import get_project
from tessera.services.actors import Actor
from tessera.services.imports import import_tasks
from tessera.services.storage_links import bucket_of, local_folder, reference
from tessera.services.storages import LOCAL, get_storage

TASK_FILES = (".json", ".jsonl")
MAX_TASK_FILE = 256 * 1024 * 1024
SPOOL_IN_MEMORY = 1024 * 1024


@dataclass
class SyncPlan:
    """What a sync needs from the database, read before any listing."""

    storage_id: int
    kind: str
    use_blob_urls: bool
    regex: re.Pattern[str] | None
    prefix: str
    recursive: bool
    known: set[str]
    folder: Path | None = None
    bucket: Bucket | None = None


@dataclass
class Listing:
    """New objects found: their keys, and for task files read from a bucket, their bytes spooled locally."""

    keys: list[str]
    skipped: int = 0
    listed: int = 0  # every key the storage listed, new or not
    files: dict[str, IO[bytes]] = field(default_factory=dict)

    def close(self) -> None:
        for handle in self.files.values():
            handle.close()


def plan_sync(session: Session, actor: Actor, kind: str, storage_id: int, root: Path | None) -> SyncPlan:
    storage = get_storage(session, actor, kind, storage_id, "storages.change")
    known = set(session.scalars(select(StorageObject.key).where(StorageObject.storage_id == storage.id)))
    settings = storage.settings
    plan = SyncPlan(
        storage.id,
        storage.kind,
        storage.use_blob_urls,
        re.compile(storage.regex_filter) if storage.regex_filter else None,
        settings.get("prefix") or "",
        bool(settings.get("recursive_scan", kind != LOCAL)),
        known,
    )
    if storage.kind == LOCAL:
        plan.folder = local_folder(storage, root)
    else:
        plan.bucket = bucket_of(session, storage)
    return plan


LISTED_EVERY = 100  # keys between two progress reports while listing


def list_new(plan: SyncPlan, client: OutboundClient, progress: Callable[[int], None] | None = None) -> Listing:
    """The objects not imported yet, in listing order (no database involved); `progress` hears the number of
    keys listed so far."""
    if plan.folder is not None:
        if not plan.folder.is_dir() or not os.access(plan.folder, os.R_OK | os.X_OK):
            # Not an empty listing: a folder removed (or unmounted) must not look like "nothing new".
            raise InvalidInput(f"the storage's folder {plan.folder.name!r} is gone or cannot be read by the server")
        keys: Iterable[str] = list_files(plan.folder, recursive=plan.recursive)
    else:
        assert plan.bucket is not None
        keys = (o.key for o in list_objects(client, plan.bucket, plan.prefix))
    listing = Listing([])
    for key in keys:
        listing.listed += 1
        if progress is not None and listing.listed % LISTED_EVERY == 0:
            progress(listing.listed)
        if key in plan.known or (plan.regex is not None and not plan.regex.match(key)):
            continue
        if not plan.use_blob_urls and not key.lower().endswith(TASK_FILES):
            listing.skipped += 1
            continue
        listing.keys.append(key)
    if progress is not None:
        progress(listing.listed)
    if plan.bucket is not None and not plan.use_blob_urls:
        try:
            for key in listing.keys:
                listing.files[key] = _download(client, plan.bucket, key)
        except BaseException:
            listing.close()
            raise
    return listing


def _download(client: OutboundClient, bucket: Bucket, key: str) -> IO[bytes]:
    handle = tempfile.SpooledTemporaryFile(SPOOL_IN_MEMORY, prefix="tessera-storage-")
    with get_object(client, bucket, key, max_bytes=MAX_TASK_FILE) as response:
        for chunk in response.iter_bytes():
            handle.write(chunk)
    handle.seek(0)
    return handle


def _data_key(session: Session, actor: Actor, project_id: int) -> str:
    project, _role = get_project(session, actor, project_id, "tasks.create")
    fields = sorted({o.value_field for o in cached_config(project.label_config).objects.values() if o.value_field})
    if len(fields) != 1:
        found = "no" if not fields else f"{len(fields)}"
        raise InvalidInput(
            f"the labeling config has {found} object tags with a $field: with use_blob_urls each object becomes "
            "a task of a project whose config has exactly one"
        )
    return fields[0]


def import_listed(
    session: Session,
    actor: Actor,
    plan: SyncPlan,
    listing: Listing,
    progress: Callable[[int], None] | None = None,
) -> SourceStorage:
    """Import the listed objects in the caller's transaction; record them and the sync on the storage.
    `progress` hears the number of tasks read so far."""
    storage = get_storage(session, actor, plan.kind, plan.storage_id, "storages.change", for_update=True)
    # Another sync may have committed meanwhile: what it imported is not imported twice.
    known = set(session.scalars(select(StorageObject.key).where(StorageObject.storage_id == storage.id)))
    keys = [k for k in listing.keys if k not in known]
    counts: dict[str, int] = {}
    if keys:
        if plan.use_blob_urls:
            data_key = _data_key(session, actor, storage.project_id)
            items = (RawTask(i, {data_key: reference(storage, key)}) for i, key in enumerate(keys, start=1))
            parsed: Iterable[tuple[str, Iterable[RawTask]]] = [(f"storage {storage.id}", items)]
            counts = dict.fromkeys(keys, 1)
        else:
            parsed = _task_files(plan, listing, keys, counts)
        summary = import_tasks(session, actor, storage.project_id, parsed=parsed, progress=progress)
        total = summary.task_count
        now = utcnow()
        session.execute(
            insert(StorageObject),
            [{"storage_id": storage.id, "key": k, "task_count": counts.get(k, 0), "created_at": now} for k in keys],
        )
    else:
        total = 0
    now = utcnow()
    storage.status = "completed"
    storage.last_sync_at = now
    storage.last_sync_count = total
    storage.traceback = None
    storage.settings = {**storage.settings, "skipped": listing.skipped}
    meta = dict(storage.sync_meta or {})
    meta.update(
        time_completed=now.isoformat(),
        duration=_since(meta.get("time_in_progress"), now),
        objects_listed=listing.listed,
        tasks_existed=len(known),
    )
    meta.pop("error", None)
    storage.sync_meta = meta
    session.flush()
    return storage


def _since(start: str | None, now: datetime) -> float | None:
    """Seconds from an ISO time kept in `sync_meta` to `now`."""
    if not start:
        return None
    try:
        return round((now - datetime.fromisoformat(start)).total_seconds(), 3)
    except (TypeError, ValueError):
        return None


def _task_files(
    plan: SyncPlan, listing: Listing, keys: list[str], counts: dict[str, int]
) -> Iterator[tuple[str, Iterable[RawTask]]]:
    for key in keys:
        if plan.folder is not None:
            with open(contained_file(plan.folder, key), "rb") as handle:
                yield key, _counted(read_tasks(handle, key), key, counts)
        else:
            yield key, _counted(read_tasks(listing.files[key], key), key, counts)


def _counted(items: Iterable[RawTask], key: str, counts: dict[str, int]) -> Iterator[RawTask]:
    counts[key] = 0
    for item in items:
        counts[key] += 1
        yield item


def record_failure(
    session: Session,
    storage_id: int,
    message: str,
    error: str | None = None,
    field_errors: dict[str, list[str]] | None = None,
) -> None:
    """Mark a failed sync on the storage (in a transaction of its own, after the failed one rolled back).
    `traceback` gets the message and, below it, every bad row the import named; `error` (an exception class
    of `domain.errors`) and `field_errors` are kept for a caller waiting on the sync (see
    `storage_sync_jobs.failure_of`)."""
    storage = session.get(SourceStorage, storage_id)
    if storage is not None:
        now = utcnow()
        lines = [m for messages in (field_errors or {}).values() for m in messages if m not in message]
        storage.status = "failed"
        storage.traceback = "\n".join([message, *lines])[:100_000]
        meta = dict(storage.sync_meta or {})
        meta.update(time_failure=now.isoformat(), duration=_since(meta.get("time_in_progress"), now))
        if error is not None:
            meta["error"] = error
        if field_errors:
            meta["error_fields"] = field_errors
        storage.sync_meta = meta
        session.flush()
