"""Imports run as jobs: big uploads, `?async=true`, files on the server, files fetched from a URL, and COCO or
YOLO datasets.

The request spools what it received into the data folder (or, for a URL, nothing: the job fetches it), makes
the import record (`created`) and a queued job, and answers with the record's id. The job marks the record
`in_progress`, downloads the URL if there is one (no transaction held meanwhile), then imports every file
inside ONE database transaction, so that a failure or a killed process leaves no task behind; a refused
import records its message and bad rows on the record (`failed`), and on its job the kind of error, so that
a request that waited for the job answers as if it had imported itself (`finished_import`). Spooled files are
removed when the job ends, whatever the outcome; files read from the server's import root are never touched.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from tessera.db.engine import Database
from tessera.db.tables import ImportRecord, Job, utcnow
from tessera.domain.errors import InvalidInput, NotFound, PermissionDenied, TesseraError
from tessera.net.outbound import OutboundClient
from tessera.services import dataset_imports, imports, remote_files
from tessera.services.access import get_project
from tessera.services.actors import Actor
from tessera.services.import_authors import AnnotatorMap
from tessera.services.job_errors import error_name
from tessera.services.jobs import Progress, enqueue

KIND = "import"


@dataclass(frozen=True)
class JobFile:
    """A file for an import job: `name` (what the user called it; gives the format) at `path`."""

    name: str
    path: Path
    spooled: bool  # True: a copy made for this job, deleted when it ends


@dataclass(frozen=True)
class StartedImport:
    record: ImportRecord
    job_id: int


def start_import_job(
    session: Session,
    actor: Actor,
    project_id: int,
    files: list[JobFile],
    *,
    dedupe: bool = False,
    annotator_map: AnnotatorMap | None = None,
    url: str | None = None,
    dataset: dataset_imports.DatasetOptions | None = None,
) -> StartedImport:
    """Check the actor may import, then record the import (`created`) and queue its job; the caller commits.
    The job imports `files`, or the file it fetches from `url`; as a COCO or YOLO `dataset` when given."""
    project, _role = get_project(session, actor, project_id, "tasks.create")
    names = [f.name for f in files] + ([url] if url else [])
    record = ImportRecord(project_id=project.id, created_by=actor.user_id or None, status="created", filenames=names)
    session.add(record)
    session.flush()
    payload = {
        "import_id": record.id,
        "project_id": project.id,
        "actor": {"user_id": actor.user_id, "email": actor.email, "is_admin": actor.is_admin},
        "files": [{"name": f.name, "path": str(f.path), "spooled": f.spooled} for f in files],
        "url": url,
        "dataset": dataset.to_payload() if dataset is not None else None,
        "dedupe": dedupe,
        "annotator_map": {str(k): v for k, v in annotator_map.items()} if annotator_map is not None else None,
    }
    job = enqueue(session, KIND, payload, project_id=project.id, user_id=actor.user_id or None)
    return StartedImport(record, job.id)


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
    """The `import` job kind (see the module docstring). `client` fetches URLs, at most `max_bytes` each."""

    def __init__(self, client: OutboundClient | None = None, max_bytes: int = 1 << 30) -> None:
        self.client, self.max_bytes = client, max_bytes

    def run(self, db: Database, job_id: int, payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
        import_id = payload["import_id"]
        files = _files_of(payload)
        try:
            with ExitStack() as stack:
                stack.callback(_remove_spooled, files)
                _mark_in_progress(db, import_id)
                read = [0]
                sources, total = self._sources(stack, payload, files, progress, read)
                progress(phase="importing", bytes_total=total, bytes_read=0, rows=0)

                def counted(rows: int) -> None:
                    progress(rows=rows, bytes_read=read[0])

                with db.writer() as session:
                    try:
                        result = _import(session, payload, sources, counted)
                        session.commit()
                    except BaseException:
                        session.rollback()
                        raise
        except TesseraError as exc:
            self._refuse(db, job_id, import_id, exc)
            raise
        progress(phase="completed", rows=result["task_count"] + result["duplicates"], bytes_read=total, final=True)
        return result

    def _sources(
        self, stack: ExitStack, payload: dict[str, Any], files: list[JobFile], progress: Progress, read: list[int]
    ) -> tuple[list[imports.ImportSource], int]:
        """The files to import, open (closed with `stack`), each counting what is read into `read`; and their
        size. A URL is downloaded first, into a temporary file."""
        url = payload.get("url")
        if url:
            if self.client is None:
                raise TesseraError("this server cannot fetch files")
            fetched = stack.enter_context(
                remote_files.downloaded(
                    self.client,
                    url,
                    max_bytes=self.max_bytes,
                    progress=lambda n, total: progress(phase="downloading", bytes_read=n, bytes_total=total, rows=0),
                )
            )
            size = fetched.stream.seek(0, os.SEEK_END)
            fetched.stream.seek(0)
            return [imports.ImportSource(fetched.filename, _Counted(fetched.stream, read))], size  # type: ignore[arg-type]
        try:
            total = sum(f.path.stat().st_size for f in files)
        except OSError as exc:
            raise InvalidInput(f"a file to import is gone: {exc.strerror}") from exc
        handles = [stack.enter_context(open(f.path, "rb")) for f in files]
        return [imports.ImportSource(f.name, _Counted(h, read)) for f, h in zip(files, handles, strict=True)], total  # type: ignore[misc]

    def _refuse(self, db: Database, job_id: int, import_id: int, exc: TesseraError) -> None:
        """Record the refusal on the import (`failed`, its message and bad rows) and its kind on the job."""
        errors = exc.field_errors.get("tasks") or [exc.detail]
        with db.writer() as session:
            record = session.get(ImportRecord, import_id)
            if record is not None:
                record.status, record.errors, record.finished_at = "failed", [exc.detail, *errors][:101], utcnow()
                record.task_count = record.annotation_count = record.prediction_count = 0
            job = session.get(Job, job_id)
            if job is not None:
                job.result = {"error": error_name(exc), "error_fields": exc.field_errors}
            session.commit()

    def abandon(self, session: Session, job_id: int, payload: dict[str, Any], reason: str) -> None:
        record = session.get(ImportRecord, payload.get("import_id"))
        if record is not None and record.status not in ("completed", "failed"):
            record.status, record.errors, record.finished_at = "failed", [reason], utcnow()
        _remove_spooled(_files_of(payload))


def _files_of(payload: dict[str, Any]) -> list[JobFile]:
    return [JobFile(f["name"], Path(f["path"]), f["spooled"]) for f in payload.get("files", [])]


def _mark_in_progress(db: Database, import_id: int) -> None:
    with db.writer() as session:
        record = session.get(ImportRecord, import_id)
        if record is None:
            raise NotFound("import not found")
        record.status = "in_progress"
        session.commit()


def _import(
    session: Session, payload: dict[str, Any], sources: list[imports.ImportSource], rows: Callable[[int], None]
) -> dict[str, Any]:
    """Import `sources` in the caller's transaction, as tasks or as the dataset the payload names; the
    job's result: the counts of the synchronous answer."""
    actor, project_id, import_id = Actor(**payload["actor"]), payload["project_id"], payload["import_id"]
    left_out: dict[str, int] | None = None
    if payload.get("dataset"):
        options = dataset_imports.DatasetOptions.from_payload(payload["dataset"])
        if len(sources) != 1:
            raise InvalidInput(f"a {options.fmt.upper()} import takes one file", field_errors={"file": ["one file"]})
        summary, left_out = dataset_imports.import_dataset(
            session, actor, project_id, sources[0], options, record_id=import_id, progress=rows
        )
    else:
        summary = imports.import_tasks(
            session,
            actor,
            project_id,
            files=sources,
            keep_ids=False,
            record_id=import_id,
            dedupe=bool(payload.get("dedupe")),
            annotator_map=_map_of(payload.get("annotator_map")),
            progress=rows,
        )
    return {
        "import_id": import_id,
        "task_count": summary.task_count,
        "annotation_count": summary.annotation_count,
        "prediction_count": summary.prediction_count,
        "duration": summary.duration,
        "data_columns": summary.data_columns,
        "found_formats": summary.found_formats,
        "duplicates": summary.duplicates,
        **({"left_out": left_out} if left_out is not None else {}),
    }


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
