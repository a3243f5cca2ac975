"""Snapshot exports of big projects as jobs (Label Studio's snapshots are asynchronous too): the request
answers at once with the record (`created`), a job writes the file (to a temporary name, published atomically
with its md5, see `exports.write_export`) and marks it `completed`, and `GET .../exports/{id}` shows the tasks
written so far while it runs. Projects up to `export_job_tasks` tasks (a setting, 20,000 by default), unless
`async` is asked, are exported inside the request as before, so small exports need no polling."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tessera.db.engine import Database
from tessera.db.tables import Export, Job, Project, Task, utcnow
from tessera.services import exports, snapshots
from tessera.services.actors import Actor
from tessera.services.jobs import JobRunner, Progress, enqueue, recover_one

KIND = "export"
INLINE_TASKS = 20_000  # the default of the `export_job_tasks` setting


def start_snapshot(
    session: Session,
    actor: Actor,
    project_id: int,
    data_dir: Path,
    body: Any,
    *,
    run_async: bool = False,
    job_tasks: int = INLINE_TASKS,
) -> tuple[Export, bool]:
    """(the snapshot's record, whether a job makes it); the caller commits, then wakes the runner. A body's
    `export_type` other than JSON is written too, by the job or here, so that its download is ready at once."""
    record = snapshots.new_snapshot(session, actor, project_id, body)
    also = snapshots.asked_format(body)
    project = session.get(Project, record.project_id)
    assert project is not None
    filters = snapshots.snapshot_filters(record)
    counted = select(func.count()).select_from(Task).where(Task.project_id == project.id)
    if filters["only_labeled"]:  # the export's own test, so that the progress bar ends at its total
        counted = counted.where((Task.total_annotations + Task.cancelled_annotations) > 0)
    tasks = session.scalar(counted) or 0
    if filters["ids"] is not None:  # at most the tasks asked for
        tasks = min(tasks, len(set(filters["ids"])))
    if not run_async and tasks <= job_tasks:
        snapshots.fill_snapshot(session, project, record, data_dir)
        if also:
            snapshots.add_format(record, snapshots.write_format(session, project, record, data_dir, also))
            session.flush()
        return record, False
    record.status = "created"
    payload = {"export_id": record.id, "project_id": project.id, "task_total": tasks, "formats": [also] if also else []}
    enqueue(session, KIND, payload, project_id=project.id, user_id=actor.user_id or None)
    return record, True


class _Deleted(Exception):
    """The snapshot was deleted (its export cancelled) while the job wrote it."""


class ExportJob:
    """The `export` job kind: the snapshot's JSON file, then the other format asked for (`formats`), both in
    one read transaction; its progress names the format being written. At each progress report (every 1,000
    tasks) it checks that the snapshot still exists, and stops, its files removed, once it has been deleted."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    def run(self, db: Database, job_id: int, payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
        export_id = payload["export_id"]
        total = int(payload.get("task_total") or 0)
        progress(tasks=0, task_total=total, format="JSON")
        with db.writer() as session:
            record = session.get(Export, export_id)
            project = session.get(Project, payload["project_id"])
            if record is None or project is None:
                return {"export_id": export_id, "skipped": "deleted"}
            record.status = "in_progress"
            session.commit()

        def report(tasks: int) -> None:
            progress(tasks=tasks)
            with db.reader() as other:
                if other.get(Export, export_id) is None:
                    raise _Deleted

        written: list[tuple[str, exports.ExportFile]] = []
        try:
            # One read transaction: one consistent view of the project, and no write slot held meanwhile.
            with db.reader() as session:
                record = session.get(Export, export_id)
                project = session.get(Project, payload["project_id"])
                assert record is not None and project is not None
                path = snapshots.snapshot_json_path(self.data_dir, record)
                filters = snapshots.snapshot_filters(record)
                written.append(
                    ("JSON", exports.write_export(session, project, "JSON", path, progress=report, **filters))
                )
                for key in payload.get("formats") or []:
                    progress(tasks=0, format=key)
                    written.append(snapshots.write_format(session, project, record, self.data_dir, key, report))
                session.rollback()
            with db.writer() as session:
                record = session.get(Export, export_id)
                if record is None:  # deleted after the last check
                    raise _Deleted
                snapshots.complete_snapshot(record, written[0][1])
                for extra in written[1:]:
                    snapshots.add_format(record, extra)
                session.commit()
        except _Deleted:
            for _key, result in written:
                result.path.unlink(missing_ok=True)
            return {"export_id": export_id, "skipped": "deleted"}
        task_count = written[0][1].task_count
        progress(tasks=task_count, final=True)
        return {"export_id": export_id, "task_number": task_count}

    def abandon(self, session: Session, job_id: int, payload: dict[str, Any], reason: str) -> None:
        record = session.get(Export, payload.get("export_id"))
        if record is not None and record.status not in ("completed", "failed"):
            record.status, record.error, record.finished_at = "failed", reason, utcnow()
            snapshots.remove_unfinished_files(self.data_dir, record)


def snapshot_progress(session: Session, record: Export, runner: JobRunner) -> dict[str, Any] | None:
    """While the snapshot's job runs: {tasks, task_total, format} (the format being written). A job left
    running by a dead process is failed here (`jobs.recover_one`), so that a reader never waits for a job
    nobody runs."""
    if record.status not in ("created", "in_progress"):
        return None
    jobs = session.scalars(
        select(Job).where(Job.kind == KIND, Job.project_id == record.project_id, Job.status.in_(("queued", "running")))
    )
    job = next((j for j in jobs if j.payload.get("export_id") == record.id), None)
    if job is None:
        return None
    if job.status == "running" and recover_one(runner, job):
        session.refresh(record)
        return None
    return runner.progress.read(job.id) or {"tasks": 0, "task_total": job.payload.get("task_total"), "format": "JSON"}
