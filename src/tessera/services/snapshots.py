"""Snapshots (Label Studio's `/api/projects/{id}/exports`): an export kept on the server as a JSON file with
its filters and options, converted to other formats on first download. Made inside the request here, or by a
job for big projects (`export_jobs`); written through `exports.write_export`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tessera.db.tables import Export, Project, utcnow
from tessera.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tessera.domain.policy import allows
from tessera.domain.preference_prompt import OPTION_NAMES, PreferenceOptions
from tessera.services.access import get_project, get_scoped
from tessera.services.actors import Actor
from tessera.services.consensus import check_method
from tessera.services.exports import AnnotationFilter, ExportFile, export_format, write_export

TITLE_MAX = 2048  # the column's length


def create_snapshot(session: Session, actor: Actor, project_id: int, data_dir: Path, body: Any) -> Export:
    """Make a snapshot inside the caller's transaction (small projects; big ones go through `export_jobs`)."""
    record = new_snapshot(session, actor, project_id, body)
    project = session.get(Project, record.project_id)
    assert project is not None
    return fill_snapshot(session, project, record, data_dir)


def new_snapshot(session: Session, actor: Actor, project_id: int, body: Any) -> Export:
    """The snapshot's record, `in_progress`, its options checked (a bad one is a 400 before anything runs). The
    format asked for besides JSON (`export_type`) is kept in its options, so that it is listed while written."""
    project, _role = get_project(session, actor, project_id, "exports.create")
    body = body if isinstance(body, dict) else {}
    if len(str(body.get("title") or "")) > TITLE_MAX:
        raise InvalidInput(f"title must have at most {TITLE_MAX} characters", field_errors={"title": ["too long"]})
    also = asked_format(body)
    asked = _snapshot_options(body)
    export_options = PreferenceOptions.of(asked)
    method = check_method(asked.get("consensus"))
    record = Export(
        project_id=project.id,
        created_by=actor.user_id or None,
        title=str(body.get("title") or ""),
        status="in_progress",
        options={
            **{k: body.get(k) for k in ("task_filter_options", "annotation_filter_options", "serialization_options")},
            "export_options": {**export_options.as_dict(), **({"consensus": method} if method else {})},
            **({"export_type": also} if also else {}),
        },
    )
    session.add(record)
    session.flush()
    return record


def fill_snapshot(
    session: Session, project: Project, record: Export, data_dir: Path, progress: Callable[[int], None] | None = None
) -> Export:
    """Write the snapshot's JSON file and mark the record completed (the caller commits)."""
    path = snapshot_json_path(data_dir, record)
    result = write_export(session, project, "JSON", path, progress=progress, **snapshot_filters(record))
    complete_snapshot(record, result)
    session.flush()
    return record


def complete_snapshot(record: Export, result: ExportFile) -> None:
    record.files = {"JSON": _file_entry(result)}
    record.md5 = result.md5
    record.counters = {"task_number": result.task_count}
    record.status = "completed"
    record.finished_at = utcnow()


def _snapshot_options(body: dict[str, Any]) -> dict[str, Any]:
    """A snapshot's format options: `export_options` ({"dpo_format", "prompt_field"}) or the same names at
    the top of the body (as the sync export takes them in its query)."""
    nested = body.get("export_options")
    options = dict(nested) if isinstance(nested, dict) else {}
    options.update({k: body[k] for k in (*OPTION_NAMES, "consensus") if body.get(k) is not None})
    return options


def snapshot_filters(record: Export) -> dict[str, Any]:
    """The snapshot's task and annotation filters and its `export_options` (the training formats' options),
    applied alike when it is made and when it is converted."""
    options = record.options or {}
    task_opts = options.get("task_filter_options") or {}
    task_opts = task_opts if isinstance(task_opts, dict) else {}
    ids = task_opts.get("view_ids")
    ids = [i for i in ids if isinstance(i, int) and not isinstance(i, bool)] if isinstance(ids, list) else None
    export_options = options.get("export_options")
    return {
        "ids": ids,
        "only_labeled": bool(task_opts.get("only_with_annotations")),
        "annotations": AnnotationFilter.from_options(options.get("annotation_filter_options")),
        "options": export_options if isinstance(export_options, dict) else None,
    }


def snapshot_json_path(data_dir: Path, record: Export) -> Path:
    return _snapshot_path(data_dir, record, "JSON")


def _snapshot_path(data_dir: Path, record: Export, fmt: str) -> Path:
    _key, spec = export_format(fmt)
    return data_dir / "exports" / str(record.project_id) / f"{record.id}-{fmt}.{spec.extension}"


def remove_unfinished_files(data_dir: Path, record: Export) -> None:
    """The files of a snapshot whose job died: a format it had finished (never served: the snapshot failed) and
    the temporary file of the one it was writing (`exports.write_export` names a file only once it is whole)."""
    folder = data_dir / "exports" / str(record.project_id)
    for left in folder.glob(f"{record.id}-*"):
        left.unlink(missing_ok=True)


def list_snapshots(
    session: Session, actor: Actor, project_id: int, *, limit: int | None = None, before: int | None = None
) -> list[Export]:
    """The project's snapshots, newest first (as Label Studio lists them); `limit` and `before` (an export id:
    those made before it) page through them."""
    get_project(session, actor, project_id, "exports.view")
    query = select(Export).where(Export.project_id == project_id).order_by(Export.id.desc())
    if before is not None:
        query = query.where(Export.id < before)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def read_snapshot(session: Session, actor: Actor, project_id: int, export_id: int) -> Export:
    record, _role = get_scoped(session, actor, Export, export_id, "exports.view")
    if record.project_id != project_id:
        raise NotFound("export not found")
    return record


def delete_snapshot(session: Session, actor: Actor, project_id: int, export_id: int, data_dir: Path) -> None:
    """Delete the snapshot and its files (a job still writing it stops): managers may delete any, the person who
    made it their own (so that a reviewer can cancel the export they started)."""
    record, role = get_scoped(session, actor, Export, export_id, "exports.view")
    if record.project_id != project_id:
        raise NotFound("export not found")
    if not allows(role, "exports.delete") and record.created_by != actor.user_id:
        raise PermissionDenied(f"your role ({role}) does not allow exports.delete on another person's export")
    for fmt in record.files:
        _snapshot_path(data_dir, record, fmt).unlink(missing_ok=True)
    session.delete(record)
    session.flush()


def convert_snapshot(
    session: Session, actor: Actor, project_id: int, export_id: int, data_dir: Path, fmt_name: Any
) -> Export:
    record = read_snapshot(session, actor, project_id, export_id)
    key, _spec = export_format(fmt_name if isinstance(fmt_name, str) else None)
    if record.status != "completed":  # a job still writes it, or died: nothing of it may be served or rewritten
        reason = f": {record.error}" if record.error else ""
        raise Conflict(f"export {record.id} is not ready to download: it is {record.status}{reason}")
    if key not in record.files:
        project = session.get(Project, project_id)
        assert project is not None
        add_format(record, write_format(session, project, record, data_dir, key))
        session.flush()
    return record


def asked_format(body: Any) -> str | None:
    """The format a snapshot's body asks to have ready besides JSON (`export_type`, as `convert` takes it),
    checked so that a bad one is a 400 before anything is written; None for none or JSON."""
    fmt = body.get("export_type") if isinstance(body, dict) else None
    if fmt is None:
        return None
    key, _spec = export_format(fmt if isinstance(fmt, str) else repr(fmt))
    return None if key == "JSON" else key


def write_format(
    session: Session,
    project: Project,
    record: Export,
    data_dir: Path,
    key: str,
    progress: Callable[[int], None] | None = None,
) -> tuple[str, ExportFile]:
    """Write the snapshot in another format, with its filters (the caller records it with `add_format`)."""
    path = _snapshot_path(data_dir, record, key)
    return key, write_export(session, project, key, path, progress=progress, **snapshot_filters(record))


def add_format(record: Export, written: tuple[str, ExportFile]) -> None:
    key, result = written
    record.files = {**record.files, key: _file_entry(result)}


def _file_entry(result: ExportFile) -> dict[str, Any]:
    """A written file as the record keeps it: its name, md5 and size in bytes."""
    return {"path": result.path.name, "md5": result.md5, "size": result.path.stat().st_size}


def snapshot_file(
    session: Session, actor: Actor, project_id: int, export_id: int, data_dir: Path, fmt_name: str | None
) -> ExportFile:
    record = convert_snapshot(session, actor, project_id, export_id, data_dir, fmt_name or "JSON")
    key, spec = export_format(fmt_name)
    path = _snapshot_path(data_dir, record, key)
    if not path.exists():
        raise NotFound("the export file is missing")
    return ExportFile(
        path,
        f"project-{project_id}-export-{record.id}-{key}.{spec.extension}",
        spec.media_type,
        record.files[key]["md5"],
        int(record.counters.get("task_number", 0)),
    )
