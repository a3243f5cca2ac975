"""Inter-annotator agreement of a project: read its annotations in bounded batches, group them per task and
annotator, and let `domain.agreement.AgreementReport` do the arithmetic.

Which annotations count: submitted ones (skipped annotations are left out), by a known person (an annotation
whose author was deleted has nobody to agree with), not a reviewer's fix of another annotation (that is a
correction, not an independent judgement). When one person annotated a task more than once, the latest
(highest id) is theirs.

Reports are kept in a small per-process cache keyed by the project's `data_version` (bumped in the same
transaction by every write to its tasks or annotations, see `task_totals`) and its labeling config, as task
totals are: a dashboard that asks the same again reads the annotations once per change (each page of
per-task values is a query of its own). Only read transactions fill it, so a report of uncommitted rows
is never remembered.
"""

from __future__ import annotations

import gc
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

import orjson
from sqlalchemy import Connection, Row, Text, cast, select
from sqlalchemy.orm import Session

from tessera.db.tables import Annotation, Task
from tessera.domain.agreement import ALL_METRICS, DEFAULT_THRESHOLD, AgreementReport
from tessera.domain.config import cached_config
from tessera.domain.errors import InvalidInput
from tessera.services.access import get_project
from tessera.services.actors import Actor

TASK_BATCH = 2000  # tasks per round trip; their annotations come in one more
MAX_PAGE_SIZE = 1000
CACHE_SIZE = 16  # reports, per database and process; one is a few kB to a few MB with many annotators

_caches: WeakKeyDictionary[Any, OrderedDict[tuple[Any, ...], dict[str, Any]]] = WeakKeyDictionary()
_lock = threading.Lock()
_gc_lock = threading.Lock()
_pausers = 0  # reports running with the collector paused

_T = Task.__table__.c
_A = Annotation.__table__.c


@dataclass(frozen=True)
class AgreementQuery:
    """What to compute: controls and metrics (None for all), the region IoU threshold, and which page of
    per-task values, if any."""

    controls: tuple[str, ...] | None = None
    metrics: tuple[str, ...] | None = None
    threshold: float = DEFAULT_THRESHOLD
    per_task: bool = False
    page: int = 1
    page_size: int = 100


def check_query(query: AgreementQuery, known_controls: Iterable[str]) -> None:
    known = set(known_controls)
    unknown = [c for c in query.controls or () if c not in known]
    if unknown:
        raise InvalidInput(
            f"unknown control {', '.join(unknown)}; the config has {', '.join(sorted(known)) or 'none'}",
            field_errors={"control": [f"{c} is not a control of the labeling config" for c in unknown]},
        )
    bad = [m for m in query.metrics or () if m not in ALL_METRICS]
    if bad:
        raise InvalidInput(
            f"unknown metric {', '.join(bad)}; choose from {', '.join(ALL_METRICS)}",
            field_errors={"metric": [f"{m} is not a metric" for m in bad]},
        )
    if not 0 <= query.threshold <= 1:
        raise InvalidInput("threshold must be between 0 and 1", field_errors={"threshold": ["must be in 0..1"]})
    if query.page < 1 or not 1 <= query.page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(
            f"page must be 1 or more and page_size 1..{MAX_PAGE_SIZE}",
            field_errors={"page_size": [f"must be 1..{MAX_PAGE_SIZE}"]},
        )


def iter_task_results(session: Session, project_id: int) -> Iterator[tuple[int, dict[int, Any]]]:
    """(task id, {annotator id: result}) for the project's tasks with two submitted annotations or more, in
    task id order. Tasks come a batch at a time by keyset on (project_id, id), their annotations by the
    batch's task id range in annotation id order, so memory stays at one batch whatever the project's size."""
    for ids, rows in _batches(session.connection(), project_id):
        wanted = set(ids)
        by_task: dict[int, dict[int, Any]] = {}
        for task_id, annotator, parent, text in rows:
            if task_id in wanted and annotator is not None and parent is None:
                by_task.setdefault(task_id, {})[annotator] = text  # a later annotation replaces an earlier
        for task_id in ids:
            texts = by_task.get(task_id)
            if texts and len(texts) >= 2:
                yield task_id, {annotator: decode_result(text) for annotator, text in texts.items()}


def _batches(conn: Connection, project_id: int) -> Iterator[tuple[Sequence[int], Sequence[Row[Any]]]]:
    """(task ids, their annotation rows) a batch at a time."""
    last = 0
    while True:
        ids = conn.scalars(
            select(_T.id)
            .where(_T.project_id == project_id, _T.id > last, _T.total_annotations >= 2)
            .order_by(_T.id)
            .limit(TASK_BATCH)
        ).all()
        if not ids:
            return
        last = ids[-1]
        # Only the task id range is a condition an index can serve, so that the plan is the same with or
        # without fresh statistics (right after a bulk import, PostgreSQL has none for annotations and would
        # otherwise scan the whole project for every batch). The range may hold other projects' tasks and this
        # project's tasks with fewer than two annotations: the caller drops their rows.
        rows = conn.execute(
            select(_A.task_id, _A.completed_by, _A.parent_annotation_id, cast(_A.result, Text))
            .where(_A.task_id.between(ids[0], ids[-1]), _A.was_cancelled.is_(False))
            .order_by(_A.id)
        ).all()  # one fetch for the batch: row by row costs a driver call each
        yield ids, rows


def decode_result(text: str) -> Any:
    """A stored result, read as text and parsed here: orjson is several times faster than the driver's `json`
    (what the report spends most on). It refuses integers beyond 64 bits, which `json` reads."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def project_agreement(session: Session, actor: Actor, project_id: int, query: AgreementQuery) -> dict[str, Any]:
    """The report for staff (reviewers, managers, admins); 404 outside the project, 403 for annotators.
    The answer is shared with the cache: callers must not change it."""
    project, _role = get_project(session, actor, project_id, "agreement.view")
    config = cached_config(project.label_config)
    check_query(query, config.controls)
    if not session.info.get("read_only"):
        return compute_agreement(session, project.id, project.label_config, query)
    key = (project.id, project.data_version, project.label_config, query)
    pool = session.get_bind().pool  # one per database, shared by its reader and writer engines
    with _lock:
        cache = _caches.setdefault(pool, OrderedDict())
        hit = cache.get(key)
        if hit is not None:
            cache.move_to_end(key)
            return hit
    report = compute_agreement(session, project.id, project.label_config, query)
    with _lock:
        cache[key] = report
        while len(cache) > CACHE_SIZE:
            cache.popitem(last=False)
    return report


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a report runs. A report decodes every annotation of the project, and
    the collector, started every few hundred new objects, walks the whole heap each time: a third of a big
    report's time. Cycles made meanwhile are collected afterwards. Reports in several threads nest."""
    global _pausers
    with _gc_lock:
        _pausers += 1
        gc.disable()
    try:
        yield
    finally:
        with _gc_lock:
            _pausers -= 1
            if _pausers == 0:
                gc.enable()


def compute_agreement(session: Session, project_id: int, label_config: str, query: AgreementQuery) -> dict[str, Any]:
    """The report itself, read from the database every time."""
    with gc_paused():
        return _compute(session, project_id, label_config, query)


def _compute(session: Session, project_id: int, label_config: str, query: AgreementQuery) -> dict[str, Any]:
    config = cached_config(label_config)
    report = AgreementReport(config, controls=query.controls, metrics=query.metrics, threshold=query.threshold)
    first = (query.page - 1) * query.page_size
    stop = first + query.page_size
    compared = 0
    for task_id, results in iter_task_results(session, project_id):
        keep = query.per_task and first <= compared < stop
        if report.add_task(task_id, results, keep):
            compared += 1
    out: dict[str, Any] = {"project": project_id, **report.as_dict()}
    if query.per_task:
        out["per_task"] = {
            "count": compared,
            "page": query.page,
            "page_size": query.page_size,
            "results": report.task_rows(),
        }
    return out
