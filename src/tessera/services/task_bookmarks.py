"""Page boundaries ("bookmarks") for `page=N` of the task list, so that a deep page is a keyset read from the
nearest boundary instead of an OFFSET that evaluates the filter on every row before the page.

For each (project, version, query scope) a small per-process cache keeps the sort key values and id of every
`STEP`-th matching row, in the listing's order, found by one ordered scan of the ids and sort values the first
time a deep page is asked (what an OFFSET to the last page reads). The version is the project's
`tasks_version` for a listing whose filters and ordering read only the tasks' own values (id, `inner_id`,
`created_at`, `data`): writes of annotations and predictions, which annotators make all day, leave those
boundaries standing. Any other listing goes by `data_version`. The scope (`task_cursor.scope_of`)
holds the filters, selection, ordering, ids and the author whose annotations the caller may see, so that
callers who see different tasks never share boundaries. A page then reads at most `STEP - 1` rows before its
own, by keyset.

Like the totals (`task_totals`), the cache is used only by read-only sessions and is exact while its version
stands: `data_version` moves with every write to tasks, annotations and predictions, `tasks_version` with
every write to tasks (`task_totals.changed`; `labels_changed` moves `data_version` alone). A review's verdict
and a recomputed agreement move neither, so a query that filters or orders on those never uses bookmarks."""

from __future__ import annotations

import threading
from collections import OrderedDict
from itertools import islice
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Select
from sqlalchemy.orm import Session

from tessera.db.tables import Project, Task
from tessera.services.task_cursor import Row, rows_after
from tessera.services.task_query import SortKey, ordering_names, task_key

STEP = 100  # a boundary every STEP rows: a page of 100 starts on one
CACHE_SIZE = 256  # listings remembered per database
CACHE_MARKS = 200_000  # and boundaries in all (a listing of a million tasks has 10,000): some tens of MB
# Task values that change without a `data_version` bump (a review's verdict, a recomputed agreement).
UNSTEADY = {"agreement", "reviews_accepted", "reviews_rejected", "reviews_pending"}
# Task values that only a write of the tasks themselves changes (`task_totals.changed`), with `data.*`.
OWN = {"id", "inner_id", "created_at"}

_caches: WeakKeyDictionary[Any, OrderedDict[tuple[Any, ...], list[Row]]] = WeakKeyDictionary()
_lock = threading.Lock()


def _names(query: dict[str, Any]) -> list[str]:
    filters = query.get("filters") or {}
    items = filters.get("items") if isinstance(filters, dict) else None
    names = [str(item.get("filter", "")) for item in items or [] if isinstance(item, dict)]
    return names + ordering_names(query)


def steady(query: dict[str, Any]) -> bool:
    """Whether the query's matching rows and their order change only with the project's `data_version`."""
    return not any(name.lstrip("-").split(":")[-1] in UNSTEADY for name in _names(query))


def _own_values_only(query: dict[str, Any]) -> bool:
    """Whether the query's filters and ordering read only the tasks' own values, which a write of annotations
    or predictions leaves alone: its rows and their order then change only with `tasks_version`."""
    keys = [task_key(name.lstrip("-")) for name in _names(query)]
    return all(key is not None and (key in OWN or key.startswith("data.")) for key in keys)


def version_of(project: Project, query: dict[str, Any]) -> tuple[str, int]:
    """The project's version that a listing's boundaries are exact for, named."""
    if _own_values_only(query):
        return "tasks", project.tasks_version
    return "data", project.data_version


def page_rows(
    session: Session,
    version: tuple[str, int],
    project: Project,
    scope: str,
    base: Select[Any],
    keys: list[SortKey],
    order: list[Any],
    offset: int,
    limit: int,
    columns: tuple[Any, ...] = (),
) -> list[Row] | None:
    """Up to `limit` rows of `base` from `offset` in the order of `keys` then id, each (id, sort values...,
    `columns`... when the page starts on a boundary, else none); None when bookmarks may not serve this
    session (a writer's) and the caller should use OFFSET."""
    if not session.info.get("read_only"):  # a writer may see its own uncommitted rows: never cache those
        return None
    cache_key = (project.id, *version, scope)
    pool = session.get_bind().pool  # one per database, shared by its reader and writer engines
    with _lock:
        cache = _caches.setdefault(pool, OrderedDict())
        marks = cache.get(cache_key)
        if marks is not None:
            cache.move_to_end(cache_key)
    if marks is None:
        marks = _scan(session, base, keys, order)
        with _lock:
            cache = _caches.setdefault(pool, OrderedDict())
            cache[cache_key] = marks
            while len(cache) > 1 and (len(cache) > CACHE_SIZE or sum(map(len, cache.values())) > CACHE_MARKS):
                cache.popitem(last=False)
    block = offset // STEP
    if block > len(marks):  # the listing ends before the page
        return []
    after = marks[block - 1] if block else None
    skip = offset - block * STEP
    got = rows_after(session, base, keys, order, after, skip + limit, () if skip else columns)
    return got[skip:]


def _scan(session: Session, base: Select[Any], keys: list[SortKey], order: list[Any]) -> list[Row]:
    """Every STEP-th row (id, sort values) of the listing: one statement read along the index, of which only
    the rows kept become Python values (`islice` passes over the others on the driver's cursor)."""
    q = base.with_only_columns(Task.id, *[k.expr for k in keys]).order_by(*order)
    conn = session.connection()
    procs = [k.expr.type.dialect_impl(conn.dialect).result_processor(conn.dialect, None) for k in keys]
    with conn.execute(q) as result:
        kept = [tuple(r) for r in islice(result.cursor, STEP - 1, None, STEP)]
    if not any(procs):
        return kept
    return [(r[0], *[v if p is None else p(v) for p, v in zip(procs, r[1:], strict=True)]) for r in kept]
