"""Consensus per task for one whole-task control (Choices, Rating, Number, Taxonomy): majority vote or
Dawid–Skene over the annotators' completed (not skipped) annotations, read in id order in batches."""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tessera.db.tables import Annotation, Project
from tessera.domain.config import cached_config
from tessera.domain.config.model import ControlTag
from tessera.domain.consensus import Consensus, Vote, majority_votes
from tessera.domain.errors import InvalidInput
from tessera.services.access import get_project
from tessera.services.actors import Actor

if TYPE_CHECKING:
    from tessera.domain.dawid_skene import DawidSkeneFit

METHODS = ("majority_vote", "dawid_skene")
WHOLE_TASK = {"choices": "choices", "rating": "rating", "number": "number", "taxonomy": "taxonomy"}
BATCH = 5000


@dataclass
class ConsensusReport:
    control: str
    method: str
    tasks: dict[int, Consensus]
    annotator_accuracy: dict[Hashable, float] = field(default_factory=dict)


def _control(project: Project, name: str | None) -> ControlTag:
    config = cached_config(project.label_config)
    usable = {n: c for n, c in config.controls.items() if c.result_type in WHOLE_TASK and not c.attrs.get("perRegion")}
    if name is None:
        if len(usable) != 1:
            raise InvalidInput(
                f"name the control: one of {', '.join(sorted(usable)) or '(none fits)'}",
                field_errors={"control": ["this field is required"]},
            )
        return next(iter(usable.values()))
    if name not in usable:
        raise InvalidInput(
            f"control {name!r} is not a whole-task choices, rating, number or taxonomy control of this project",
            field_errors={"control": ["not usable for consensus"]},
        )
    return usable[name]


def label_of(control: ControlTag, result: list[Any]) -> Hashable | None:
    """The annotator's answer for the control: one choice, or the sorted tuple of several; a number."""
    key = WHOLE_TASK[control.result_type]
    for item in result:
        if isinstance(item, dict) and item.get("from_name") == control.name and "id" not in item.get("value", {}):
            value = (item.get("value") or {}).get(key)
            if isinstance(value, list):
                flat = tuple(sorted("/".join(v) if isinstance(v, list) else str(v) for v in value))
                return flat[0] if len(flat) == 1 else flat or None
            if isinstance(value, int | float | str) and not isinstance(value, bool):
                return value
    return None


def _votes(session: Session, project_id: int, control: ControlTag) -> Iterator[tuple[int, Vote]]:
    last = 0
    while True:
        rows = session.execute(
            select(Annotation.id, Annotation.task_id, Annotation.completed_by, Annotation.result)
            .where(Annotation.project_id == project_id, Annotation.was_cancelled.is_(False), Annotation.id > last)
            .order_by(Annotation.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        for ann_id, task_id, author, result in rows:
            label = label_of(control, result or [])
            if label is not None:
                yield task_id, (author if author is not None else f"annotation {ann_id}", label)
        last = rows[-1][0]


def consensus_by_control(session: Session, project: Project, method: str) -> dict[str, dict[int, Consensus]]:
    """Every whole-task control's consensus per task (for exports; the caller has checked access)."""
    config = cached_config(project.label_config)
    out: dict[str, dict[int, Consensus]] = {}
    for name, control in config.controls.items():
        if control.result_type not in WHOLE_TASK or control.attrs.get("perRegion"):
            continue
        items: dict[int, list[Vote]] = {}
        for task_id, vote in _votes(session, project.id, control):
            items.setdefault(task_id, []).append(vote)
        out[name] = majority_votes(items) if method == "majority_vote" else _dawid_skene(items).items  # type: ignore[assignment]
    return out


def check_method(value: Any) -> str | None:
    """The `consensus` export option: None, "majority_vote" or "dawid_skene"."""
    if value in (None, ""):
        return None
    if value not in METHODS:
        message = f"must be one of {', '.join(METHODS)}, not {value!r}"
        raise InvalidInput(f"consensus: {message}", field_errors={"consensus": [message]})
    return str(value)


def project_consensus(
    session: Session, actor: Actor, project_id: int, *, control: str | None, method: str
) -> ConsensusReport:
    project, _role = get_project(session, actor, project_id, "annotations.view_all")
    if method not in METHODS:
        raise InvalidInput(f"method must be one of {', '.join(METHODS)}", field_errors={"method": ["unknown"]})
    tag = _control(project, control)
    items: dict[int, list[Vote]] = {}
    for task_id, vote in _votes(session, project.id, tag):
        items.setdefault(task_id, []).append(vote)
    if method == "majority_vote":
        return ConsensusReport(tag.name, method, majority_votes(items))
    fit = _dawid_skene(items)
    return ConsensusReport(tag.name, method, fit.items, fit.annotator_accuracy)


def _dawid_skene(items: dict[int, list[Vote]]) -> DawidSkeneFit:
    # numpy is a heavy dependency (about 13 MB resident in every process that imports it): loaded on the first
    # Dawid–Skene fit, not when the server starts.
    from tessera.domain.dawid_skene import dawid_skene  # noqa: PLC0415

    return dawid_skene(items)
