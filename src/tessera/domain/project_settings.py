"""Project options with Label Studio's names and defaults, and the check of a project PATCH body."""

from __future__ import annotations

import re
from typing import Any

from tessera.domain.errors import InvalidInput
from tessera.domain.ids import MAX_ROW_ID

FIELD_NAME = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
SAMPLING = ("Sequential sampling", "Uniform sampling", "Uncertainty sampling")
SKIP_QUEUE = ("REQUEUE_FOR_ME", "REQUEUE_FOR_OTHERS", "IGNORE_SKIPPED")

# name -> (default, accepted types, extra check or None)
OPTIONS: dict[str, tuple[Any, tuple[type, ...], Any]] = {
    "show_instruction": (False, (bool,), None),
    "show_skip_button": (True, (bool,), None),
    "enable_empty_annotation": (True, (bool,), None),
    "show_annotation_history": (False, (bool,), None),
    "color": ("#FFFFFF", (str,), None),
    "maximum_annotations": (1, (int,), lambda v: v >= 1 or "must be at least 1"),
    "is_published": (False, (bool,), None),
    "is_draft": (False, (bool,), None),
    "model_version": ("", (str,), None),
    "min_annotations_to_start_training": (0, (int,), lambda v: v >= 0 or "must not be negative"),
    "start_training_on_annotation_update": (False, (bool,), None),
    "show_collab_predictions": (True, (bool,), None),
    "sampling": ("Sequential sampling", (str,), lambda v: v in SAMPLING or f"must be one of {', '.join(SAMPLING)}"),
    "show_ground_truth_first": (False, (bool,), None),
    "show_overlap_first": (False, (bool,), None),
    "overlap_cohort_percentage": (100, (int,), lambda v: 0 <= v <= 100 or "must be between 0 and 100"),
    "task_data_login": (None, (str, type(None)), None),
    "task_data_password": (None, (str, type(None)), None),
    "evaluate_predictions_automatically": (False, (bool,), None),
    "skip_queue": (
        "REQUEUE_FOR_OTHERS",
        (str,),
        lambda v: v in SKIP_QUEUE or f"must be one of {', '.join(SKIP_QUEUE)}",
    ),
    "reveal_preannotations_interactively": (False, (bool,), None),
    "pinned_at": (None, (str, type(None)), None),
    "annotator_evaluation_enabled": (False, (bool,), None),
    "control_weights": (None, (dict, type(None)), None),
    "annotators_see_others": (False, (bool,), None),
    # Tessera's own: how long a task claimed by `next` stays reserved for its annotator.
    # Tessera's own: the percentage of `next` calls that hand out a ground-truth task the annotator has not done.
    "ground_truth_rate": (0, (int,), lambda v: 0 <= v <= 100 or "must be between 0 and 100"),
    # Tessera's own: the editor shows Pairwise sides and Ranker items in an order shuffled per task and
    # annotator, and records it in the annotation's `presentation`.
    "shuffle_comparisons": (True, (bool,), None),
    # Label Studio Enterprise's name: how many annotations one annotator may make in the project (None: no cap).
    "annotation_limit_count": (None, (int, type(None)), lambda v: v is None or v >= 1 or "must be at least 1"),
    # Tessera's own: a data field whose number orders the queue (highest first; tasks without it last), and a
    # seed that makes "Uniform sampling" the same shuffled order every time.
    "priority_field": (
        None,
        (str, type(None)),
        lambda v: v is None or bool(FIELD_NAME.match(v)) or "must be a data field name (letters, digits, _ or -)",
    ),
    "sampling_seed": (None, (int, type(None)), None),
    # Label Studio Enterprise's names: a task whose annotators agree less than this (0..1, the share of agreeing
    # pairs on its least agreed control) gets one more annotation, up to this many more.
    "agreement_threshold": (
        None,
        (int, float, type(None)),
        lambda v: v is None or 0 <= v <= 1 or "must be between 0 and 1",
    ),
    "max_additional_annotators_assignable": (1, (int,), lambda v: 0 <= v <= 20 or "must be between 0 and 20"),
    "lease_seconds": (3600, (int,), lambda v: 1 <= v <= 7 * 86400 or "must be between 1 and 604800"),
}
# Fields of the project row itself that a PATCH may set.
PROJECT_FIELDS = {"title", "description", "label_config", "expert_instruction"}
# Read-only fields a client may echo back unchanged (the SDK sends whole objects); others are refused.
READ_ONLY = {
    "id",
    "created_at",
    "created_by",
    "organization",
    "task_number",
    "num_tasks_with_annotations",
    "total_annotations_number",
    "total_predictions_number",
    "useful_annotation_number",
    "ground_truth_number",
    "skipped_annotations_number",
    "finished_task_number",
    "queue_total",
    "queue_done",
    "parsed_label_config",
    "config_has_control_tags",
    "config_suitable_for_bulk_annotation",
    "state",
    "members",
    "members_count",
}
TITLE_MAX = 500


def defaults() -> dict[str, Any]:
    return {k: v[0] for k, v in OPTIONS.items()}


def check_changes(body: dict[str, Any], *, current: dict[str, Any] | None = None) -> tuple[dict, dict]:
    """Split a create/PATCH body into (row fields, options). Unknown fields, wrong types and changed
    read-only fields are refused with every problem named."""
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    errors: dict[str, list[str]] = {}
    row: dict[str, Any] = {}
    options: dict[str, Any] = {}
    for key, value in body.items():
        if key in PROJECT_FIELDS:
            if not isinstance(value, str) and not (key != "title" and value is None):
                errors[key] = ["must be a string"]
            elif key == "title" and len(value) > TITLE_MAX:
                errors[key] = [f"must have at most {TITLE_MAX} characters"]
            else:
                row[key] = value or ""
        elif key in OPTIONS:
            _default, types, check = OPTIONS[key]
            if isinstance(value, bool) and bool not in types or not isinstance(value, types):
                errors[key] = [f"must be of type {' or '.join(t.__name__ for t in types if t is not type(None))}"]
                continue
            verdict = check(value) if check else True
            if type(value) is int and abs(value) > MAX_ROW_ID:  # stored in a 64-bit column or compared with one
                errors[key] = ["is out of range"]
            elif verdict is not True:
                errors[key] = [str(verdict)]
            else:
                options[key] = value
        elif key in READ_ONLY:
            if current is None or current.get(key) != value:
                errors[key] = ["is read-only"]
        else:
            errors[key] = ["is not a project field"]
    if errors:
        detail = "; ".join(f"{k}: {v[0]}" for k, v in sorted(errors.items()))
        raise InvalidInput(detail, field_errors=errors)
    return row, options
