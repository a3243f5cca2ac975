"""The totals that come with every task page (matching tasks, their annotations and predictions), kept in a
small per-process cache keyed by the project's `data_version`. Every write that can change a total calls
`changed()` in its own transaction, so a cached total is exact: a reader that sees version v sees the rows of
version v or later, and a later version misses the cache. Paging through a big project or a filter then
counts once, not on every page. A filter on values that change without a bump (a review's verdict, a recomputed
agreement: `task_bookmarks.steady`) is counted every time."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.orm import Session

from tessera.db.raw_sql import RawStatement
from tessera.db.tables import Project, Task

Totals = tuple[int, int, int]
CACHE_SIZE = 512

_caches: WeakKeyDictionary[Any, OrderedDict[tuple[Any, ...], Totals]] = WeakKeyDictionary()
_lock = threading.Lock()


_P = Project.__table__.c
_PROJECT = update(Project.__table__).where(_P.id == bindparam("project_id"))
_BUMP = RawStatement(_PROJECT.values(data_version=_P.data_version + 1, tasks_version=_P.tasks_version + 1))
_BUMP_LABELS = RawStatement(_PROJECT.values(data_version=_P.data_version + 1))


def changed(session: Session, project_id: int) -> None:
    """Mark the project's tasks as changed, in the caller's transaction: with its COMMIT (`on_commit`), so
    that the project's row, which every writer of the project updates, stays locked the shortest time. Both
    versions move (`data_version`, `tasks_version`)."""
    _BUMP.on_commit(session.connection(), project_id=project_id)


def labels_changed(session: Session, project_id: int) -> None:
    """`changed` for a write of annotations or predictions only (and of the task counters they keep): the
    tasks themselves (which there are, their `data`, ids and creation) stay as they were, and so does
    `tasks_version`."""
    _BUMP_LABELS.on_commit(session.connection(), project_id=project_id)


def task_totals(session: Session, project: Project, matching: Select[Any], key: Any, *, steady: bool) -> Totals:
    """(count, sum of total_annotations, sum of total_predictions) over `matching`, a select of the project's
    tasks; `key` is anything JSON that identifies the filter; `steady` says whether its rows change only with
    the project's `data_version` (otherwise nothing is cached)."""
    if not steady or not session.info.get("read_only"):  # a writer may see its own uncommitted rows
        return _count(session, matching)
    cache_key = (project.id, project.data_version, json.dumps(key, sort_keys=True, default=str))
    pool = session.get_bind().pool  # one per database, shared by its reader and writer engines
    with _lock:
        cache = _caches.setdefault(pool, OrderedDict())
        hit = cache.get(cache_key)
        if hit is not None:
            cache.move_to_end(cache_key)
            return hit
    totals = _count(session, matching)
    with _lock:
        cache[cache_key] = totals
        while len(cache) > CACHE_SIZE:
            cache.popitem(last=False)
    return totals


def _count(session: Session, matching: Select[Any]) -> Totals:
    sub = matching.with_only_columns(Task.total_annotations, Task.total_predictions).subquery()
    row = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(sub.c.total_annotations), 0),
            func.coalesce(func.sum(sub.c.total_predictions), 0),
        )
    ).one()
    return int(row[0]), int(row[1]), int(row[2])
