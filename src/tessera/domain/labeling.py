"""Small rules about labeling state shared by every write path."""

from __future__ import annotations


def task_is_labeled(total: int, cancelled: int, overlap: int, skip_queue: str = "REQUEUE_FOR_OTHERS") -> bool:
    """A task is labeled once it has `overlap` completed annotations. Skips count as completed only when
    the project ignores skipped tasks (they never come back)."""
    done = total + (cancelled if skip_queue == "IGNORE_SKIPPED" else 0)
    return done >= max(1, overlap)
