"""Background jobs: rows in the `jobs` table, run by a worker thread inside the server process (no Redis).

Why rows: a job must survive the request that asked for it, be visible to every server process, and fail
visibly when the process running it dies. A runner claims a queued row with a conditional UPDATE (so two
processes never run the same job), marks it `running` with its worker id (`host:pid`), calls the handler
registered for the job's kind, and records `completed` or `failed`.

Progress goes to a small JSON file per job in the data folder, written atomically, not to the row: on
SQLite a job that imports holds the database's one write slot for the whole import, so a progress UPDATE
would wait for the very transaction it reports on. Everything a job reads (a spooled upload) is in the data
folder anyway, so every process that may run or report a job sees that folder.

A job whose process died (SIGKILL, power loss) is found by `recover`, which every runner calls when it
starts and every read of a job may call: a running job whose worker is a dead process of this host, or whose
lease has expired, is marked failed and its handler's `abandon` cleans up after it.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tessera.db.engine import Database
from tessera.db.tables import Job, utcnow
from tessera.domain.errors import TesseraError

log = logging.getLogger("tessera.jobs")

POLL_SECONDS = 2.0  # how often an idle runner looks for jobs queued by other processes
PROGRESS_EVERY_SECONDS = 0.5
WAIT_POLL_SECONDS = 0.25  # how often `JobRunner.wait` looks at a job that another process may run
LEASE = timedelta(hours=6)  # a job still running after this on another host is taken for dead


class Progress(Protocol):
    def __call__(self, **values: Any) -> None: ...


class Handler(Protocol):
    """What a job kind does. `run` returns the job's result; `abandon` cleans up after a job that failed or
    whose process died (it runs in a fresh session that the runner commits)."""

    def run(self, db: Database, job_id: int, payload: dict[str, Any], progress: Progress) -> dict[str, Any]: ...

    def abandon(self, session: Session, job_id: int, payload: dict[str, Any], reason: str) -> None: ...


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _worker_dead(worker: str | None) -> bool:
    """True when `worker` is a process of this host that no longer runs."""
    host, _, pid = (worker or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    return int(pid) != os.getpid() and not _process_alive(int(pid))


def enqueue(
    session: Session, kind: str, payload: dict[str, Any], *, project_id: int | None, user_id: int | None
) -> Job:
    """A queued job row; the caller commits, then wakes a runner."""
    job = Job(kind=kind, project_id=project_id, created_by=user_id, payload=payload, status="queued", max_attempts=1)
    session.add(job)
    session.flush()
    return job


class ProgressFiles:
    """One JSON file per running job under `<data>/jobs/`, replaced atomically so a reader never sees half."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = data_dir / "jobs"

    def write(self, job_id: int, values: dict[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f"{job_id}.progress.tmp"
        tmp.write_text(json.dumps(values), encoding="utf-8")
        os.replace(tmp, self.folder / f"{job_id}.progress.json")

    def read(self, job_id: int) -> dict[str, Any] | None:
        try:
            return json.loads((self.folder / f"{job_id}.progress.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def remove(self, job_id: int) -> None:
        (self.folder / f"{job_id}.progress.json").unlink(missing_ok=True)


class _Throttled:
    """A progress callback that writes at most every PROGRESS_EVERY_SECONDS, and always when `final`."""

    def __init__(self, files: ProgressFiles, job_id: int, clock: Callable[[], float]) -> None:
        self.files, self.job_id, self.clock = files, job_id, clock
        self.values: dict[str, Any] = {}
        self.last = 0.0

    def __call__(self, **values: Any) -> None:
        self.values.update(values)
        now = self.clock()
        if now - self.last >= PROGRESS_EVERY_SECONDS or values.get("final"):
            self.last = now
            self.files.write(self.job_id, self.values)


def _is_dead(job: Job) -> bool:
    expired = job.lease_expires_at is not None and _aware(job.lease_expires_at) < utcnow()
    return job.status == "running" and (expired or _worker_dead(job.worker_id))


DEAD_REASON = "the server stopped while this job ran; nothing of it was kept"


def recover(db: Database, handlers: dict[str, Handler]) -> int:
    """Fail the running jobs whose process is gone (see the module docstring); the number failed."""
    failed = 0
    with db.writer() as session:
        for job in session.scalars(select(Job).where(Job.status == "running")).all():
            if _is_dead(job):
                _fail(session, job, DEAD_REASON, handlers)
                failed += 1
        session.commit()
    return failed


def fail_if_dead(session: Session, job: Job, handlers: dict[str, Handler]) -> bool:
    """Fail `job` in the caller's write transaction if its process is gone; True when it did. For a caller that
    holds the write slot already (on SQLite `recover_one` would wait for it)."""
    if not _is_dead(job):
        return False
    _fail(session, job, DEAD_REASON, handlers)
    return True


def recover_one(runner: JobRunner, job: Job) -> bool:
    """Fail `job` (as read by the caller) if its process is gone; True when it did. A live job costs no write
    transaction: on SQLite that would wait for the import the job is running."""
    if not _is_dead(job):
        return False
    job_id = job.id
    with runner.db.writer() as session:
        job = session.get(Job, job_id)
        if job is None or not _is_dead(job):
            return False
        _fail(session, job, DEAD_REASON, runner.handlers)
        session.commit()
        return True


def _aware(value: Any) -> Any:
    return value if value.tzinfo else value.replace(tzinfo=utcnow().tzinfo)


def _fail(session: Session, job: Job, reason: str, handlers: dict[str, Handler]) -> None:
    job.status, job.error, job.finished_at = "failed", reason, utcnow()
    handler = handlers.get(job.kind)
    if handler is not None:
        handler.abandon(session, job.id, job.payload, reason)


class JobRunner:
    """One worker thread that runs queued jobs one at a time. `start` recovers dead jobs first."""

    def __init__(self, db: Database, data_dir: Path, handlers: dict[str, Handler]) -> None:
        self.db = db
        self.handlers = handlers
        self.progress = ProgressFiles(data_dir)
        self.worker = worker_id()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.idle = threading.Event()  # set while no job runs (tests wait on it)
        self.idle.set()
        self._finished = threading.Condition()  # notified when this runner ends a job

    def start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            recover(self.db, self.handlers)
            self._thread = threading.Thread(target=self._loop, name="tessera-jobs", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """Look for queued jobs now (called after a request commits one); starts the thread if needed."""
        self.start()
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wait(self, job_id: int, timeout: float) -> str | None:
        """Wait up to `timeout` seconds for a job to end, whichever process runs it: its final status
        (`completed`, `failed`), or None if it still runs. No transaction is held while waiting."""
        deadline = time.monotonic() + timeout
        while True:
            with self.db.reader() as session:
                status = session.scalar(select(Job.status).where(Job.id == job_id))
                session.rollback()
            if status not in ("queued", "running"):
                return status
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            with self._finished:  # woken at once when this runner ends a job; polls for other processes'
                self._finished.wait(min(left, WAIT_POLL_SECONDS))

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                ran = self.run_one()
            except Exception:  # noqa: BLE001 - the thread must outlive any one job's bug
                log.exception("job runner failed")
                ran = False
            if not ran:
                self._wake.wait(POLL_SECONDS)
                self._wake.clear()

    def run_one(self) -> bool:
        """Claim and run the oldest queued job; False when there was none."""
        claimed = self._claim()
        if claimed is None:
            return False
        job_id, kind, payload = claimed
        self.idle.clear()
        try:
            self._run(job_id, kind, payload)
        finally:
            self.idle.set()
        return True

    def _claim(self) -> tuple[int, str, dict[str, Any]] | None:
        with self.db.writer() as session:
            candidate = session.scalars(
                select(Job.id).where(Job.status == "queued", Job.run_after <= utcnow()).order_by(Job.id).limit(1)
            ).first()
            if candidate is None:
                return None
            lease = None if self.db.is_sqlite else utcnow() + LEASE  # SQLite: one host, the pid says it all
            claimed = session.execute(
                update(Job)
                .where(Job.id == candidate, Job.status == "queued")
                .values(
                    status="running",
                    worker_id=self.worker,
                    started_at=utcnow(),
                    attempts=Job.attempts + 1,
                    lease_expires_at=lease,
                )
            ).rowcount
            job = session.get(Job, candidate) if claimed else None
            result = (job.id, job.kind, dict(job.payload)) if job is not None else None
            session.commit()
            return result

    def _run(self, job_id: int, kind: str, payload: dict[str, Any]) -> None:
        handler = self.handlers.get(kind)
        progress = _Throttled(self.progress, job_id, time.monotonic)
        try:
            if handler is None:
                raise TesseraError(f"no handler for jobs of kind {kind!r}")
            result = handler.run(self.db, job_id, payload, progress)
        except Exception as exc:  # noqa: BLE001 - any failure is the job's, recorded on its row
            reason = exc.detail if isinstance(exc, TesseraError) else "internal error; the server log has the details"
            if not isinstance(exc, TesseraError):
                log.exception("job %s (%s) failed", job_id, kind)
            with self.db.writer() as session:
                job = session.get(Job, job_id)
                if job is not None:
                    _fail(session, job, reason, self.handlers)
                session.commit()
        else:
            with self.db.writer() as session:
                session.execute(
                    update(Job)
                    .where(Job.id == job_id)
                    .values(status="completed", result=result, finished_at=utcnow(), error=None)
                )
                session.commit()
        finally:
            self.progress.remove(job_id)
            with self._finished:
                self._finished.notify_all()
