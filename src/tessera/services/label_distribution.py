"""The label distribution of a project, grouped by the database: every result item of the project's submitted
annotations is read once by the JSON functions (`json_each` and a many-path `json_extract` on SQLite,
`jsonb_array_elements` on PostgreSQL), and GROUP BY returns one row per distinct (control, chosen values) with
its count. A region's offsets are not read, so the groups are few (one per label combination, not per item)
and Python only expands them (`domain.label_counts`).

Results are JSON arrays of objects (checked on every write); items that are not objects are left out.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from tessera.domain.config.model import LabelConfig
from tessera.domain.label_counts import LabelCounts, counted_controls, value_key

OWN = "a.project_id = :project AND a.parent_annotation_id IS NULL AND a.was_cancelled = :no"


def _sqlite(keys: list[str]) -> str:
    paths = ", ".join(f":path{i}" for i in range(len(keys)))
    return f"""
SELECT json_extract(item.value, '$.from_name', {paths}) AS found, count(*)
FROM annotations AS a, json_each(a.result) AS item
WHERE {OWN} AND item.type = 'object'
GROUP BY found"""


def _postgres(keys: list[str]) -> str:
    values = ", ".join(f"item -> 'value' -> :key{i}" for i in range(len(keys)))
    return f"""
SELECT jsonb_build_array(item -> 'from_name', {values}) AS found, count(*)
FROM annotations AS a, jsonb_array_elements(a.result) AS item
WHERE {OWN} AND jsonb_typeof(a.result) = 'array' AND jsonb_typeof(item) = 'object'
GROUP BY found"""


def label_distribution(session: Session, project_id: int, config: LabelConfig) -> list[dict[str, Any]]:
    controls = counted_controls(config)
    if not controls:
        return []
    keys = sorted({value_key(c) for c in controls})
    key_of = {c.name: keys.index(value_key(c)) + 1 for c in controls}  # its place in `found`
    conn = session.connection()
    params: dict[str, Any] = {"project": project_id, "no": False}
    if conn.dialect.name == "postgresql":
        sql = _postgres(keys)
        params.update({f"key{i}": k for i, k in enumerate(keys)})
    else:
        sql = _sqlite(keys)
        params.update({f"path{i}": f"$.value.{k}" for i, k in enumerate(keys)})
    counts = LabelCounts(config)
    for found, n in conn.execute(text(sql), params):
        row = json.loads(found) if isinstance(found, str) else found
        control = row[0] if isinstance(row, list) else None
        if control in key_of:
            counts.add(control, row[key_of[control]], int(n))
    return counts.as_list()
