"""Import tasks (with their annotations and predictions) into a project: streamed, validated row by row,
inserted in batches inside the caller's transaction. All or nothing: any bad row raises before commit, and
the error names every bad row (up to a limit) by line."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from sqlalchemy import JSON, event, select, text, update
from sqlalchemy.orm import Session

from tessera.db.bulk import RowStream, driver_value, insert_many, plain_json, to_json
from tessera.db.maintenance import vacuum_in_background
from tessera.db.tables import Annotation, ImportRecord, Prediction, Project, Task, utcnow
from tessera.domain.config import LabelConfig, cached_config, expand_prediction_shorthand, validate_result
from tessera.domain.errors import InvalidInput, NotFound, ResultError
from tessera.domain.labeling import task_is_labeled, task_overlap
from tessera.domain.presentation import check_presentation
from tessera.io.readers import RawTask, read_sources, split_task
from tessera.services.access import get_project
from tessera.services.actors import Actor
from tessera.services.import_authors import AnnotatorMap, AuthorResolver
from tessera.services.task_agreement import refresh_tasks
from tessera.services.task_totals import changed

BATCH = 2000
TASK_COLUMNS = (
    "project_id",
    "inner_id",
    "data",
    "meta",
    "import_id",
    "source_line",
    "total_annotations",
    "cancelled_annotations",
    "total_predictions",
    "is_labeled",
    "created_at",
    "updated_at",
)  # no `updated_by`: an import is no person's edit, and Label Studio leaves it empty on imported tasks too
# PostgreSQL keeps the text of `data` too (`Task.data_text`, copied by the export); SQLite stores `data` as that text
PG_TASK_COLUMNS = (*TASK_COLUMNS, "data_text")
ANNOTATION_COLUMNS = (
    "task_id",
    "project_id",
    "import_id",
    "result",
    "was_cancelled",
    "ground_truth",
    "lead_time",
    "completed_by",
    "updated_by",
    "config_version",
    "version",
    "created_at",
    "updated_at",
    "presentation",
)
PREDICTION_COLUMNS = (
    "task_id",
    "project_id",
    "import_id",
    "result",
    "score",
    "model_version",
    "created_at",
    "updated_at",
)
_SCALAR_TASK_COLUMNS = [c.name for c in Task.__table__.columns if not isinstance(c.type, JSON)]
MAX_REPORTED = 100
ANALYZE_AFTER = 5000  # tasks imported at once
MAX_COLUMNS = 1000


@dataclass
class ImportSource:
    filename: str
    stream: BinaryIO


@dataclass
class ImportSummary:
    import_id: int
    task_count: int = 0
    annotation_count: int = 0
    prediction_count: int = 0
    duration: float = 0.0
    task_ids: list[int] = field(default_factory=list)
    data_columns: list[str] = field(default_factory=list)
    found_formats: dict[str, int] = field(default_factory=dict)
    filenames: list[str] = field(default_factory=list)
    duplicates: int = 0  # tasks skipped by de-duplication


def read_import(session: Session, actor: Actor, project_id: int, import_id: int) -> ImportRecord:
    """One import of the project. A synchronous import is all or nothing inside its request, so a refused one
    left no record; an import run as a job has a record from the start (created, in progress, then completed
    or failed with its errors)."""
    project, _role = get_project(session, actor, project_id, "tasks.view")
    record = session.get(ImportRecord, import_id)
    if record is None or record.project_id != project.id:
        raise NotFound("import not found")
    return record


def items_from_body(body: Any, plain: bool = False) -> Iterator[RawTask]:
    """A JSON body: a list of tasks or a single task (`plain`: orjson parsed it, see `RawTask`)."""
    items = body if isinstance(body, list) else [body]
    for i, item in enumerate(items, start=1):
        yield RawTask(i, item, plain)


def import_tasks(
    session: Session,
    actor: Actor,
    project_id: int,
    *,
    body: Any = None,
    body_plain: bool = False,
    files: Iterable[ImportSource] = (),
    parsed: Iterable[tuple[str, Iterable[RawTask]]] = (),
    keep_ids: bool = True,
    record_id: int | None = None,
    dedupe: bool = False,
    progress: Callable[[int], None] | None = None,
    annotator_map: AnnotatorMap | None = None,
) -> ImportSummary:
    """Import into the caller's transaction: a JSON `body` (`body_plain` when orjson parsed it), `files` to
    read, and `parsed` (file name, items) pairs that a reader made already (datasets, see `dataset_imports`).
    `record_id` names an import record made beforehand (a job's); `dedupe` skips tasks whose `data` equals one
    already in the project or earlier in this import; `progress` hears the number of rows read so far after
    each batch; `annotator_map` maps the user ids in annotations' `completed_by` to e-mails of this project's
    members (see `import_authors`)."""
    started = time.perf_counter()
    project, _role = get_project(session, actor, project_id, "tasks.create", for_update=True)
    config = cached_config(project.label_config)
    record = session.get(ImportRecord, record_id) if record_id is not None else None
    if record is None or record.project_id != project.id:
        record = ImportRecord(project_id=project.id, created_by=actor.user_id or None, status="in_progress")
        session.add(record)
        session.flush()
    writer = _BatchWriter(session, actor, project, config, record.id, keep_ids, annotator_map)
    writer.progress = progress
    if dedupe:
        writer.seen = existing_data_hashes(session, project.id)
    files = list(files)
    try:
        if body is not None:
            writer.feed("request body", items_from_body(body, body_plain))
        for source in files:
            fmt = source.filename.rsplit(".", 1)[-1].lower() if "." in source.filename else ""
            writer.summary.found_formats[fmt] = writer.summary.found_formats.get(fmt, 0) + 1
            writer.summary.filenames.append(source.filename)
            for name, items in read_sources(source.stream, source.filename, text_field=config.first_text_field()):
                writer.feed(name, items)
        for name, items in parsed:
            writer.summary.filenames.append(name)
            writer.feed(name, items)
        writer.finish()
    except BaseException as exc:
        writer.tasks.abort(exc)  # a COPY left open would keep the connection from rolling back
        raise
    if writer.summary.annotation_count:
        refresh_tasks(session, config, project.id, record.id)
    changed(session, project.id)
    if writer.summary.task_count >= ANALYZE_AFTER and session.get_bind().dialect.name == "postgresql":
        # Fresh statistics now, not when autovacuum gets to it: without them the planner takes a big project
        # for a small one and sorts every row to serve a page of 100. Only the scalar columns: the sample's
        # JSON (`data`, `meta`) would cost the most to read and compare, and the vacuum that follows the
        # commit in the background analyzes the whole table (and marks the new pages all-visible, so that
        # pages are found by index-only scans).
        session.execute(text(f"ANALYZE tasks ({', '.join(_SCALAR_TASK_COLUMNS)})"))
        engine = session.get_bind().engine
        event.listen(session, "after_commit", lambda _s: vacuum_in_background(engine, "tasks"), once=True)
    summary = writer.summary
    summary.duration = time.perf_counter() - started
    record.status = "completed"
    record.filenames = summary.filenames
    record.task_count, record.annotation_count = summary.task_count, summary.annotation_count
    record.prediction_count, record.data_columns = summary.prediction_count, summary.data_columns
    record.finished_at = utcnow()
    session.flush()
    return summary


class _BatchWriter:
    def __init__(
        self,
        session: Session,
        actor: Actor,
        project: Project,
        config: LabelConfig,
        import_id: int,
        keep_ids: bool,
        annotator_map: AnnotatorMap | None = None,
    ) -> None:
        self.session, self.actor, self.project, self.config = session, actor, project, config
        self.overlap = int(project.settings.get("maximum_annotations", 1))
        self.cohort = int(project.settings.get("overlap_cohort_percentage", 100))
        self.skip_queue = project.settings.get("skip_queue", "REQUEUE_FOR_OTHERS")
        self.keep_ids = keep_ids
        self.summary = ImportSummary(import_id=import_id)
        self.errors: list[str] = []
        self.columns: dict[str, None] = {}
        self.rows: list[tuple[Any, ...]] = []
        self.children: list[tuple[int, list[dict], list[dict]]] = []  # (row index, annotations, predictions)
        self.next_inner = project.next_inner_id
        self.ids_from = self.next_inner  # the first task whose id was not read back yet
        self.now = utcnow()
        self.authors = AuthorResolver(session, project.id, actor.user_id or None, annotator_map)
        conn = session.connection()
        self.conn = conn
        self.stamp = driver_value(conn, Task.__table__.c.created_at, self.now)
        self.true, self.false = (driver_value(conn, Task.__table__.c.is_labeled, v) for v in (True, False))
        self.unlabeled = self.true if task_is_labeled(0, 0, self.overlap, self.skip_queue) else self.false
        self.project_id, self.import_id = project.id, import_id
        self.progress: Callable[[int], None] | None = None
        self.rows_read = 0
        self.seen: set[bytes] | None = None  # data hashes, when de-duplicating
        self.keep_text = conn.dialect.name == "postgresql"
        columns = PG_TASK_COLUMNS if self.keep_text else TASK_COLUMNS
        self.tasks = RowStream(conn, Task.__table__, columns)  # close it before any other statement
        self.authors.before_query = self.tasks.close
        self.skipped = 0

    def feed(self, filename: str, items: Iterable[RawTask]) -> None:
        for raw in items:
            self.rows_read += 1
            try:
                self._add(raw)
            except (InvalidInput, ValueError, TypeError) as exc:
                self._error(filename, raw.line, getattr(exc, "detail", str(exc)))
            if len(self.rows) >= BATCH:
                self._flush()
            if self.progress is not None and self.rows_read % BATCH == 0:
                self.progress(self.rows_read)

    def _error(self, filename: str, line: int, message: str) -> None:
        self.errors.append(f"{filename}, line {line}: {message}")
        if len(self.errors) >= MAX_REPORTED:
            self._raise()

    def _raise(self) -> None:
        more = f" (stopped at the first {MAX_REPORTED})" if len(self.errors) >= MAX_REPORTED else ""
        detail = f"{len(self.errors)} bad row(s){more}, nothing was imported: {self.errors[0]}"
        raise InvalidInput(detail, field_errors={"tasks": self.errors})

    def _add(self, raw: RawTask) -> None:
        if not isinstance(raw.item, dict):
            raise InvalidInput("a task must be a JSON object")
        data, meta, annotations, predictions = split_task(raw.item)
        missing = self.config.missing_fields(data)
        if missing:
            raise InvalidInput(f"data has no field {', '.join(repr(m) for m in missing)} that the config needs")
        anns = [self._annotation(a, data, i) for i, a in enumerate(annotations or [])]
        # A Label Studio JSON export lists a task's predictions by id alone: references into the other
        # instance, with no result to keep. Label Studio skips them on import, and so does Tessera.
        preds = [self._prediction(p, data, i) for i, p in enumerate(predictions or []) if not _is_id(p)]
        if self.errors:
            return  # keep scanning for errors, but stop building rows
        encode = plain_json if raw.plain else to_json
        data_text = encode(data)
        if self.seen is not None:
            digest = data_hash(data)
            if digest in self.seen:
                self.skipped += 1
                return
            self.seen.add(digest)
        columns = self.columns
        if len(columns) < MAX_COLUMNS and not columns.keys() >= data.keys():
            for key in data:
                if key not in columns:
                    columns[key] = None
        if anns:
            total = sum(1 for a in anns if not a["was_cancelled"])
            cancelled = len(anns) - total
            overlap = task_overlap(self.overlap, self.cohort, self.next_inner)
            flag = self.true if task_is_labeled(total, cancelled, overlap, self.skip_queue) else self.false
        else:
            total = cancelled = 0
            flag = self.unlabeled
        row = (
            self.project_id,
            self.next_inner,
            data_text,
            encode(meta) if meta else "{}",
            self.import_id,
            raw.line,
            total,
            cancelled,
            len(preds),
            flag,
            self.stamp,
            self.stamp,
        )
        self.rows.append((*row, data_text) if self.keep_text else row)
        if anns or preds:
            self.children.append((len(self.rows) - 1, anns, preds))
        self.next_inner += 1

    def _annotation(self, ann: Any, data: dict, i: int) -> dict[str, Any]:
        if not isinstance(ann, dict):
            raise InvalidInput(f"annotations[{i}] must be an object")
        result = ann.get("result", [])
        try:
            validate_result(self.config, result, data)
        except ResultError as exc:
            raise InvalidInput(f"annotations[{i}].{exc.detail}") from exc
        return {
            "result": to_json(result),
            "was_cancelled": bool(ann.get("was_cancelled", False)),
            "ground_truth": bool(ann.get("ground_truth", True)),  # imported labels are ground truth, as in LS
            "lead_time": _float(ann.get("lead_time")),
            "completed_by": self._author(ann.get("completed_by"), i),
            "presentation": self._presentation(ann.get("presentation"), data, i),
        }

    def _author(self, value: Any, i: int) -> int | None:
        try:
            return self.authors.resolve(value)
        except InvalidInput as exc:
            raise InvalidInput(f"annotations[{i}].{exc.detail}") from exc

    def _presentation(self, value: Any, data: dict, i: int) -> str | None:
        try:
            presentation = check_presentation(self.config, data, value)
        except InvalidInput as exc:
            raise InvalidInput(f"annotations[{i}].{exc.detail}") from exc
        return to_json(presentation) if presentation else None

    def _prediction(self, pred: Any, data: dict, i: int) -> dict[str, Any]:
        if not isinstance(pred, dict):
            raise InvalidInput(f"predictions[{i}] must be an object")
        try:
            result = expand_prediction_shorthand(self.config, pred.get("result", []))
            validate_result(self.config, result, data)
        except ResultError as exc:
            raise InvalidInput(f"predictions[{i}].{exc.detail}") from exc
        return {
            "result": to_json(result),
            "score": _float(pred.get("score")),
            "model_version": str(pred.get("model_version") or ""),
        }

    def _flush(self) -> None:
        if not self.rows:
            return
        # A plain executemany (a COPY on PostgreSQL) of driver-ready values. Ids are read back by inner_id
        # (unique per project, and the project row is locked) only when annotations or predictions need them
        # now; the caller's are read once at the end, so that the COPY stays open between batches.
        self.tasks.write(self.rows)
        count = len(self.rows)
        self.summary.task_count += count
        if not self.children:
            self.rows = []
            return
        if not self.keep_ids:
            self.ids_from = self.rows[0][1]  # only this batch's
        ids = self._read_ids(self.rows[-1][1])[-count:]
        anns: list[tuple[Any, ...]] = []
        preds: list[tuple[Any, ...]] = []
        pid, iid, version = self.project.id, self.summary.import_id, self.project.config_version
        for index, task_anns, task_preds in self.children:
            task_id = ids[index]
            for a in task_anns:
                anns.append(
                    (
                        task_id,
                        pid,
                        iid,
                        a["result"],
                        self.true if a["was_cancelled"] else self.false,
                        self.true if a["ground_truth"] else self.false,
                        a["lead_time"],
                        a["completed_by"],
                        a["completed_by"],
                        version,
                        1,
                        self.stamp,
                        self.stamp,
                        a["presentation"],
                    )
                )
            for p in task_preds:
                preds.append((task_id, pid, iid, p["result"], p["score"], p["model_version"], self.stamp, self.stamp))
        insert_many(self.conn, Annotation.__table__, ANNOTATION_COLUMNS, anns)
        insert_many(self.conn, Prediction.__table__, PREDICTION_COLUMNS, preds)
        self.summary.annotation_count += len(anns)
        self.summary.prediction_count += len(preds)
        self.rows, self.children = [], []

    def _read_ids(self, last: int) -> list[int]:
        """The ids of the tasks sent since the last read, up to inner id `last`, in order (kept for the caller
        when it wants them). Inner ids run without gaps: a skipped duplicate takes none."""
        self.tasks.close()
        first, self.ids_from = self.ids_from, last + 1
        ids = list(
            self.conn.execute(
                select(Task.id)
                .where(Task.project_id == self.project_id, Task.inner_id.between(first, last))
                .order_by(Task.inner_id)
            )
            .scalars()
            .all()
        )
        if len(ids) != last - first + 1:
            raise RuntimeError(f"inserted {last - first + 1} tasks but found {len(ids)}")
        if self.keep_ids:
            self.summary.task_ids.extend(ids)
        return ids

    def finish(self) -> None:
        if self.errors:
            self._raise()
        self._flush()
        if self.keep_ids and self.ids_from < self.next_inner:
            self._read_ids(self.next_inner - 1)
        self.tasks.close()
        self.summary.data_columns = list(self.columns)
        self.summary.duplicates = self.skipped
        self.session.execute(update(Project).where(Project.id == self.project.id).values(next_inner_id=self.next_inner))


def data_hash(data: Any) -> bytes:
    """A digest of `data` that does not depend on key order (PostgreSQL's JSONB reorders keys)."""
    return hashlib.blake2b(json.dumps(data, sort_keys=True, separators=(",", ":")).encode(), digest_size=16).digest()


def existing_data_hashes(session: Session, project_id: int) -> set[bytes]:
    """The data hashes of the project's tasks, read in batches (16 bytes each in memory)."""
    hashes: set[bytes] = set()
    rows = session.execute(select(Task.data).where(Task.project_id == project_id).execution_options(yield_per=5000))
    for (data,) in rows:
        hashes.add(data_hash(data))
    return hashes


def _float(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{value!r} is not a number") from exc


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
