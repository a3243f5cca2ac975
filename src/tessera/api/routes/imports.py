"""`POST /api/projects/{id}/import`: a JSON body (a list of tasks or one task), multipart files, a form
field `url` naming a file to fetch (as Label Studio's "import from URL"), or a form field `path` naming a
file under the server's import root (admins); `GET /api/projects/{id}/imports/{import_id}`; and
`POST /api/projects/{id}/import/predictions`. All or nothing; big uploads and every URL run as jobs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import Depends, Request

from tessera.api.context import (
    Ctx,
    context,
    context_router,
    database,
    json_body,
    parse_json_plain,
    query_bool,
    settings_of,
)
from tessera.api.schemas import import_read
from tessera.api.uploads import SpooledFile, Upload, spool_request
from tessera.domain.errors import InvalidInput
from tessera.io.json_values import DECODER, problem_in
from tessera.io.media_types import media_kind
from tessera.services import dataset_imports, import_jobs, import_states, imports, media, predictions, remote_files
from tessera.services.import_authors import AnnotatorMap, read_annotator_map

router = context_router(tags=["import"])
URL_WAIT_SECONDS = 10.0
# A task list body up to this size is parsed by orjson where that is exact (4 times faster than `json`; its
# transient memory is a few times the body's size at worst, for one long string).
BODY_FAST_CHARS = 16 << 20  # how long a URL import's request waits for its job before answering with the job's id


@dataclass
class Payload:
    body: Any = None
    plain: bool = False  # orjson parsed `body` (see `json_values.decode`)
    files: list[imports.ImportSource] = field(default_factory=list)
    url: str | None = None


def _payload(upload: Upload) -> Payload:
    """What a small upload asks for: files, a `url` form field, or a JSON body of tasks."""
    if upload.files:
        return Payload(files=[imports.ImportSource(f.name, open(f.path, "rb")) for f in upload.files])  # noqa: SIM115
    if upload.body is None:
        url = upload.fields.get("url", "")
        if url.strip():
            return _url_payload(url.strip())
        raise InvalidInput(
            "the form has no file and no url",
            field_errors={"file": ["no file uploaded"], "url": ['"url" is not found in request data']},
        )
    body, plain = parse_json_plain(upload.body.path.read_bytes(), BODY_FAST_CHARS)
    if body is None:
        raise InvalidInput("send a JSON list of tasks or upload files", field_errors={"tasks": ["no tasks"]})
    if not isinstance(body, list | dict):
        raise InvalidInput("the body must be a JSON list of tasks or one task object")
    return Payload(body=body, plain=plain)


def _url_payload(url: str) -> Payload:
    """Label Studio's URL box also takes tasks pasted as JSON: a `url` that is a JSON list or object is that."""
    if not url.startswith(("[", "{")):
        return Payload(url=url)
    try:
        value = DECODER.decode(url)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and NonFiniteNumber are ValueErrors
        detail = f"the url field is neither an http(s) URL nor valid JSON: {exc}"
        raise InvalidInput(detail, field_errors={"url": [str(exc)]}) from exc
    if problem := problem_in(value, url, 0, len(url)):
        raise InvalidInput(f"the tasks in the url field cannot be stored: {problem}", field_errors={"url": [problem]})
    return Payload(body=value)


async def spooled(project_id: int, request: Request, ctx: Ctx = Depends(context)) -> AsyncIterator[Upload]:
    """The request body received into the data folder (size limit enforced while receiving); removed after
    the request unless a job took its files over. Someone who may not import is refused before any of it is
    received, and no transaction is held while it arrives."""
    with database(request).reader() as reader:  # a read transaction: no write slot is waited for or held
        try:
            remote_files.check_may_import(reader, ctx.actor, project_id)
        finally:
            reader.rollback()
    settings = settings_of(request)
    upload = await spool_request(request, settings.data_dir / "uploads", settings.max_body_bytes)
    try:
        yield upload
    finally:
        if not upload.kept:
            upload.discard()


@router.post("/api/projects/{project_id}/import", status_code=201)
def import_tasks(
    project_id: int,
    request: Request,
    return_task_ids: str | None = None,
    ctx: Ctx = Depends(context),
    upload: Upload = Depends(spooled),
) -> dict:
    """Small imports run inside the request, as in Label Studio. An upload above the job threshold, any
    `?async=true` upload, and a server `path` run as a job: the answer carries `import`, the id to poll. A
    `url` always runs as a job, which the request waits for unless it is big or `?async=true` (see
    `_import_url`)."""
    params = request.query_params
    dedupe = query_bool(params.get("dedupe"))
    authors = _annotator_map(params.get("annotator_map") or upload.fields.get("annotator_map"))
    as_job = query_bool(params.get("async")) or upload.size > ctx.settings.import_job_bytes
    with_ids = query_bool(return_task_ids, True)
    fmt = dataset_imports.dataset_format(params.get("format") or upload.fields.get("format"))
    if fmt is not None:
        return _import_dataset(ctx, project_id, upload, fmt, {**upload.fields, **params}, as_job)
    media_files = [f for f in upload.files if media_kind(f.name)]
    if media_files:
        return _import_media(ctx, project_id, upload, media_files)
    path = upload.fields.get("path", "").strip()
    if path or (upload.files or upload.body) and as_job:
        return _start_job(ctx, project_id, upload, path, dedupe, authors)
    payload = _payload(upload)
    if payload.url is not None:
        wait = not query_bool(params.get("async"))
        return _import_url(ctx, project_id, payload.url, dedupe, authors, wait=wait, with_ids=with_ids)
    try:
        summary = imports.import_tasks(
            ctx.session,
            ctx.actor,
            project_id,
            body=payload.body,
            body_plain=payload.plain,
            files=payload.files,
            dedupe=dedupe,
            annotator_map=authors,
        )
    finally:
        for source in payload.files:
            source.stream.close()
    ctx.commit()
    return _answer(
        summary,
        uploaded=bool(payload.files),
        found_formats=summary.found_formats or [],
        **({"duplicates": summary.duplicates} if dedupe else {}),
        **({"task_ids": summary.task_ids} if with_ids else {}),
    )


def _answer(summary: imports.ImportSummary, *, uploaded: bool, found_formats: Any, **extra: Any) -> dict:
    """Label Studio's answer to an import done inside the request, plus what a kind of import adds."""
    return {
        "task_count": summary.task_count,
        "annotation_count": summary.annotation_count,
        "prediction_count": summary.prediction_count,
        "predictions_count": summary.prediction_count,
        "duration": summary.duration,
        "file_upload_ids": [summary.import_id] if uploaded else [],
        "could_be_tasks_list": False,
        "found_formats": found_formats,
        "data_columns": summary.data_columns,
        **extra,
    }


def _annotator_map(raw: str | None) -> AnnotatorMap | None:
    """`annotator_map` (a query parameter or form field): JSON naming the e-mail of each user id that
    annotations' `completed_by` carry, as `{"<id>": "<email>"}` or a list of users (see `import_authors`)."""
    if raw is None or not raw.strip():
        return None
    try:
        return read_annotator_map(raw)
    except InvalidInput as exc:
        raise InvalidInput(exc.detail, field_errors={"annotator_map": [exc.detail]}) from exc


def _import_media(ctx: Ctx, project_id: int, upload: Upload, files: list[SpooledFile]) -> dict:
    """Images, audio or video uploaded alone: one task each (see `services.media`)."""
    if len(files) != len(upload.files):
        detail = "upload media files and task files (JSON, CSV...) in separate imports"
        raise InvalidInput(detail, field_errors={"file": [detail]})
    summary = media.import_media(
        ctx.session, ctx.actor, ctx.settings.data_dir, project_id, [(f.name, f.path) for f in files]
    )
    ctx.commit()
    formats = sorted({f.name.rsplit(".", 1)[-1].lower() for f in files})
    return _answer(summary, uploaded=True, found_formats=formats, task_ids=summary.task_ids)


def _import_dataset(ctx: Ctx, project_id: int, upload: Upload, fmt: str, options: dict[str, str], as_job: bool) -> dict:
    """`format=coco|yolo`: one uploaded COCO JSON file or YOLO archive, with `labels_as` (predictions or
    annotations), `model_version` and `image_root_url` (what the tasks' image references start with).
    Imported inside the request, or by a job as other uploads are (big, or `?async=true`)."""
    if len(upload.files) != 1:
        raise InvalidInput(f"a {fmt.upper()} import takes one uploaded file", field_errors={"file": ["one file"]})
    spooled_file = upload.files[0]
    wanted = dataset_imports.DatasetOptions(
        fmt,
        labels_as=options.get("labels_as") or "predictions",
        model_version=options.get("model_version") or "",
        image_root_url=options.get("image_root_url") or "",
    )
    if as_job:
        return _start_job(ctx, project_id, upload, "", False, None, dataset=wanted)
    with open(spooled_file.path, "rb") as stream:
        source = imports.ImportSource(spooled_file.name, stream)
        summary, left_out = dataset_imports.import_dataset(ctx.session, ctx.actor, project_id, source, wanted)
    ctx.commit()
    return _answer(summary, uploaded=True, found_formats=[fmt], task_ids=summary.task_ids, left_out=left_out)


def _start_job(
    ctx: Ctx,
    project_id: int,
    upload: Upload,
    path: str,
    dedupe: bool,
    authors: AnnotatorMap | None,
    dataset: dataset_imports.DatasetOptions | None = None,
) -> dict:
    if path:
        target = import_jobs.server_file(ctx.settings.import_root, ctx.actor, path)
        files = [import_jobs.JobFile(path.replace("\\", "/").rsplit("/", 1)[-1], target, spooled=False)]
    else:
        spooled_files = upload.files or ([upload.body] if upload.body else [])
        files = [import_jobs.JobFile(f.name, f.path, spooled=True) for f in spooled_files]
    started = import_jobs.start_import_job(
        ctx.session, ctx.actor, project_id, files, dedupe=dedupe, annotator_map=authors, dataset=dataset
    )
    ctx.commit()
    upload.kept = True  # the job owns the spooled files now
    ctx.request.app.state.jobs.wake()
    return _job_answer(started.record.id)


def _job_answer(import_id: int) -> dict:
    """The answer to an import that a job does: Label Studio's fields, empty, and `import`, the id to poll."""
    return {
        "import": import_id,
        "task_count": 0,
        "annotation_count": 0,
        "prediction_count": 0,
        "predictions_count": 0,
        "duration": 0.0,
        "file_upload_ids": [import_id],
        "could_be_tasks_list": False,
        "found_formats": [],
        "data_columns": [],
    }


def _import_url(
    ctx: Ctx, project_id: int, url: str, dedupe: bool, authors: AnnotatorMap | None, *, wait: bool, with_ids: bool
) -> dict:
    """A job fetches the file and imports it (the request holds no transaction meanwhile). The request waits
    for the job up to `URL_WAIT_SECONDS`, but not once the file shows bigger than the upload threshold, and
    not with `?async=true`: a job that ended by then is answered as a synchronous import (its counts, or its
    error), one still running with its import id to poll, as a big upload is."""
    started = import_jobs.start_import_job(
        ctx.session, ctx.actor, project_id, [], dedupe=dedupe, annotator_map=authors, url=url
    )
    ctx.commit()
    runner = ctx.request.app.state.jobs
    runner.wake()
    if not wait:
        return _job_answer(started.record.id)
    import_states.wait_for_import(
        runner, started.job_id, seconds=URL_WAIT_SECONDS, big_bytes=ctx.settings.import_job_bytes
    )
    # Read in a read transaction: on SQLite a job still importing holds the one write slot.
    with database(ctx.request).reader() as session:
        try:
            result = import_states.finished_import(session, ctx.actor, project_id, started, runner)
        finally:
            session.rollback()
    if result is None:
        return _job_answer(started.record.id)
    summary = imports.ImportSummary(
        import_id=started.record.id,
        **{k: result[k] for k in ("task_count", "annotation_count", "prediction_count", "duration")},
        task_ids=result["task_ids"],
        data_columns=result["data_columns"],
        found_formats=result["found_formats"],
    )
    return _answer(
        summary,
        uploaded=True,
        found_formats=summary.found_formats,
        **({"duplicates": result["duplicates"]} if dedupe else {}),
        **({"task_ids": summary.task_ids} if with_ids else {}),
    )


@router.post("/api/projects/{project_id}/import/predictions", status_code=201)
def import_predictions(project_id: int, body: Any = Depends(json_body), ctx: Ctx = Depends(context)) -> dict:
    created = predictions.import_predictions(ctx.session, ctx.actor, project_id, body)
    ctx.commit()
    return {"created": created}


@router.get("/api/projects/{project_id}/imports/{import_id}")
def read_import(project_id: int, import_id: int, ctx: Ctx = Depends(context)) -> dict:
    """Label Studio's ProjectImport: an import's state, counts, errors and (while a job runs) progress."""
    state = import_states.read_import_state(ctx.session, ctx.actor, project_id, import_id, ctx.request.app.state.jobs)
    return import_read(state.record, progress=state.progress, task_ids=state.task_ids)
