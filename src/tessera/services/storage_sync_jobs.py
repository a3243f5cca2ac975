"""A source storage's sync runs as a job, as Label Studio's does with its job queue: `start_sync` marks the
storage `queued` (Label Studio's `info_set_queued`: `last_sync`, `last_sync_count` reset, `last_sync_job` set,
`meta` restarted) and queues a `storage_sync` job; the job marks it `in_progress`, lists the storage with no
transaction held, imports what is new in ONE transaction (all or nothing, see `storage_sync`), and leaves it
`completed` or `failed` with the reason in `traceback`.

One sync per storage at a time: a sync asked for while one is queued or running starts nothing and answers
that one (Label Studio does the same; a 409 would make its SDK retry, then raise). A job whose process died
is failed by `jobs.recover` (or when the storage is read), and its storage with it; a queued job outlives a
restart and runs when a runner starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tessera.db.engine import Database
from tessera.db.tables import Job, SourceStorage, utcnow
from tessera.domain.errors import TesseraError
from tessera.net.outbound import OutboundClient
from tessera.services import storage_sync
from tessera.services.actors import Actor
from tessera.services.job_errors import error_name, rebuilt
from tessera.services.jobs import JobRunner, Progress, enqueue, fail_if_dead, recover_one
from tessera.services.storages import get_storage

KIND = "storage_sync"
ACTIVE = ("queued", "in_progress")


@dataclass(frozen=True)
class SyncStart:
    storage: SourceStorage
    job_id: int
    started: bool  # False: a sync was queued or running already, and `job_id` is that one's


def start_sync(session: Session, actor: Actor, kind: str, storage_id: int, runner: JobRunner) -> SyncStart:
    """Queue a sync of the storage, or name the one queued or running; the caller commits, then wakes a
    runner. The storage row is locked meanwhile, so two requests cannot both queue one."""
    storage = get_storage(session, actor, kind, storage_id, "storages.change", for_update=True)
    active = _active_job(session, storage)
    if active is not None and not fail_if_dead(session, active, runner.handlers):
        return SyncStart(storage, active.id, started=False)
    payload = {
        "storage_id": storage.id,
        "kind": storage.kind,
        "actor": {"user_id": actor.user_id, "email": actor.email, "is_admin": actor.is_admin},
    }
    job = enqueue(session, KIND, payload, project_id=storage.project_id, user_id=actor.user_id or None)
    attempts = int((storage.sync_meta or {}).get("attempts") or 0) + 1
    storage.status = "queued"
    storage.last_sync_at = None
    storage.last_sync_count = None
    storage.last_sync_job_id = job.id
    storage.traceback = None
    storage.sync_meta = {"attempts": attempts, "time_queued": utcnow().isoformat()}
    session.flush()
    return SyncStart(storage, job.id, started=True)


def _active_job(session: Session, storage: SourceStorage) -> Job | None:
    """The storage's queued or running sync job, if any."""
    jobs = session.scalars(
        select(Job)
        .where(Job.kind == KIND, Job.project_id == storage.project_id, Job.status.in_(("queued", "running")))
        .order_by(Job.id)
    )
    return next((j for j in jobs if j.payload.get("storage_id") == storage.id), None)


def failure_of(storage: SourceStorage) -> TesseraError:
    """The error a failed sync raised, rebuilt from what it recorded on the storage: its kind, its message
    (the first line of `traceback`) and the bad rows it named (see `job_errors`)."""
    meta = storage.sync_meta or {}
    detail = (storage.traceback or "the sync failed").split("\n", 1)[0]
    return rebuilt(meta.get("error"), detail, meta.get("error_fields"))


@dataclass(frozen=True)
class StorageState:
    storage: SourceStorage
    progress: dict[str, Any] | None  # while its sync job runs: objects_listed, objects_new, tasks_imported


def read_storage_state(
    session: Session, actor: Actor, kind: str | None, storage_id: int, runner: JobRunner
) -> StorageState:
    """A storage with its sync's progress while the job runs. A sync left running by a process that died is
    failed here (`jobs.recover_one`), so that a client polling the storage never waits for a job nobody runs."""
    storage = get_storage(session, actor, kind, storage_id, "storages.view")
    if storage.status not in ACTIVE or storage.last_sync_job_id is None:
        return StorageState(storage, None)
    job = session.get(Job, storage.last_sync_job_id)
    if job is None or job.status != "running":
        return StorageState(storage, None)
    if recover_one(runner, job):
        session.rollback()  # a new snapshot, which sees the failure just committed
        return StorageState(get_storage(session, actor, kind, storage_id, "storages.view"), None)
    return StorageState(storage, runner.progress.read(job.id) or {})


class SyncJob:
    """The `storage_sync` job kind (see the module docstring)."""

    def __init__(self, client: OutboundClient, local_files_root: Path | None) -> None:
        self.client = client
        self.root = local_files_root

    def run(self, db: Database, job_id: int, payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
        actor = Actor(**payload["actor"])
        storage_id, kind = payload["storage_id"], payload["kind"]
        progress(phase="listing", objects_listed=0, objects_new=0, tasks_imported=0)
        try:
            with db.writer() as session:
                storage = session.get(SourceStorage, storage_id)
                if storage is None or storage.last_sync_job_id != job_id:
                    return {"storage_id": storage_id, "skipped": "deleted"}
                plan = storage_sync.plan_sync(session, actor, kind, storage_id, self.root)
                storage.status = "in_progress"
                storage.sync_meta = {**(storage.sync_meta or {}), "time_in_progress": utcnow().isoformat()}
                session.commit()
            # Listed with no transaction held: neither the database nor SQLite's write slot waits on it.
            listing = storage_sync.list_new(plan, self.client, lambda n: progress(objects_listed=n))
            progress(phase="importing", objects_listed=listing.listed, objects_new=len(listing.keys))
            try:
                with db.writer() as session:
                    storage = storage_sync.import_listed(
                        session, actor, plan, listing, lambda rows: progress(tasks_imported=rows)
                    )
                    count = storage.last_sync_count or 0
                    session.commit()
            finally:
                listing.close()
        except TesseraError as exc:
            with db.writer() as session:
                storage_sync.record_failure(session, storage_id, exc.detail, error_name(exc), exc.field_errors)
                session.commit()
            raise
        progress(phase="completed", tasks_imported=count, final=True)
        return {"storage_id": storage_id, "objects_listed": listing.listed, "task_count": count}

    def abandon(self, session: Session, job_id: int, payload: dict[str, Any], reason: str) -> None:
        storage = session.get(SourceStorage, payload.get("storage_id"))
        if storage is not None and storage.last_sync_job_id == job_id and storage.status in ACTIVE:
            storage_sync.record_failure(session, storage.id, reason)
