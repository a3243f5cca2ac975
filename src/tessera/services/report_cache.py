"""A small per-process cache for reports computed from a project's tasks and annotations, keyed by the
project's `data_version` (bumped in the same transaction by every write to them, see `task_totals`) and its
labeling config: a dashboard opened again reads the annotations once per change, not on every visit.

Only read transactions fill it, so a report of uncommitted rows is never remembered; a writer's session
computes afresh every time. Callers must not change what they get back: it is shared.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy.orm import Session

from tessera.db.tables import Project

CACHE_SIZE = 32  # reports per database and process; a dashboard's is a few kB

Report = TypeVar("Report")

_caches: WeakKeyDictionary[Any, OrderedDict[tuple[Any, ...], Any]] = WeakKeyDictionary()
_lock = threading.Lock()


def cached_report(session: Session, project: Project, name: Hashable, compute: Callable[[], Report]) -> Report:
    if not session.info.get("read_only"):
        return compute()
    key = (name, project.id, project.data_version, project.label_config)
    pool = session.get_bind().pool  # one per database, shared by its reader and writer engines
    with _lock:
        cache = _caches.setdefault(pool, OrderedDict())
        if key in cache:
            cache.move_to_end(key)
            return cache[key]  # type: ignore[no-any-return]
    report = compute()
    with _lock:
        cache[key] = report
        while len(cache) > CACHE_SIZE:
            cache.popitem(last=False)
    return report
