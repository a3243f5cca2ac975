"""Exports: stream a project's tasks in Label Studio's JSON shape through a format writer into a file that is
published atomically (write, fsync, rename) with its md5. The sync endpoint and snapshots (`snapshots`) share
this path."""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from tessera.db.tables import Annotation, Prediction, Project, Task
from tessera.domain.config import cached_config
from tessera.domain.consensus import Consensus
from tessera.domain.errors import InvalidInput
from tessera.domain.export_fit import fitting_formats
from tessera.domain.preference_prompt import PreferenceOptions
from tessera.io.hashed_output import HashedOutput
from tessera.io.writers import EXPORT_FORMATS
from tessera.services.access import get_project
from tessera.services.actors import Actor
from tessera.services.consensus import check_method, consensus_by_control
from tessera.services.export_lines import iter_task_columns, iter_task_lines
from tessera.services.export_text import Stamps, iter_task_texts
from tessera.services.ls_shapes import annotation_dict, export_task, prediction_dict
from tessera.services.rare_collections import rare_collections
from tessera.services.users import email_lookup

BATCH = 2000


@dataclass
class ExportFile:
    path: Path
    filename: str
    media_type: str
    md5: str
    task_count: int


@dataclass
class ExportStream:
    """An export sent as it is made, without a file (the sync endpoint, for the formats that stream)."""

    filename: str
    media_type: str
    chunks: Iterator[bytes]


def export_format(name: str | None) -> Any:
    key = (name or "JSON").upper()
    fmt = EXPORT_FORMATS.get(key)
    if fmt is None:
        raise InvalidInput(
            f"unknown export format {name!r}; choose one of {', '.join(EXPORT_FORMATS)}",
            field_errors={"exportType": ["unknown format"]},
        )
    return key, fmt


REVIEWED = ("only", "exclude")
CONSENSUS_FORMATS = ("JSON", "JSONL")  # the formats whose tasks carry `consensus`


@dataclass(frozen=True)
class AnnotationFilter:
    """Which annotations an export carries. `kinds` is Label Studio's `annotation_filter_options` choice
    (any of "usual", "ground_truth", "skipped"; none chosen means all); `annotators` keeps those of these users.
    With a filter, "labeled only" means tasks left with an annotation after it."""

    kinds: frozenset[str] = frozenset()
    annotators: tuple[int, ...] | None = None
    reviewed: str | None = None  # "only": accepted by a review (fixes included); "exclude": all but those

    def __bool__(self) -> bool:
        return bool(self.kinds) or self.annotators is not None or self.reviewed is not None

    def where(self, table: Any) -> Any:
        c = table.c
        conditions = []
        if self.kinds:
            chosen = []
            if "usual" in self.kinds:
                chosen.append(~c.ground_truth & ~c.was_cancelled)
            if "ground_truth" in self.kinds:
                chosen.append(c.ground_truth)
            if "skipped" in self.kinds:
                chosen.append(c.was_cancelled)
            conditions.append(or_(*chosen))
        if self.annotators is not None:
            conditions.append(c.completed_by.in_(self.annotators))
        if self.reviewed == "only":
            conditions.append(c.review_status == "accepted")
        elif self.reviewed == "exclude":
            conditions.append(or_(c.review_status.is_(None), c.review_status != "accepted"))
        return and_(*conditions)

    @classmethod
    def from_options(cls, options: Any) -> AnnotationFilter:
        """From a snapshot's `annotation_filter_options` ({"usual": bool, "ground_truth": bool, "skipped":
        bool, "annotators": [user id, ...], "reviewed": "only" | "exclude" | null}, the last as in Label Studio
        Enterprise); anything else there is ignored, as Label Studio ignores it."""
        options = options if isinstance(options, dict) else {}
        kinds = frozenset(k for k in ("usual", "ground_truth", "skipped") if options.get(k) is True)
        annotators = options.get("annotators")
        reviewed = check_reviewed(options.get("reviewed"))
        if not isinstance(annotators, list):
            return cls(kinds, None, reviewed)
        ids = tuple(a for a in annotators if isinstance(a, int) and not isinstance(a, bool))
        return cls(kinds, ids, reviewed)


def check_reviewed(value: Any) -> str | None:
    """The `reviewed` export filter: None, "only" or "exclude"; anything else is refused by name."""
    if value in (None, "", "null"):
        return None
    if value not in REVIEWED:
        message = f"must be one of {', '.join(REVIEWED)}, not {value!r}"
        raise InvalidInput(f"reviewed: {message}", field_errors={"reviewed": [message]})
    return str(value)


def iter_export_tasks(
    session: Session,
    project: Project,
    *,
    ids: list[int] | None = None,
    only_labeled: bool = False,
    annotations: AnnotationFilter | None = None,
    counter: list[int] | None = None,
    raw_json: bool = False,
    encoded: bool = False,
    columns: bool = False,
) -> Iterator[Any]:
    """Tasks in id order, a batch at a time (keyset), with their annotations and predictions. With `raw_json`,
    `data`, `meta`, `annotations` and `predictions` come as JSON text (`RawJSON`, see `export_text`), which the
    JSON writers copy; with `encoded`, each task comes as the bytes of its compact JSON (`export_lines`); with
    `columns`, the tasks come a batch at a time as columns (`export_lines.iter_task_columns`).
    `annotations` filters the annotations (and, with `only_labeled`, drops tasks left without any)."""
    annotation_filter = annotations or AnnotationFilter()
    last = 0
    conn = session.connection()
    if raw_json or encoded or columns:
        reader = iter_task_columns if columns else iter_task_lines if encoded else iter_task_texts
        yield from reader(
            conn,
            project.id,
            ids=ids,
            only_labeled=only_labeled,
            annotation_where=annotation_filter.where(Annotation.__table__) if annotation_filter else None,
            drop_unannotated=only_labeled and bool(annotation_filter),
            counter=counter,
        )
        return
    t = Task.__table__.c
    columns = (t.id, t.data, t.meta, t.created_at, t.updated_at, t.inner_id, t.total_annotations)
    columns += (t.cancelled_annotations, t.total_predictions, t.project_id, t.updated_by)
    stamp = Stamps().__getitem__  # a batch of imported tasks shares its timestamps

    while True:
        # Core rows, not ORM objects: the export reads each row once and never changes it.
        q = select(*columns).where(t.project_id == project.id, t.id > last)
        if ids is not None:
            q = q.where(t.id.in_(ids))
        if only_labeled:
            q = q.where((t.total_annotations + t.cancelled_annotations) > 0)
        tasks = conn.execute(q.order_by(t.id).limit(BATCH)).all()
        if not tasks:
            return
        last = tasks[-1][0]
        task_ids = [row[0] for row in tasks]
        anns: dict[int, list[dict]] = defaultdict(list)
        preds: dict[int, list[dict]] = defaultdict(list)
        # The batch's id range, not an IN list of 2,000 ids (which costs more to build and parse than to run);
        # rows of tasks in the range but not in the batch (filtered out, or another project's) are skipped.
        wanted = set(task_ids)
        for table, into, shape in (
            (Annotation.__table__, anns, annotation_dict),
            (Prediction.__table__, preds, prediction_dict),
        ):
            q = select(table).where(table.c.task_id.between(task_ids[0], task_ids[-1]))
            if table is Annotation.__table__ and annotation_filter:
                q = q.where(annotation_filter.where(table))
            for row in conn.execute(q.order_by(table.c.id)):
                if row.task_id in wanted:
                    into[row.task_id].append(shape(row))
        for row in tasks:
            tid = row[0]
            if only_labeled and annotation_filter and tid not in anns:
                continue
            if counter is not None:
                counter[0] += 1
            yield export_task(row, anns.get(tid, []), preds.get(tid, []), row[1], row[2], [], stamp)


def write_export(
    session: Session,
    project: Project,
    fmt_name: str,
    target: Path,
    *,
    options: dict[str, Any] | None = None,
    progress: Callable[[int], None] | None = None,
    **filters: Any,
) -> ExportFile:
    """Write the export; `options` are the format's own (`dpo_format`, `prompt_field` for the training
    formats, checked here so that a bad value is a 400 before any file is made); `progress` hears the number
    of tasks written so far, every `PROGRESS_EVERY` tasks."""
    key, fmt = export_format(fmt_name)
    checked = PreferenceOptions.of(options)
    method = check_method((options or {}).get("consensus"))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    counter = [0]
    try:
        with open(tmp, "wb") as out:
            config = cached_config(project.label_config)
            tasks = _tasks(session, project, key, fmt, method, counter, filters)
            columns = fmt.columns is not None  # Parquet: never consensus (not one of CONSENSUS_FORMATS)
            if progress is not None:
                tasks = _reporting_columns(tasks, progress) if columns else _reporting(tasks, progress)
            people = email_lookup(session)
            schema = config.parsed_label_config()
            sink = HashedOutput(out) if fmt.sequential else None
            writer = fmt.columns if columns else fmt.writer
            try:
                with rare_collections():  # millions of rows, no cycles: see `rare_collections`
                    writer(tasks, sink or out, schema=schema, config=config, options=checked, people=people)
            finally:
                md5 = sink.close() if sink else None
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    md5 = md5 or _md5(target)
    return ExportFile(target, f"project-{project.id}-{key}.{fmt.extension}", fmt.media_type, md5, counter[0])


def _tasks(
    session: Session,
    project: Project,
    key: str,
    fmt: Any,
    method: str | None,
    counter: list[int] | None,
    filters: dict[str, Any],
) -> Iterator[Any]:
    """The tasks as the format's writer takes them: encoded bytes for the formats that stream (unless they
    carry consensus, which is added to the task dicts)."""
    consensus = bool(method) and key in CONSENSUS_FORMATS
    encoded = fmt.chunks is not None and not consensus
    columns = fmt.columns is not None  # Parquet: never consensus (not one of CONSENSUS_FORMATS)
    tasks = iter_export_tasks(
        session, project, counter=counter, raw_json=fmt.raw_json, encoded=encoded, columns=columns, **filters
    )
    if consensus:
        tasks = _with_consensus(tasks, consensus_by_control(session, project, str(method)), str(method))
    return tasks


PROGRESS_EVERY = 1000


def _reporting(tasks: Iterator[dict[str, Any]], progress: Callable[[int], None]) -> Iterator[dict[str, Any]]:
    written = 0
    for task in tasks:
        yield task
        written += 1
        if written % PROGRESS_EVERY == 0:
            progress(written)
    progress(written)


def _reporting_columns(
    batches: Iterator[dict[str, list[Any]]], progress: Callable[[int], None]
) -> Iterator[dict[str, list[Any]]]:
    """`_reporting` of column batches: the tasks written so far after each batch (counted before the batch
    goes on: the Parquet writer empties it once Arrow holds its columns)."""
    written = 0
    for batch in batches:
        size = len(batch["id"])
        yield batch
        written += size
        progress(written)
    progress(written)


def _with_consensus(
    tasks: Iterator[dict[str, Any]], by_control: dict[str, dict[int, Consensus]], method: str
) -> Iterator[dict[str, Any]]:
    """Each task with `consensus`: {control: {label, confidence, votes, method}} for the controls that have one."""
    for task in tasks:
        found = {}
        for name, per_task in by_control.items():
            c = per_task.get(task["id"])
            if c is not None:
                label = list(c.label) if isinstance(c.label, tuple) else c.label
                found[name] = {"label": label, "confidence": round(c.confidence, 6), "votes": c.votes, "method": method}
        task["consensus"] = found
        yield task


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sync_export(
    session: Session,
    actor: Actor,
    project_id: int,
    data_dir: Path,
    *,
    fmt: str | None,
    ids: list[int] | None,
    all_tasks: bool,
    annotations: AnnotationFilter | None = None,
    options: dict[str, Any] | None = None,
) -> ExportFile | ExportStream:
    """The LS-compatible sync export: streamed for the formats that can (`ExportStream`), else a file to send
    and delete."""
    project, _role = get_project(session, actor, project_id, "exports.create")
    _consensus_fits(fmt or "JSON", options)
    only_labeled = not all_tasks and ids is None
    key, spec = export_format(fmt)
    if spec.chunks is not None:
        # Label Studio's sync export keeps no file either: the bytes go out as the tasks are read.
        PreferenceOptions.of(options)
        method = check_method((options or {}).get("consensus"))
        filters = {"ids": ids, "only_labeled": only_labeled, "annotations": annotations}
        tasks = _tasks(session, project, key, spec, method, None, filters)
        return ExportStream(f"project-{project.id}-{key}.{spec.extension}", spec.media_type, spec.chunks(tasks))
    target = data_dir / "exports" / "tmp" / f"sync-{project.id}-{os.urandom(8).hex()}"
    return write_export(
        session,
        project,
        fmt or "JSON",
        target,
        options=options,
        ids=ids,
        only_labeled=only_labeled,
        annotations=annotations,
    )


def export_to_path(
    session: Session,
    actor: Actor,
    project_id: int,
    fmt: str,
    target: Path,
    *,
    only_labeled: bool = False,
    ids: list[int] | None = None,
    annotations: AnnotationFilter | None = None,
    options: dict[str, Any] | None = None,
) -> ExportFile:
    project, _role = get_project(session, actor, project_id, "exports.create")
    _consensus_fits(fmt, options)
    return write_export(
        session, project, fmt, target, options=options, ids=ids, only_labeled=only_labeled, annotations=annotations
    )


def _consensus_fits(fmt: str, options: dict[str, Any] | None) -> None:
    """Consensus asked for explicitly in a format that cannot carry it is refused (a snapshot converted to
    such a format simply leaves it out)."""
    if check_method((options or {}).get("consensus")) and fmt.upper() not in CONSENSUS_FORMATS:
        message = f"goes out in {' and '.join(CONSENSUS_FORMATS)} only, not {fmt}"
        raise InvalidInput(f"consensus: {message}", field_errors={"consensus": [message]})


def list_formats(session: Session, actor: Actor, project_id: int) -> list[dict[str, Any]]:
    """Every export format, those that cannot carry this project's labels marked `disabled` (as Label Studio
    lists them: the flat formats first, without the key; `tags` where Label Studio gives them)."""
    project, _role = get_project(session, actor, project_id, "exports.view")
    config = cached_config(project.label_config)
    fitting = fitting_formats(config.parsed_label_config(), list(EXPORT_FORMATS), config)
    listed = []
    for name, spec in EXPORT_FORMATS.items():
        entry: dict[str, Any] = {"name": name, "title": spec.title, "description": spec.description}
        if spec.tags:
            entry["tags"] = list(spec.tags)
        entry["disabled"] = name not in fitting
        listed.append(entry)
    return listed
