"""Tasks: list (paged, filtered, ordered), read with their annotations, create, update, delete."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from tessera.db.data_indexes import ensure_column_index, ensure_data_index
from tessera.db.tables import Annotation, Draft, Prediction, Project, Task, User, utcnow
from tessera.domain.config import cached_config
from tessera.domain.errors import InvalidInput, NotFound
from tessera.domain.labeling import task_overlap
from tessera.io.ls_json import RawJSON, encode_compact
from tessera.services import task_rows
from tessera.services.access import ProjectRules, get_project, get_scoped, sees_all_annotations
from tessera.services.actors import Actor
from tessera.services.ls_shapes import task_dict, user_brief
from tessera.services.storage_links import resolve_links
from tessera.services.task_bookmarks import page_rows, steady, version_of
from tessera.services.task_cursor import decode_cursor, encode_cursor, rows_after, scope_of
from tessera.services.task_query import (
    apply_query,
    order_by,
    ordering_data_paths,
    ordering_task_columns,
    parse_query,
    sort_keys,
)
from tessera.services.task_totals import changed, task_totals

TASK_FIELDS = {"data", "meta", "project"}


@dataclass
class TaskPage:
    tasks: list[RawJSON]  # each task's JSON text
    total: int | None
    total_annotations: int | None
    total_predictions: int | None
    next_cursor: str | None = None


def overlap_of(project: Project | ProjectRules) -> int:
    return int((project.settings or {}).get("maximum_annotations", 1))


def cohort_of(project: Project | ProjectRules) -> int:
    return int((project.settings or {}).get("overlap_cohort_percentage", 100))


def overlap_of_task(project: Project | ProjectRules, inner_id: int, extra: int = 0) -> int:
    """The annotations this task wants: the project's overlap, or one outside its overlap cohort, plus those
    added after low agreement."""
    return task_overlap(overlap_of(project), cohort_of(project), inner_id) + (extra or 0)


def list_tasks(
    session: Session,
    actor: Actor,
    project_id: int,
    *,
    page: int,
    page_size: int,
    full: bool,
    query: str | dict | None = None,
    view_query: dict | None = None,
    ids: list[int] | None = None,
    cursor: str | None = None,
    count: bool = True,
) -> TaskPage:
    """A page of the project's tasks matching the query: the `page`-th by offset, or with `cursor` (the
    `next_cursor` of the page before) the rows after that page's last, by keyset. Without `count`, the totals
    are None and not counted (a new filter over a million tasks takes seconds to count; its rows do not)."""
    project, role = get_project(session, actor, project_id, "tasks.view")
    parsed = parse_query(query) or view_query or {}
    author = None if sees_all_annotations(session, role, project.id) else actor.user_id
    base = apply_query(select(Task).where(Task.project_id == project.id), parsed, ids=ids, author=author)
    key = {"filters": parsed.get("filters"), "selected": parsed.get("selectedItems"), "ids": ids, "author": author}
    counts: tuple[int | None, ...] = (None, None, None)
    if count:
        counts = task_totals(session, project, base, key, steady=steady(parsed))
    total = counts[0]
    bind = session.get_bind()
    for path in ordering_data_paths(parsed):
        ensure_data_index(bind, path)
    for name in ordering_task_columns(parsed):
        ensure_column_index(bind, name)
    keys = sort_keys(parsed, dialect=bind.dialect.name, author=author)
    order = order_by(parsed, author=author)
    scope = scope_of(project.id, parsed, ids, author)
    # Without `fields=all`, the page's query reads the rows' columns too (one round trip fewer), except for a
    # deep OFFSET, which reads only the ids from an index.
    shown = () if full else task_rows.COLUMNS
    if cursor:
        after = decode_cursor(session, scope, cursor, len(keys))
        got = rows_after(session, base, keys, order, after, page_size + 1, shown)
    else:
        if total is not None and (page - 1) * page_size >= total and page > 1:
            raise NotFound("Invalid page.")
        marked = None
        if page > 1 and steady(parsed):  # a keyset read from the nearest known page boundary
            offset = (page - 1) * page_size
            version = version_of(project, parsed)
            marked = page_rows(session, version, project, scope, base, keys, order, offset, page_size + 1, shown)
            if marked and len(marked[0]) == 1 + len(keys):
                shown = ()
        if page == 1:
            got = rows_after(session, base, keys, order, None, page_size + 1, shown)
        elif marked is not None:
            got = marked
        else:
            # The page's ids first, from an index alone (a deep OFFSET then skips index entries, not table
            # rows), then those tasks.
            q = base.with_only_columns(Task.id, *[k.expr for k in keys]).order_by(*order)
            got = [tuple(r) for r in session.execute(q.offset((page - 1) * page_size).limit(page_size + 1))]
            shown = ()
    more = len(got) > page_size
    got = got[:page_size]
    width = 1 + len(keys)  # (id, sort values...), then the shown columns if read
    next_cursor = encode_cursor(session, scope, got[-1][:width]) if more else None
    page_ids = [r[0] for r in got]
    if full:
        found = {t.id: t for t in session.scalars(select(Task).where(Task.id.in_(page_ids)))} if page_ids else {}
        rows = [found[i] for i in page_ids if i in found]
        texts = [RawJSON(encode_compact(t)) for t in shape_tasks(session, actor, role, project, rows, full=True)]
    else:  # the data manager's rows: read and written without ORM objects or decoding the data
        overlap, cohort = overlap_of(project), cohort_of(project)
        texts = task_rows.task_row_texts(
            session,
            project,
            [r[width:] for r in got] if shown else task_rows.task_rows(session, project.id, page_ids),
            author=author,
            sees_agreement=author is None,
            overlap=lambda inner, extra: task_overlap(overlap, cohort, inner) + (extra or 0),
        )
    return TaskPage(texts, total, counts[1], counts[2], next_cursor)


# What `shape_tasks` reads, built once (SQLAlchemy computes each one's cache key once, not per request).
_IDS, _USER = bindparam("ids", expanding=True), bindparam("user")
_ANNOTATIONS = select(Annotation).where(Annotation.task_id.in_(_IDS)).order_by(Annotation.id)
_OWN_ANNOTATIONS = _ANNOTATIONS.where(Annotation.completed_by == _USER)
_PREDICTIONS = select(Prediction).where(Prediction.task_id.in_(_IDS)).order_by(Prediction.id)
_DRAFTS = select(Draft).where(Draft.task_id.in_(_IDS), Draft.user_id == _USER)
_USERS = select(User).where(User.id.in_(_IDS))


def shape_tasks(
    session: Session, actor: Actor, role: str, project: Project, rows: list[Task], *, full: bool
) -> list[dict[str, Any]]:
    ids = [t.id for t in rows]
    anns: dict[int, list[Annotation]] = defaultdict(list)
    preds: dict[int, list[Prediction]] = defaultdict(list)
    drafts: dict[int, list[Draft]] = defaultdict(list)
    authors: dict[int, dict[str, Any]] = {}
    sees_all = sees_all_annotations(session, role, project.id)
    if ids:
        params = {"ids": ids, "user": actor.user_id}
        for a in session.scalars(_ANNOTATIONS if sees_all else _OWN_ANNOTATIONS, params):
            anns[a.task_id].append(a)
        for p in session.scalars(_PREDICTIONS, params):
            preds[p.task_id].append(p)
        if full:
            for d in session.scalars(_DRAFTS, params):
                drafts[d.task_id].append(d)
            user_ids = {a.completed_by for v in anns.values() for a in v if a.completed_by}
            for u in session.scalars(_USERS, {"ids": list(user_ids)}) if user_ids else []:
                authors[u.id] = user_brief(u)  # type: ignore[assignment]
    shaped = [
        task_dict(
            t,
            overlap=overlap_of_task(project, t.inner_id, t.extra_overlap),
            annotations=anns[t.id],
            predictions=preds[t.id],
            drafts=drafts[t.id],
            authors=authors,
            full=full,
            sees_agreement=sees_all,
        )
        for t in rows
    ]
    # References to storage objects go out as signed links; the stored data (and exports) keep the reference.
    for out, data in zip(shaped, resolve_links(session, project.id, [t["data"] for t in shaped]), strict=True):
        out["data"] = data
    return shaped


def read_task(session: Session, actor: Actor, task_id: int) -> dict[str, Any]:
    task, role = get_scoped(session, actor, Task, task_id, "tasks.view")
    project = session.get(Project, task.project_id)
    assert project is not None
    return shape_tasks(session, actor, role, project, [task], full=True)[0]


def _check_data(project: Project, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InvalidInput("data must be a JSON object", field_errors={"data": ["must be an object"]})
    missing = cached_config(project.label_config).missing_fields(data)
    if missing:
        msg = f"data has no field {', '.join(repr(m) for m in missing)} that the config needs"
        raise InvalidInput(msg, field_errors={"data": [msg]})
    return data


def create_task(session: Session, actor: Actor, body: dict[str, Any]) -> Task:
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    project_id = body.get("project")
    if not isinstance(project_id, int) or isinstance(project_id, bool):
        raise InvalidInput("project is required", field_errors={"project": ["this field is required"]})
    unknown = sorted(set(body) - TASK_FIELDS)
    if unknown:
        raise InvalidInput(
            f"unknown fields: {', '.join(unknown)}", field_errors={k: ["unknown field"] for k in unknown}
        )
    project, _role = get_project(session, actor, project_id, "tasks.create", for_update=True)
    data = _check_data(project, body.get("data"))
    meta = body.get("meta") or {}
    if not isinstance(meta, dict):
        raise InvalidInput("meta must be a JSON object", field_errors={"meta": ["must be an object"]})
    task = Task(
        project_id=project.id, inner_id=project.next_inner_id, data=data, meta=meta, updated_by=actor.user_id or None
    )
    project.next_inner_id += 1
    session.add(task)
    session.flush()
    changed(session, project.id)
    return task


def update_task(session: Session, actor: Actor, task_id: int, body: dict[str, Any]) -> Task:
    task, _role = get_scoped(session, actor, Task, task_id, "tasks.change", for_update=True)
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    unknown = sorted(set(body) - TASK_FIELDS)
    if unknown:
        raise InvalidInput(
            f"unknown fields: {', '.join(unknown)}", field_errors={k: ["unknown field"] for k in unknown}
        )
    if "project" in body and body["project"] != task.project_id:
        raise InvalidInput("a task cannot move to another project", field_errors={"project": ["read-only"]})
    project = session.get(Project, task.project_id)
    assert project is not None
    if "data" in body:
        task.data = _check_data(project, body["data"])
    if "meta" in body:
        if not isinstance(body["meta"], dict):
            raise InvalidInput("meta must be a JSON object", field_errors={"meta": ["must be an object"]})
        task.meta = body["meta"]
    task.updated_at = utcnow()
    task.updated_by = actor.user_id or None
    session.flush()
    changed(session, project.id)
    return task


def delete_task(session: Session, actor: Actor, task_id: int) -> None:
    task, _role = get_scoped(session, actor, Task, task_id, "tasks.delete")
    _delete_children(session, [task.id])
    session.delete(task)
    session.flush()
    changed(session, task.project_id)


def delete_project_tasks(
    session: Session, actor: Actor, project_id: int, ids: list[int] | None = None, query: dict | None = None
) -> int:
    """Delete the project's tasks: all of them, those with `ids`, or those a data-manager query selects
    (its filters and `selectedItems`)."""
    get_project(session, actor, project_id, "tasks.delete")
    q = select(Task.id).where(Task.project_id == project_id)
    if ids is not None:
        q = q.where(Task.id.in_(ids))
    if query is not None:
        q = apply_query(q, query)
    task_ids = list(session.scalars(q))
    for start in range(0, len(task_ids), 5000):
        chunk = task_ids[start : start + 5000]
        _delete_children(session, chunk)
        session.execute(delete(Task).where(Task.id.in_(chunk)))
    changed(session, project_id)
    return len(task_ids)


def _delete_children(session: Session, task_ids: list[int]) -> None:
    # Explicit, so that SQLite without foreign-key cascades and PostgreSQL end the same.
    session.execute(delete(Draft).where(Draft.task_id.in_(task_ids)))
    session.execute(update(Annotation).where(Annotation.task_id.in_(task_ids)).values(parent_annotation_id=None))
    session.execute(delete(Annotation).where(Annotation.task_id.in_(task_ids)))
    session.execute(delete(Prediction).where(Prediction.task_id.in_(task_ids)))
