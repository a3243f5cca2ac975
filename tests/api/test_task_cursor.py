"""`GET /api/tasks?cursor=`: walking a project by `next_cursor` gives exactly the rows that `page=` gives, in
every ordering (ties and NULLs included) and with filters; a cursor that was altered, or that belongs to another
project, view or query, is refused with the parameter named."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import update

from tessera.db.tables import Task
from tests.api.conftest import Person, World

RESULT = [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}]
SIZE = 7
ORDERINGS = [
    [],
    ["-tasks:id"],
    ["tasks:data.kind"],  # ties, and tasks without a kind
    ["-tasks:data.kind"],
    ["tasks:data.n"],  # numbers, text and missing values together
    ["-tasks:data.n"],
    ["tasks:total_annotations"],
    ["-tasks:total_annotations"],
    ["tasks:completed_at"],
    ["-tasks:completed_at"],
    ["tasks:agreement"],
    ["-tasks:agreement"],
    ["-tasks:reviews_pending"],
    ["tasks:is_labeled"],
    ["tasks:data.kind", "-tasks:total_annotations"],  # two terms: the general condition
    ["-tasks:agreement", "tasks:data.n"],
]
FOX = {"filter": "filter:tasks:data.text", "operator": "contains", "type": "String", "value": "fox"}


def get(world: World, who: Person, pid: int, query: dict[str, Any], **params: Any) -> Any:
    args = {"project": pid, "page_size": SIZE, "query": json.dumps(query), **params}
    return world.client.get("/api/tasks", params=args, headers=who.headers)


def by_offset(world: World, who: Person, pid: int, query: dict[str, Any]) -> list[int]:
    ids: list[int] = []
    for p in range(1, 100):
        r = get(world, who, pid, query, page=p)
        if r.status_code == 404:
            return ids
        assert r.status_code == 200, r.text
        ids += [t["id"] for t in r.json()["tasks"]]
    raise AssertionError("too many pages")


def by_cursor(world: World, who: Person, pid: int, query: dict[str, Any], **params: Any) -> list[int]:
    ids: list[int] = []
    body = get(world, who, pid, query, **params).json()
    while True:
        ids += [t["id"] for t in body["tasks"]]
        assert len(body["tasks"]) == SIZE or body["next_cursor"] is None
        if body["next_cursor"] is None:
            return ids
        r = get(world, who, pid, query, cursor=body["next_cursor"], **params)
        assert r.status_code == 200, r.text
        body = r.json()


@pytest.fixture
def project(world: World, manager: Person) -> int:
    """40 tasks: a `kind` with many ties (missing on some), an `n` that is a number, text or missing; some
    annotated, some with an agreement."""
    pid = world.project(manager)
    rows: list[dict[str, Any]] = []
    for i in range(40):
        row: dict[str, Any] = {"text": f"{'fox' if i % 3 else 'dog'} {i}"}
        if i % 5:
            row["kind"] = "abc"[i % 3]
        if i % 4 == 1:
            row["n"] = (i * 7) % 5
        elif i % 4 == 2:
            row["n"] = f"w{i % 6}"
        rows.append(row)
    r = world.client.post(f"/api/projects/{pid}/import?return_task_ids=true", json=rows, headers=manager.headers)
    ids = r.json()["task_ids"]
    for task_id in ids[3:20:2]:
        r = world.client.post(f"/api/tasks/{task_id}/annotations", json={"result": RESULT}, headers=manager.headers)
        assert r.status_code == 201, r.text
    with world.db.writer() as s:
        for i, task_id in enumerate(ids[:30:3]):
            s.execute(update(Task).where(Task.id == task_id).values(agreement=[0.5, 1.0, None][i % 3]))
        s.commit()
    return pid


@pytest.mark.parametrize("ordering", ORDERINGS, ids=lambda o: ",".join(o) or "default")
@pytest.mark.parametrize("filtered", [False, True], ids=["all", "fox"])
def test_cursor_walk_gives_the_offset_pages(
    world: World, manager: Person, project: int, ordering: list[str], filtered: bool
) -> None:
    query: dict[str, Any] = {"ordering": ordering}
    if filtered:
        query["filters"] = {"conjunction": "and", "items": [FOX]}
    expected = by_offset(world, manager, project, query)
    assert len(expected) == (26 if filtered else 40) and len(set(expected)) == len(expected)
    assert by_cursor(world, manager, project, query) == expected


def test_cursor_walk_with_a_search_over_several_fields(world: World, manager: Person, project: int) -> None:
    search = [dict(FOX, filter=f"filter:tasks:data.{key}", value="b") for key in ("text", "kind")]
    query = {"ordering": ["-tasks:data.kind"], "filters": {"conjunction": "or", "items": search}}
    expected = by_offset(world, manager, project, query)
    assert expected and by_cursor(world, manager, project, query) == expected


def bad(r: Any) -> str:
    assert r.status_code == 400, r.text
    assert "cursor" in r.json()["validation_errors"], r.text
    return r.json()["detail"]


def test_a_bad_or_foreign_cursor_is_refused(world: World, manager: Person, project: int) -> None:
    query = {"ordering": ["tasks:data.kind"]}
    cursor = get(world, manager, project, query).json()["next_cursor"]
    for broken in ("nonsense", "", ".", cursor[:-2], "x" + cursor, cursor.replace(".", "X.")):
        if broken:
            assert "cursor" in bad(get(world, manager, project, query, cursor=broken))
    body, _, sig = cursor.partition(".")
    assert bad(get(world, manager, project, query, cursor=body[:-1] + ("A" if body[-1] != "A" else "B") + "." + sig))
    # Another ordering or filter of the same project, and the same query of another project, are other scopes.
    assert "another" in bad(get(world, manager, project, {"ordering": ["-tasks:data.kind"]}, cursor=cursor))
    fox = {**query, "filters": {"conjunction": "and", "items": [FOX]}}
    assert "another" in bad(get(world, manager, project, fox, cursor=cursor))
    other = world.project(manager)
    world.client.post(f"/api/projects/{other}/import", json=[{"text": "x"}] * 20, headers=manager.headers)
    assert "another" in bad(get(world, manager, other, query, cursor=cursor))


def test_a_cursor_of_one_view_does_not_serve_another(world: World, manager: Person, project: int) -> None:
    h = manager.headers

    def view(items: list[dict[str, Any]]) -> int:
        data = {"filters": {"conjunction": "and", "items": items}, "ordering": ["tasks:data.kind"]}
        r = world.client.post("/api/dm/views", json={"project": project, "data": data}, headers=h)
        assert r.status_code == 201, r.text
        return r.json()["id"]

    fox_view, dog_view = view([FOX]), view([dict(FOX, value="dog")])
    args = {"view": fox_view, "page_size": SIZE}
    first = world.client.get("/api/tasks", params=args, headers=h).json()
    r = world.client.get("/api/tasks", params={**args, "cursor": first["next_cursor"]}, headers=h)
    assert r.status_code == 200 and all("fox" in t["data"]["text"] for t in r.json()["tasks"])
    r = world.client.get("/api/tasks", params={**args, "view": dog_view, "cursor": first["next_cursor"]}, headers=h)
    assert "another" in bad(r)


def test_an_annotator_cursor_is_theirs(world: World, manager: Person, project: int) -> None:
    """An annotator who may not see others' work orders by their own annotations: a manager's cursor does not
    carry over to them."""
    annotator = world.person("annotator@example.com")
    world.join(project, annotator, "annotator")
    query = {"ordering": ["-tasks:completed_at"]}
    cursor = get(world, manager, project, query).json()["next_cursor"]
    assert "another" in bad(get(world, annotator, project, query, cursor=cursor))
    assert by_cursor(world, annotator, project, query) == by_offset(world, annotator, project, query)


def test_count_false_gives_the_rows_without_totals(world: World, manager: Person, project: int) -> None:
    query = {"ordering": ["-tasks:data.n"], "filters": {"conjunction": "and", "items": [FOX]}}
    counted = get(world, manager, project, query).json()
    body = get(world, manager, project, query, count="false").json()
    assert counted["total"] == 26 and body["total"] is None and body["total_annotations"] is None
    assert body["tasks"] == counted["tasks"] and body["next_cursor"] == counted["next_cursor"]
    assert by_cursor(world, manager, project, query, count="false") == by_offset(world, manager, project, query)
