"""Reading an import's state while its job runs, and waiting for the job.

A request that started an import job may wait for it (`wait_for_import`), and then answer as if it had
imported itself (`finished_import`): Label Studio's synchronous answer when the job completed, the job's own
error when it failed. A big import is not waited for: once the job's progress shows more bytes than the
upload threshold, the request answers with the import id to poll, as a big upload does.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tessera.db.tables import ImportRecord, Job, Task
from tessera.services import imports
from tessera.services.actors import Actor
from tessera.services.import_jobs import KIND, StartedImport
from tessera.services.job_errors import rebuilt
from tessera.services.jobs import JobRunner, recover_one

SIZE_CHECK_SECONDS = 0.25  # how often a waiting request looks at the job's progress


@dataclass(frozen=True)
class ImportState:
    record: ImportRecord
    progress: dict[str, Any] | None
    task_ids: list[int] | None


MAX_TASK_IDS = 100_000  # a completed job's task ids are listed up to this many (the legacy SDK client reads them)


def read_import_state(
    session: Session, actor: Actor, project_id: int, import_id: int, runner: JobRunner
) -> ImportState:
    """An import record with its job's progress while it runs. A record left `in_progress` by a process that
    died is failed here too (`jobs.recover`), so a reader never waits for a job nobody runs."""
    record = imports.read_import(session, actor, project_id, import_id)
    progress = None
    if record.status in ("created", "in_progress"):
        job = _job_of(session, record)
        if job is not None and job.status == "running":
            if recover_one(runner, job):
                session.rollback()  # a new snapshot, which sees the failure just committed
                record = imports.read_import(session, actor, project_id, import_id)
            else:
                progress = runner.progress.read(job.id) or {}
    task_ids = None
    if record.status == "completed" and record.task_count <= MAX_TASK_IDS:
        task_ids = list(session.scalars(select(Task.id).where(Task.import_id == record.id).order_by(Task.id)))
    return ImportState(record, progress, task_ids)


def _job_of(session: Session, record: ImportRecord) -> Job | None:
    jobs = session.scalars(
        select(Job).where(Job.kind == KIND, Job.project_id == record.project_id, Job.status.in_(("queued", "running")))
    )
    return next((j for j in jobs if j.payload.get("import_id") == record.id), None)


def wait_for_import(runner: JobRunner, job_id: int, *, seconds: float, big_bytes: int) -> None:
    """Wait up to `seconds` for an import job to end, and no longer once its progress shows a file of more
    than `big_bytes` (downloaded or announced). No transaction is held while waiting."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        if runner.wait(job_id, min(left, SIZE_CHECK_SECONDS)) is not None:
            return
        seen = runner.progress.read(job_id) or {}
        if max(seen.get("bytes_read") or 0, seen.get("bytes_total") or 0) > big_bytes:
            return


def finished_import(
    session: Session, actor: Actor, project_id: int, started: StartedImport, runner: JobRunner
) -> dict[str, Any] | None:
    """What an ended import job gave: its result (the counts of the synchronous answer) with `task_ids`;
    the error it raised when it failed; None while it is queued or runs."""
    state = read_import_state(session, actor, project_id, started.record.id, runner)  # fails a dead job
    job = session.get(Job, started.job_id)
    if job is None or job.status in ("queued", "running"):
        return None
    if job.status == "failed":
        failure = job.result or {}
        detail = (state.record.errors or [job.error or "the import failed"])[0]
        raise rebuilt(failure.get("error"), detail, failure.get("error_fields"))
    return {**(job.result or {}), "task_ids": state.task_ids or []}
