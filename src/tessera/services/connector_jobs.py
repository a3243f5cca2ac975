"""What the connector job kinds (`generate`, `judge`) share: checking the task list a request names, running
one unit of work per task on a few threads, and reading a job's state for `GET .../generations/{job_id}`.

Each task is its own unit: a model call with no transaction open, then one short write transaction that
stores all of that task's outcome or none of it. A task that still fails after the connector's retries is
recorded (`failures`, with the reason) and the job goes on. The job ends `completed` with counts when at
least one task succeeded or there was nothing to do, and `failed`, with the first reason as its error, when
every task failed (a wrong key, an endpoint that is down). A job killed midway keeps the tasks it finished.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tessera.db.tables import Job, Task
from tessera.domain.errors import InvalidInput, NotFound, TesseraError, UpstreamFailed
from tessera.services.access import get_project
from tessera.services.actors import Actor
from tessera.services.jobs import JobRunner, Progress, recover_one

log = logging.getLogger("tessera.connectors")

WORKERS = 4  # tasks in flight at once per job; the connector's rate limit still spaces the calls
MAX_TASKS = 100_000
MAX_FAILURES_LISTED = 100
CHUNK = 200


def actor_payload(actor: Actor) -> dict[str, Any]:
    return {"user_id": actor.user_id, "email": actor.email, "is_admin": actor.is_admin}


def check_task_ids(session: Session, project_id: int, value: Any) -> list[int] | None:
    """The `tasks` of a job request: None (the job picks them), or ids that are all tasks of the project."""
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(t, int) and not isinstance(t, bool) for t in value):
        raise InvalidInput("tasks must be a list of task ids", field_errors={"tasks": ["must be a list of ids"]})
    if len(value) > MAX_TASKS:
        raise InvalidInput(f"tasks: at most {MAX_TASKS} ids", field_errors={"tasks": [f"at most {MAX_TASKS}"]})
    ids = list(dict.fromkeys(value))
    found: set[int] = set()
    for start in range(0, len(ids), 1000):
        part = ids[start : start + 1000]
        found |= set(session.scalars(select(Task.id).where(Task.project_id == project_id, Task.id.in_(part))))
    missing = [t for t in ids if t not in found]
    if missing:
        detail = f"not tasks of this project: {', '.join(map(str, missing[:20]))}"
        raise InvalidInput(f"tasks: {detail}", field_errors={"tasks": [detail]})
    return ids


@dataclass
class Tally:
    total: int
    outcomes: Counter[str]
    failures: list[dict[str, Any]]
    failed: int = 0
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "tasks": self.total,
            **dict(self.outcomes),
            "failed": self.failed,
            "failures": self.failures,
            "seconds": round(self.seconds, 3),
        }


def for_each_task(task_ids: list[int], work: Callable[[int], str], progress: Progress) -> Tally:
    """Run `work(task_id)` (which returns an outcome name, e.g. "written") for every task on WORKERS threads;
    count outcomes and record failures. Raises UpstreamFailed when every task failed."""
    tally = Tally(len(task_ids), Counter(), [])
    started = time.monotonic()
    progress(total=tally.total, done=0, failed=0)

    def guarded(task_id: int) -> tuple[int, str | None, str | None]:
        try:
            return task_id, work(task_id), None
        except TesseraError as exc:
            return task_id, None, exc.detail
        except Exception:  # noqa: BLE001 - one task's bug must not lose the others' work
            log.exception("connector job: task %s failed", task_id)
            return task_id, None, "internal error; the server log has the details"

    with ThreadPoolExecutor(WORKERS, thread_name_prefix="tessera-connector") as pool:
        for chunk in _chunks(task_ids, CHUNK):
            for task_id, outcome, reason in pool.map(guarded, chunk):
                if reason is None:
                    tally.outcomes[outcome or "done"] += 1
                else:
                    tally.failed += 1
                    if len(tally.failures) < MAX_FAILURES_LISTED:
                        tally.failures.append({"task": task_id, "reason": reason})
                done = sum(tally.outcomes.values()) + tally.failed
                progress(total=tally.total, done=done, failed=tally.failed)
    tally.seconds = time.monotonic() - started
    progress(total=tally.total, done=tally.total, failed=tally.failed, final=True)
    if tally.total and tally.failed == tally.total:
        first = tally.failures[0]
        raise UpstreamFailed(f"all {tally.total} tasks failed; task {first['task']}: {first['reason']}")
    return tally


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class JobState:
    job: Job
    progress: dict[str, Any] | None


def read_connector_job(
    session: Session, actor: Actor, project_id: int, job_id: int, kinds: tuple[str, ...], runner: JobRunner
) -> JobState:
    """A generate or judge job of the project, with its progress while it runs (a job whose process died is
    failed here, as imports are)."""
    get_project(session, actor, project_id, "connectors.view")
    job = session.get(Job, job_id)
    if job is None or job.project_id != project_id or job.kind not in kinds:
        raise NotFound("job not found")
    if job.status == "running":
        if recover_one(runner, job):
            session.rollback()
            job = session.get(Job, job_id)
            assert job is not None
        else:
            return JobState(job, runner.progress.read(job.id) or {})
    return JobState(job, None)
