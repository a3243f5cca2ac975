"""Response shapes shared by the routes (Label Studio's field names)."""

from __future__ import annotations

from typing import Any

from tessera.db.tables import (
    ApiToken,
    Connector,
    Export,
    ImportRecord,
    Job,
    MLBackend,
    SourceStorage,
    User,
    View,
    as_utc,
)
from tessera.domain.config import cached_config
from tessera.services.ls_shapes import initials, iso, user_brief
from tessera.services.projects import ProjectView


def user_read(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "username": user.username,
        "email": user.email,
        "last_activity": iso(user.last_activity_at),
        "custom_hotkeys": {},
        "avatar": None,
        "initials": initials(user),
        "phone": "",
        "active_organization": 1,
        "allow_newsletters": None,
        "date_joined": iso(user.created_at),
        "is_superuser": user.is_admin,
        "is_active": user.is_active,
    }


def token_read(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "kind": token.kind,
        "created_at": iso(token.created_at),
        "expires_at": iso(token.expires_at),
    }


def project_read(view: ProjectView, creator: User | None) -> dict[str, Any]:
    p, c = view.project, view.counts
    out: dict[str, Any] = {
        "id": p.id,
        "title": p.title,
        "description": p.description,
        "label_config": p.label_config,
        "expert_instruction": p.instructions,
        "organization": 1,
        "created_by": user_brief(creator) if creator else None,
        "created_at": iso(p.created_at),
        "updated_at": iso(p.updated_at),
        "config_version": p.config_version,
        "role": view.role,
    }
    out.update({k: v for k, v in p.settings.items() if k != "annotators_see_others"})
    out["annotators_see_others"] = bool(p.settings.get("annotators_see_others"))
    config = cached_config(p.label_config)
    out.update(
        {
            "num_tasks_with_annotations": c.num_tasks_with_annotations,
            "task_number": c.task_number,
            "useful_annotation_number": c.total_annotations_number,
            "ground_truth_number": c.ground_truth_number,
            "skipped_annotations_number": c.skipped_annotations_number,
            "total_annotations_number": c.total_annotations_number,
            "total_predictions_number": c.total_predictions_number,
            "finished_task_number": c.finished_task_number,
            "queue_total": c.task_number,
            "queue_done": c.finished_task_number,
            "parsed_label_config": config.parsed_label_config(),
            "config_has_control_tags": bool(config.controls),
            "config_suitable_for_bulk_annotation": False,
            "state": None,
        }
    )
    if out.get("control_weights") is None:
        out["control_weights"] = config.control_weights()
    return out


def export_read(record: Export, creator: User | None, progress: dict[str, Any] | None = None) -> dict[str, Any]:
    """Label Studio's Export, plus `size` (the JSON file's bytes) and each converted format's `md5` and `size`,
    `progress` ({tasks, task_total, format}) while a job writes it and `error` once it failed. The format asked
    for at creation is listed among `converted_formats` from the start, with the snapshot's status until
    written."""
    opts = record.options or {}
    files = record.files or {}
    converted = [_converted(k, v) for k, v in files.items() if k != "JSON"]
    asked = opts.get("export_type")
    if isinstance(asked, str) and asked not in files:
        converted.append({"export_type": asked, "status": record.status, "md5": None, "size": None})
    out = {
        "id": record.id,
        "title": record.title,
        "created_by": user_brief(creator) if creator else None,
        "created_at": iso(record.created_at),
        "finished_at": iso(record.finished_at),
        "status": record.status,
        "md5": record.md5,
        "size": (files.get("JSON") or {}).get("size"),
        "counters": record.counters,
        "converted_formats": converted,
        "task_filter_options": opts.get("task_filter_options"),
        "annotation_filter_options": opts.get("annotation_filter_options"),
        "serialization_options": opts.get("serialization_options"),
    }
    if progress is not None:
        out["progress"] = progress
    if record.status == "failed":
        out["error"] = record.error
    return out


def _converted(key: str, entry: dict[str, Any]) -> dict[str, Any]:
    return {"export_type": key, "status": "completed", "md5": entry.get("md5"), "size": entry.get("size")}


def import_read(
    record: ImportRecord, *, progress: dict[str, Any] | None = None, task_ids: list[int] | None = None
) -> dict[str, Any]:
    """Label Studio's ProjectImport, plus `errors` (a refused import's bad rows) and `progress` (while a job
    runs: rows read, bytes read of bytes total)."""
    finished = record.finished_at
    errors = list(record.errors or [])
    body = {
        "id": record.id,
        "project": record.project_id,
        "status": record.status,
        "error": errors[0] if errors else None,
        "errors": errors[1:] if len(errors) > 1 else errors,
        "created_at": iso(record.created_at),
        "updated_at": iso(finished or record.created_at),
        "finished_at": iso(finished),
        "task_count": record.task_count,
        "annotation_count": record.annotation_count,
        "prediction_count": record.prediction_count,
        "duration": (as_utc(finished) - as_utc(record.created_at)).total_seconds() if finished else None,
        "file_upload_ids": [],
        "data_columns": record.data_columns,
        "filenames": record.filenames,
        "progress": progress,
    }
    if task_ids is not None:
        body["task_ids"] = task_ids
    return body


def ml_read(b: MLBackend) -> dict[str, Any]:
    return {
        "id": b.id,
        "url": b.url,
        "project": b.project_id,
        "title": b.title,
        "description": b.description,
        "auth_method": b.auth_method,
        "basic_auth_user": b.basic_auth_user,
        "basic_auth_pass_is_set": bool(b.basic_auth_pass),
        "extra_params": b.extra_params,
        "timeout": b.timeout,
        "is_interactive": b.is_interactive,
        "state": b.state,
        "error_message": b.error_message,
        "model_version": b.model_version,
        "auto_update": b.auto_update,
        "readable_state": {"CO": "Connected", "DI": "Disconnected", "ER": "Error", "TR": "Training"}.get(b.state, ""),
        "created_at": iso(b.created_at),
        "updated_at": iso(b.updated_at),
    }


def view_read(v: View) -> dict[str, Any]:
    return {
        "id": v.id,
        "project": v.project_id,
        "user": v.user_id,
        "data": v.data,
        "order": v.order,
        "filter_group": None,
        "selected_items": None,
    }


def connector_read(c: Connector, *, full: bool = True) -> dict[str, Any]:
    """A connector as managers see it: never the key nor its ciphertext, only `has_key` and `api_key_env`.
    Annotators (`full=False`) see what they need to pick one in the editor: id, name, model, is_default."""
    brief = {"id": c.id, "name": c.name, "model": c.model, "is_default": c.is_default}
    if not full:
        return brief
    return {
        **brief,
        "project": c.project_id,
        "base_url": c.base_url,
        "params": dict(c.params or {}),
        "has_key": bool(c.api_key_encrypted or c.api_key_env),
        "api_key_env": c.api_key_env,
        "requests_per_minute": c.requests_per_minute,
        "max_retries": c.max_retries,
        "timeout": c.timeout,
        "created_by": c.created_by,
        "created_at": iso(c.created_at),
        "updated_at": iso(c.updated_at),
    }


def storage_read(s: SourceStorage, progress: dict[str, Any] | None = None) -> dict[str, Any]:
    """A source storage in Label Studio's shape, never with a secret: the S3 secret key and session token are
    write-only (`has_secret` says whether one is stored). `meta` holds the last sync's times and counts, and
    while its job runs, `progress` (objects listed, new, tasks imported); `last_sync_count` then counts the
    tasks imported so far, as Label Studio's does."""
    settings = s.settings or {}
    meta = {k: v for k, v in (s.sync_meta or {}).items() if k not in ("error", "error_fields")}
    if "skipped" in settings and s.status not in ("queued", "in_progress"):
        meta["skipped"] = settings["skipped"]
    last_sync_count = s.last_sync_count
    if progress:
        meta.update({k: v for k, v in progress.items() if k != "final"})
        last_sync_count = progress.get("tasks_imported", last_sync_count)
    out: dict[str, Any] = {
        "id": s.id,
        "type": s.kind,
        "project": s.project_id,
        "title": s.title,
        "description": s.description,
        "regex_filter": s.regex_filter,
        "use_blob_urls": s.use_blob_urls,
        "recursive_scan": bool(settings.get("recursive_scan", s.kind != "localfiles")),
        "synchronizable": True,
        "status": s.status,
        "last_sync": iso(s.last_sync_at),
        "last_sync_count": last_sync_count,
        "last_sync_job": str(s.last_sync_job_id) if s.last_sync_job_id is not None else None,
        "traceback": s.traceback,
        "meta": meta,
        "created_by": s.created_by,
        "created_at": iso(s.created_at),
        "updated_at": iso(s.updated_at),
    }
    if s.kind == "localfiles":
        out["path"] = settings.get("path")
        return out
    for key in ("bucket", "prefix", "region_name", "s3_endpoint", "aws_access_key_id", "aws_sse_kms_key_id"):
        out[key] = settings.get(key)
    out["presign"] = bool(settings.get("presign", True))
    out["presign_ttl"] = settings.get("presign_ttl")
    out["has_secret"] = bool(s.secrets_encrypted)
    return out


def connector_job_read(job: Job, progress: dict[str, Any] | None) -> dict[str, Any]:
    """A generate or judge job: `progress` ({total, done, failed}) while it runs, `result` once completed,
    `error` once failed. The payload is not shown."""
    return {
        "id": job.id,
        "kind": job.kind,
        "project": job.project_id,
        "status": job.status,
        "progress": progress,
        "result": job.result,
        "error": job.error,
        "created_at": iso(job.created_at),
        "started_at": iso(job.started_at),
        "finished_at": iso(job.finished_at),
    }
