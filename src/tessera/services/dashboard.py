"""A project's dashboard: progress per day, per-annotator figures, the lead time histogram, the label
distribution, review and ground-truth counts, and which of the other quality reports apply to its config.

Every figure is an aggregate query, so the database does the counting whatever the project's size (the label
distribution with its JSON functions, see `label_distribution`). All but the review counts are kept in the
per-process `report_cache` until the project's data changes.

Which annotations count: the annotators' own (a reviewer's fix, an annotation with a parent, is counted under
reviews only); skips are annotations with `was_cancelled`. Days are UTC calendar days.

A task counts as completed on the day of its last annotation: annotations stop coming once a task has its
overlap, so that is the day it was labeled (the tasks table keeps the state, not its date).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, distinct, false, func, or_, select, true
from sqlalchemy.orm import Session

from tessera.db.expressions import UtcDay
from tessera.db.tables import Annotation, Project, Task, as_utc
from tessera.domain.config import cached_config
from tessera.domain.errors import InvalidInput
from tessera.domain.preferences import comparison_controls
from tessera.domain.redteam import detect_setup
from tessera.services.access import get_project
from tessera.services.actors import Actor
from tessera.services.label_distribution import label_distribution
from tessera.services.report_cache import cached_report
from tessera.services.users import email_lookup

LEAD_TIME_EDGES = (0, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)  # seconds; the last bucket is open-ended

_A = Annotation.__table__.c
_T = Task.__table__.c
_SUBMITTED = case((_A.was_cancelled, 0), else_=1)
_SKIPPED = case((_A.was_cancelled, 1), else_=0)


def _own(project_id: int) -> ColumnElement[bool]:
    """The project's annotations made by annotators themselves (not reviewers' fixes)."""
    return and_(_A.project_id == project_id, _A.parent_annotation_id.is_(None))


def project_dashboard(session: Session, actor: Actor, project_id: int) -> dict[str, Any]:
    """The dashboard for staff (reviewers, managers, admins); 404 outside the project, 403 for annotators."""
    project, _role = get_project(session, actor, project_id, "dashboard.view")
    report = cached_report(session, project, "dashboard", lambda: annotation_figures(session, project))
    email = email_lookup(session)
    people = [{**row, "email": email(row["annotator"])} for row in report["annotators"]]
    return {
        **report,
        "annotators": people,
        "reviews": review_counts(session, project.id),  # a verdict leaves data_version as it is: never cached
        "reports": available_reports(project.label_config),
    }


def annotation_figures(session: Session, project: Project) -> dict[str, Any]:
    """Everything but the review counts: what only a write to the project's tasks or annotations changes."""
    tasks, labeled = session.execute(
        select(func.count(), func.coalesce(func.sum(case((_T.is_labeled, 1), else_=0)), 0)).where(
            _T.project_id == project.id
        )
    ).one()
    days = progress_by_day(session, project.id)
    return {
        "project": project.id,
        "totals": {
            "tasks": int(tasks),
            "labeled_tasks": int(labeled),
            "annotations": sum(d["annotations"] for d in days),
            "skips": sum(d["skips"] for d in days),
        },
        "progress": days,
        "annotators": annotator_figures(session, project.id),
        "lead_times": lead_time_histogram(session, project.id),
        "labels": label_distribution(session, project.id, cached_config(project.label_config)),
        "ground_truth": ground_truth_counts(session, project.id),
    }


def progress_by_day(session: Session, project_id: int) -> list[dict[str, Any]]:
    """Per day from the first to the last with activity (quiet days included, with zeros): annotations
    submitted, skips, tasks completed that day and completed so far."""
    day = UtcDay(_A.created_at)
    made = {
        d: (int(n), int(s))
        for d, n, s in session.execute(
            select(day, func.sum(_SUBMITTED), func.sum(_SKIPPED)).where(_own(project_id)).group_by(day)
        )
    }
    last_one = (
        select(func.max(_A.created_at).label("at"))
        .select_from(Annotation.__table__.join(Task.__table__, _T.id == _A.task_id))
        .where(_T.project_id == project_id, _T.is_labeled == true(), _own(project_id))
        .group_by(_A.task_id)
        .subquery()
    )
    done_day = UtcDay(last_one.c.at)
    done = {d: int(n) for d, n in session.execute(select(done_day, func.count()).group_by(done_day))}
    known = sorted(set(made) | set(done))
    if not known:
        return []
    out, total, at, end = [], 0, date.fromisoformat(known[0]), date.fromisoformat(known[-1])
    while at <= end:
        key = at.isoformat()
        submitted, skipped = made.get(key, (0, 0))
        total += done.get(key, 0)
        out.append(
            {
                "day": key,
                "annotations": submitted,
                "skips": skipped,
                "completed": done.get(key, 0),
                "completed_total": total,
            }
        )
        at += timedelta(days=1)
    return out


def annotator_figures(session: Session, project_id: int) -> list[dict[str, Any]]:
    """Per annotator: annotations, skips, skip rate, mean and median lead time of their submitted annotations,
    annotations per active day (a day with an annotation or a skip), and when they were last active. The
    e-mails are added by the caller, outside the cache (a person's e-mail may change)."""
    mean_lead = func.avg(case((_A.was_cancelled == false(), _A.lead_time)))
    rows = session.execute(
        select(
            _A.completed_by,
            func.sum(_SUBMITTED),
            func.sum(_SKIPPED),
            mean_lead,
            func.count(distinct(UtcDay(_A.created_at))),
            func.max(_A.created_at),
        )
        .where(_own(project_id))
        .group_by(_A.completed_by)
    ).all()
    medians = median_lead_times(session, project_id)
    out = []
    for who, submitted, skipped, mean, active_days, last in rows:
        submitted, skipped = int(submitted), int(skipped)
        out.append(
            {
                "annotator": who,
                "annotations": submitted,
                "skips": skipped,
                "skip_rate": skipped / (submitted + skipped) if submitted + skipped else None,
                "mean_lead_time": float(mean) if mean is not None else None,
                "median_lead_time": medians.get(who),
                "active_days": int(active_days),
                "annotations_per_active_day": submitted / active_days if active_days else None,
                "last_active_at": as_utc(last).isoformat() if last is not None else None,
            }
        )
    out.sort(key=lambda a: (-a["annotations"], a["annotator"] is None, a["annotator"] or 0))
    return out


def median_lead_times(session: Session, project_id: int) -> dict[int | None, float]:
    """Median lead time of each annotator's submitted annotations, in SQL: rank the lead times per annotator
    and average the middle one or two (window functions, on SQLite and PostgreSQL alike)."""
    ranked = (
        select(
            _A.completed_by.label("who"),
            _A.lead_time.label("lead"),
            func.row_number().over(partition_by=_A.completed_by, order_by=_A.lead_time).label("rank"),
            func.count().over(partition_by=_A.completed_by).label("n"),
        )
        .where(_own(project_id), _A.was_cancelled == false(), _A.lead_time.is_not(None))
        .subquery()
    )
    middle = or_(ranked.c.rank == (ranked.c.n + 1) // 2, ranked.c.rank == (ranked.c.n + 2) // 2)
    rows = session.execute(select(ranked.c.who, func.avg(ranked.c.lead)).where(middle).group_by(ranked.c.who))
    return {who: float(median) for who, median in rows}


def lead_time_histogram(session: Session, project_id: int) -> dict[str, Any]:
    """Submitted annotations per lead time bucket [low, high) in seconds; `high` is None for the last."""
    edges = LEAD_TIME_EDGES
    bucket = case(*((_A.lead_time < high, i) for i, high in enumerate(edges[1:])), else_=len(edges) - 1)
    counts = dict(
        session.execute(
            select(bucket, func.count())
            .where(_own(project_id), _A.was_cancelled == false(), _A.lead_time.is_not(None))
            .group_by(bucket)
        ).all()
    )
    missing = session.scalar(
        select(func.count()).where(_own(project_id), _A.was_cancelled == false(), _A.lead_time.is_(None))
    )
    buckets = [
        {"low": low, "high": edges[i + 1] if i + 1 < len(edges) else None, "count": int(counts.get(i, 0))}
        for i, low in enumerate(edges)
    ]
    return {"unit": "seconds", "buckets": buckets, "without_lead_time": int(missing or 0)}


def review_counts(session: Session, project_id: int) -> dict[str, int]:
    """Submitted annotations by the verdict of their latest review (pending: none yet), and reviewers' fixes."""
    counts = {"pending": 0, "accepted": 0, "rejected": 0, "fixed": 0}
    for status, n in session.execute(
        select(_A.review_status, func.count())
        .where(_own(project_id), _A.was_cancelled == false())
        .group_by(_A.review_status)
    ):
        counts[status or "pending"] = counts.get(status or "pending", 0) + int(n)
    counts["fixes"] = int(
        session.scalar(select(func.count()).where(_A.project_id == project_id, _A.parent_annotation_id.is_not(None)))
        or 0
    )
    return counts


def ground_truth_counts(session: Session, project_id: int) -> dict[str, int]:
    annotations, tasks = session.execute(
        select(func.count(), func.count(distinct(_A.task_id))).where(
            _A.project_id == project_id, _A.ground_truth == true(), _A.was_cancelled == false()
        )
    ).one()
    return {"annotations": int(annotations), "tasks": int(tasks)}


def available_reports(label_config: str) -> dict[str, bool]:
    """Which of the other staff reports answer for this config, so the page asks only for those: agreement
    and accuracy always; preferences with a comparison control; red-teaming when a success control is found."""
    config = cached_config(label_config)
    try:
        detect_setup(config)
        redteam = True
    except InvalidInput:
        redteam = False
    return {"agreement": True, "accuracy": True, "preferences": bool(comparison_controls(config)), "redteam": redteam}
