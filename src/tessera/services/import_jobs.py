"""Imports run as jobs: big uploads, `?async=true`, and files on the server.

The request spools what it received into the data folder, makes the import record (`created`) and a queued
job, and answers at once with the record's id. The job marks the record `in_progress`, then imports every
file inside ONE database transaction, so that a failure or a killed process leaves no task behind; a refused
import records its bad rows on the record (`failed`). Spooled files are removed when the job ends, whatever
the outcome; files read from the server's import root are never touched.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from tessera.db.engine import Database
from tessera.db.tables import ImportRecord, Job, Task, utcnow
from tessera.domain.errors import InvalidInput, NotFound, PermissionDenied, TesseraError
from tessera.services import imports
from tessera.services.access import get_project
from tessera.services.actors import Actor
from tessera.services.import_authors import AnnotatorMap
from tessera.services.jobs import JobRunner, Progress, enqueue, recover_one

KIND = "import"


@dataclass(frozen=True)
class JobFile:
    """A file for an import job: `name` (what the user called it; gives the format) at `path`."""

    name: str
    path: Path
    spooled: bool  # True: a copy made for this job, deleted when it ends


def start_import_job(
    session: Session,
    actor: Actor,
    project_id: int,
    files: list[JobFile],
    *,
    dedupe: bool = False,
    annotator_map: AnnotatorMap | None = None,
) -> ImportRecord:
    """Check the actor may import, then record the import (`created`) and queue its job; the caller commits."""
    project, _role = get_project(session, actor, project_id, "tasks.create")
    record = ImportRecord(
        project_id=project.id, created_by=actor.user_id or None, status="created", filenames=[f.name for f in files]
    )
    session.add(record)
    session.flush()
    payload = {
        "import_id": record.id,
        "project_id": project.id,
        "actor": {"user_id": actor.user_id, "email": actor.email, "is_admin": actor.is_admin},
        "files": [{"name": f.name, "path": str(f.path), "spooled": f.spooled} for f in files],
        "dedupe": dedupe,
        "annotator_map": {str(k): v for k, v in annotator_map.items()} if annotator_map is not None else None,
    }
    enqueue(session, KIND, payload, project_id=project.id, user_id=actor.user_id or None)
    return record


class _Counted:
    """A binary file that adds what is read to a shared byte count (for the job's progress)."""

    def __init__(self, raw: BinaryIO, counter: list[int]) -> None:
        self.raw, self.counter = raw, counter

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.counter[0] += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        n = self.raw.readinto(buffer)  # type: ignore[attr-defined]
        self.counter[0] += n or 0
        return n or 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


class ImportJob:
    """The `import` job kind (see the module docstring)."""

    def run(self, db: Database, job_id: int, payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
        import_id = payload["import_id"]
        actor = Actor(**payload["actor"])
        files = [JobFile(f["name"], Path(f["path"]), f["spooled"]) for f in payload["files"]]
        try:
            total = sum(f.path.stat().st_size for f in files)
        except OSError as exc:
            self._refuse(db, import_id, f"a file to import is gone: {exc.strerror}", [])
            raise InvalidInput("a file to import is gone") from exc
        with db.writer() as session:
            record = session.get(ImportRecord, import_id)
            if record is None:
                raise NotFound("import not found")
            record.status = "in_progress"
            session.commit()
        read = [0]
        progress(bytes_total=total, bytes_read=0, rows=0)
        handles = [_Counted(open(f.path, "rb"), read) for f in files]  # noqa: SIM115 - closed below
        try:
            with db.writer() as session:
                try:
                    summary = imports.import_tasks(
                        session,
                        actor,
                        payload["project_id"],
                        files=[imports.ImportSource(f.name, h) for f, h in zip(files, handles, strict=True)],  # type: ignore[misc]
                        keep_ids=False,
                        record_id=import_id,
                        dedupe=bool(payload.get("dedupe")),
                        annotator_map=_map_of(payload.get("annotator_map")),
                        progress=lambda rows: progress(rows=rows, bytes_read=read[0]),
                    )
                    session.commit()
                except TesseraError as exc:
                    session.rollback()
                    self._refuse(db, import_id, exc.detail, exc.field_errors.get("tasks") or [exc.detail])
                    raise
        finally:
            for h in handles:
                h.raw.close()
            _remove_spooled(files)
        progress(rows=summary.task_count + summary.duplicates, bytes_read=total, final=True)
        return {"import_id": import_id, "task_count": summary.task_count, "duplicates": summary.duplicates}

    def _refuse(self, db: Database, import_id: int, detail: str, errors: list[str]) -> None:
        with db.writer() as session:
            record = session.get(ImportRecord, import_id)
            if record is not None:
                record.status, record.errors, record.finished_at = "failed", [detail, *errors][:101], utcnow()
                record.task_count = record.annotation_count = record.prediction_count = 0
            session.commit()

    def abandon(self, session: Session, job_id: int, payload: dict[str, Any], reason: str) -> None:
        record = session.get(ImportRecord, payload.get("import_id"))
        if record is not None and record.status not in ("completed", "failed"):
            record.status, record.errors, record.finished_at = "failed", [reason], utcnow()
        _remove_spooled([JobFile(f["name"], Path(f["path"]), f["spooled"]) for f in payload.get("files", [])])


def _remove_spooled(files: list[JobFile]) -> None:
    for f in files:
        if f.spooled:
            f.path.unlink(missing_ok=True)
            try:
                f.path.parent.rmdir()  # the upload's own folder, once empty
            except OSError:
                pass


def server_file(root: Path | None, actor: Actor, relative: str) -> Path:
    """The file `relative` names under the import root, for an admin. Refused: no root configured, a path
    with `..` or absolute, and any path that resolves (through symlinks) outside the root."""
    if not actor.is_admin:
        raise PermissionDenied("only an instance admin can import files from the server")
    if root is None:
        detail = "importing files from the server is off: set TESSERA_IMPORT_ROOT"
        raise InvalidInput(detail, field_errors={"path": ["off"]})
    parts = relative.replace("\\", "/").split("/")
    if not relative or relative.startswith(("/", "\\")) or ".." in parts or "\x00" in relative or ":" in parts[0]:
        detail = f"path {relative!r} must be relative to the import root, without '..'"
        raise InvalidInput(detail, field_errors={"path": ["not contained"]})
    base = root.resolve()
    target = (base / relative).resolve()
    if not target.is_relative_to(base):
        raise InvalidInput(f"path {relative!r} leads outside the import root", field_errors={"path": ["not contained"]})
    if not target.is_file():
        raise InvalidInput(f"no file {relative!r} under the import root", field_errors={"path": ["not found"]})
    if not os.access(target, os.R_OK):
        raise InvalidInput(f"file {relative!r} cannot be read by the server", field_errors={"path": ["unreadable"]})
    return target


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


STALE_UPLOAD_SECONDS = 3600.0


def sweep_stale_uploads(db: Database, folder: Path, *, older_than: float = STALE_UPLOAD_SECONDS) -> int:
    """Remove upload folders that no queued or running job reads and that are older than `older_than` seconds:
    what a server killed while receiving an upload (before its job existed) left behind. The number removed."""
    if not folder.is_dir():
        return 0
    with db.reader() as session:
        payloads = session.scalars(select(Job.payload).where(Job.kind == KIND, Job.status.in_(("queued", "running"))))
        in_use = {Path(f["path"]).parent for p in payloads for f in p.get("files", []) if f.get("spooled")}
        session.rollback()
    cutoff = time.time() - older_than
    removed = 0
    for entry in folder.iterdir():
        if entry.is_dir() and entry not in in_use and entry.stat().st_mtime < cutoff:
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
    return removed


def _map_of(stored: dict[str, str] | None) -> AnnotatorMap | None:
    return {int(k): v for k, v in stored.items()} if stored is not None else None
