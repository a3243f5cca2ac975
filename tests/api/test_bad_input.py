"""Bad input gets a 4xx that names the problem, and the database is unchanged."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from tessera.server import create_app
from tests.api.conftest import CONFIG, Person, World

BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<View><Text name="t" value="$t"/><Header value="&lol3;"/></View>"""
EXTERNAL = """<?xml version="1.0"?><!DOCTYPE v [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<View><Header value="&x;"/><Text name="t" value="$t"/></View>"""

BAD_CONFIGS = {
    "entity bomb": (BOMB, "DTD"),
    "external entity": (EXTERNAL, "DTD"),
    "unknown tag": ('<View><Text name="t" value="$t"/><Sparkle name="s" toName="t"/></View>', "Sparkle"),
    "duplicate name": ('<View><Text name="t" value="$t"/><Text name="t" value="$u"/></View>', '"t"'),
    "toName names nothing": (
        '<View><Text name="t" value="$t"/><Choices name="c" toName="x"><Choice value="a"/></Choices></View>',
        '"x"',
    ),
    "control without options": ('<View><Text name="t" value="$t"/><Choices name="c" toName="t"/></View>', "Choices"),
    "missing name": ('<View><Text value="$t"/></View>', "name"),
    "not xml": ("<View><Text", "XML"),
}


def _count_projects(world: World, person: Person) -> int:
    return world.client.get("/api/projects", headers=person.headers).json()["count"]


@pytest.mark.parametrize("case", BAD_CONFIGS, ids=list(BAD_CONFIGS))
def test_invalid_config_is_refused_with_the_tag_named(world: World, manager: Person, case: str) -> None:
    xml, named = BAD_CONFIGS[case]
    before = _count_projects(world, manager)
    r = world.client.post("/api/projects", json={"title": "x", "label_config": xml}, headers=manager.headers)
    assert r.status_code == 400, r.text
    assert named.lower() in r.json()["detail"].lower(), r.json()["detail"]
    assert r.json()["validation_errors"]["label_config"]
    assert _count_projects(world, manager) == before


def test_malformed_json_body(world: World, manager: Person) -> None:
    r = world.client.post(
        "/api/projects", content=b'{"title": "x", ', headers={**manager.headers, "Content-Type": "application/json"}
    )
    assert r.status_code == 400 and "not valid JSON" in r.json()["detail"]


@pytest.mark.parametrize(
    ("escape", "named"),
    [("\\ud800", "surrogate"), ("\\u0000", "NUL"), ("NaN", "NaN"), ("1e400", "1e400 is beyond the range")],
    ids=["surrogate", "nul", "nan", "overflow"],
)
def test_values_no_column_can_hold_are_refused(world: World, manager: Person, escape: str, named: str) -> None:
    pid = world.project(manager)
    h = {**manager.headers, "Content-Type": "application/json"}
    value = escape if escape in ("NaN", "1e400") else f'"a{escape}b"'
    task = world.client.post("/api/tasks", json={"project": pid, "data": {"text": "ok"}}, headers=h).json()["id"]
    bodies = [
        ("/api/tasks", f'{{"project": {pid}, "data": {{"text": {value}}}}}'),
        (f"/api/projects/{pid}/import", f'[{{"text": {value}}}]'),
        (f"/api/tasks/{task}/annotations", f'{{"result": [], "lead_time": {value}, "x": {value}}}'),
    ]
    for path, body in bodies:
        r = world.client.post(path, content=body.encode(), headers=h)
        assert r.status_code == 400, (path, r.text)
        assert named in r.json()["detail"], r.json()["detail"]
    pasted = {"url": f'[{{"text": {value}}}]'}  # tasks pasted as JSON into the import form's URL box
    r = world.client.post(f"/api/projects/{pid}/import", data=pasted, headers=manager.headers)
    assert r.status_code == 400 and named in r.json()["detail"], r.text
    listed = world.client.get("/api/tasks", params={"project": pid}, headers=h).json()
    assert listed["total"] == 1 and listed["total_annotations"] == 0


def test_oversized_body_is_refused_before_reading(world: World, manager: Person) -> None:
    small = create_app(
        world.settings.__class__(**{**world.settings.__dict__, "max_body_bytes": 1000}), database=world.db
    )
    with TestClient(small) as client:
        r = client.post("/api/projects", json={"title": "x" * 5000}, headers=manager.headers)
    assert r.status_code == 413 and "1000 bytes" in r.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"id": 99}, "id"),
        ({"created_by": 5}, "created_by"),
        ({"bogus": 1}, "bogus"),
        ({"maximum_annotations": 0}, "maximum_annotations"),
        ({"show_skip_button": "yes"}, "show_skip_button"),
        ({"sampling": "Random"}, "sampling"),
    ],
)
def test_unknown_or_privileged_patch_fields(world: World, manager: Person, body: dict, field: str) -> None:
    pid = world.project(manager)
    before = world.client.get(f"/api/projects/{pid}", headers=manager.headers).json()
    r = world.client.patch(f"/api/projects/{pid}", json=body, headers=manager.headers)
    assert r.status_code == 400 and field in r.json()["validation_errors"], r.text
    assert world.client.get(f"/api/projects/{pid}", headers=manager.headers).json() == before


FILES = {
    "truncated.json": (b'[{"text": "a"}, {"text": "b"', "truncated.json"),
    "middle.jsonl": (b'{"text": "a"}\n{"text": "b"}\n{"text": oops}\n{"text": "d"}\n', "line 3"),
    "quotes.csv": (b'text,label\n"a,1\n"b,2\n', "quotes.csv"),
    "utf16.csv": ("text\nhello\n".encode("utf-16"), "UTF-16"),
    "nul.txt": (b"one\ntw\x00o\n", "line 2"),
    "deep.json": (b"[" + b'{"text": ' + b"[" * 10000 + b"]" * 10000 + b"}]", "deep"),
    "missing.csv": (b"txt\nhello\n", "'text'"),
}


@pytest.mark.parametrize("name", FILES, ids=list(FILES))
def test_bad_files_import_nothing(world: World, manager: Person, name: str) -> None:
    pid = world.project(manager)
    content, named = FILES[name]
    files = [
        ("file", ("fine.json", json.dumps([{"text": "good"}]).encode(), "application/json")),
        ("file", (name, content, "application/octet-stream")),
    ]
    r = world.client.post(f"/api/projects/{pid}/import", files=files, headers=manager.headers)
    assert r.status_code == 400, r.text
    assert named.lower() in r.json()["detail"].lower(), r.json()["detail"]
    assert world.client.get(f"/api/projects/{pid}", headers=manager.headers).json()["task_number"] == 0


GOOD = {"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}


@pytest.mark.parametrize(
    ("item", "named"),
    [
        ({**GOOD, "from_name": "nope"}, "nope"),
        ({**GOOD, "to_name": "image"}, "image"),
        ({**GOOD, "type": "labels"}, "type"),
        ({**GOOD, "value": {"choices": ["Maybe"]}}, "Maybe"),
        (
            {
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "value": {"start": 0, "end": 500, "labels": ["PER"]},
            },
            "end",
        ),
        ("not an object", "result[0]"),
    ],
)
def test_invalid_results_are_refused_with_the_item_named(
    world: World, manager: Person, item: object, named: str
) -> None:
    pid = world.project(manager)
    task = world.client.post(f"/api/projects/{pid}/import", json=[{"text": "Alice"}], headers=manager.headers).json()[
        "task_ids"
    ][0]
    r = world.client.post(f"/api/tasks/{task}/annotations", json={"result": [item]}, headers=manager.headers)
    assert r.status_code == 400, r.text
    assert named in r.json()["detail"], r.json()["detail"]
    r = world.client.post("/api/predictions", json={"task": task, "result": [item]}, headers=manager.headers)
    assert r.status_code == 400, r.text
    t = world.client.get(f"/api/tasks/{task}", headers=manager.headers).json()
    assert (t["total_annotations"], t["total_predictions"]) == (0, 0)


def test_prediction_shorthands(world: World, manager: Person) -> None:
    pid = world.project(manager)
    task = world.client.post(f"/api/projects/{pid}/import", json=[{"text": "Alice"}], headers=manager.headers).json()[
        "task_ids"
    ][0]
    for result in ({"choices": ["Negative"]}, "Negative"):
        r = world.client.post(
            "/api/predictions", json={"task": task, "result": result, "score": 0.5}, headers=manager.headers
        )
        assert r.status_code == 201, r.text
        (item,) = r.json()["result"]
        assert (item["from_name"], item["to_name"], item["type"], item["value"]) == (
            "sentiment",
            "text",
            "choices",
            {"choices": ["Negative"]},
        )


def test_missing_field_in_json_body_import(world: World, manager: Person) -> None:
    pid = world.project(manager, config=CONFIG)
    r = world.client.post(f"/api/projects/{pid}/import", json=[{"data": {"body": "x"}}], headers=manager.headers)
    assert r.status_code == 400 and "'text'" in r.json()["detail"]


HUGE = 2**64 + 5  # no 64-bit column holds it: the drivers refuse it with an error of their own


def test_ids_beyond_64_bits_are_not_found_not_a_server_error(world: World, manager: Person) -> None:
    pid, task_ids = world.project_with_tasks(manager, 1)
    h = manager.headers
    for method, url in (
        ("GET", f"/api/projects/{HUGE}"),
        ("GET", f"/api/tasks/{HUGE}"),
        ("POST", f"/api/tasks/{HUGE}/annotations"),
        ("GET", f"/api/annotations/{HUGE}"),
        ("DELETE", f"/api/predictions/{HUGE}"),
    ):
        r = world.client.request(method, url, json={}, headers=h)
        assert r.status_code == 404, (method, url, r.status_code, r.text)
    for body, field in (({"parent_prediction": HUGE}, "parent_prediction"), ({"completed_by": HUGE}, "completed_by")):
        r = world.client.post(f"/api/tasks/{task_ids[0]}/annotations", json={"result": [], **body}, headers=h)
        assert r.status_code == 400 and field in r.json()["validation_errors"], r.text
    assert world.client.get(f"/api/tasks/{task_ids[0]}", headers=h).json()["total_annotations"] == 0


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("PATCH", "/api/current-user", {"password": 12345678}, "password"),
        ("PATCH", "/api/current-user", {"password": None}, "password"),
        ("PATCH", "/api/current-user", {"first_name": ["Ada"]}, "first_name"),
        ("PATCH", "/api/current-user", {"last_name": "x" * 151}, "last_name"),
        ("PATCH", "/api/users/{me}", {"is_active": "no"}, "is_active"),
        ("POST", "/api/users", {"email": "new@example.com", "password": 123456789}, "password"),
        ("POST", "/api/users", {"email": "new@example.com", "password": "password123", "username": {}}, "username"),
        ("POST", "/api/projects/{p}/members", {"user": HUGE, "role": "annotator"}, "user"),
        ("POST", "/api/projects/{p}/members", {"user": str(HUGE), "role": "annotator"}, "user"),
        ("PATCH", "/api/projects/{p}", {"maximum_annotations": HUGE}, "maximum_annotations"),
    ],
)
def test_values_of_the_wrong_type_or_size_name_their_field(
    world: World, admin: Person, method: str, path: str, body: dict, field: str
) -> None:
    """Each was a 500 (a TypeError in the service, or the driver refusing the value) until 2026-11-29."""
    pid = world.project(admin)
    state = ["/api/current-user", "/api/users", f"/api/projects/{pid}/members", f"/api/projects/{pid}"]
    before = [world.client.get(url, headers=admin.headers).json() for url in state]
    r = world.client.request(method, path.format(me=admin.id, p=pid), json=body, headers=admin.headers)
    assert r.status_code == 400 and field in r.json()["validation_errors"], r.text
    assert [world.client.get(url, headers=admin.headers).json() for url in state] == before


def test_a_value_no_check_caught_is_a_400_not_a_500(world: World, manager: Person) -> None:
    """The backstop for a value a column cannot hold that no check named: the driver's refusal (here SQLite's
    or psycopg's, binding an integer beyond 64 bits in a route made for the test) answers 400, with the
    transaction rolled back."""
    from sqlalchemy import select

    from tessera.db.tables import Project

    pid = world.project(manager)

    def unchecked() -> dict:
        with world.db.writer() as s:
            s.get(Project, pid).title = "changed"  # type: ignore[union-attr]
            s.flush()
            s.execute(select(Project).where(Project.id == HUGE))
            s.commit()
        return {}

    world.app.add_api_route("/test/unchecked", unchecked)
    r = world.client.get("/test/unchecked")
    assert r.status_code == 400 and "does not fit" in r.json()["detail"], r.text
    assert world.client.get(f"/api/projects/{pid}", headers=manager.headers).json()["title"] == "P"


LONG = "x" * 3000  # longer than any of these columns (PostgreSQL refuses it; SQLite would keep it)


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/api/tasks/{t}/drafts", {"result": [], "annotation": HUGE}, "annotation"),
        ("POST", "/api/tasks/{t}/drafts", {"result": [], "annotation": True}, "annotation"),
        ("POST", "/api/projects/{p}/import/predictions", [{"task": [1], "result": []}], "task"),
        ("POST", "/api/projects/{p}/import/predictions", [{"task": HUGE, "result": []}], "task"),
        ("POST", "/api/projects/{p}/import/predictions", [{"task": "{t}", "model_version": LONG}], "model_version"),
        ("POST", "/api/predictions", {"task": "{t}", "result": [], "model_version": LONG}, "model_version"),
        ("POST", "/api/dm/views", {"project": "{p}", "data": {"ordering": 1}}, "ordering"),
        (
            "POST",
            "/api/projects/{p}/tasks/assignees",
            {"type": "AN", "users": [], "selectedItems": {"included": 5}},
            None,
        ),
        ("POST", "/api/dm/actions?id=delete_tasks&project={p}", {"selectedItems": {"included": ["x"]}}, None),
        ("POST", "/api/dm/actions?id=delete_tasks&project={p}", {"selectedItems": {"included": [HUGE]}}, None),
        ("POST", "/api/invites", {"email": ["a@example.com"]}, "email"),
        ("POST", "/api/invites", {"email": LONG + "@example.com"}, "email"),
        ("POST", "/api/projects/{p}/exports", {"title": LONG}, "title"),
        ("POST", "/api/ml", {"project": "{p}", "url": "http://127.0.0.1:9/", "title": LONG}, "title"),
    ],
)
def test_bodies_that_were_server_errors_are_refused(
    world: World, admin: Person, method: str, path: str, body: object, field: str | None
) -> None:
    """Each of these was a 500 until 2026-11-29 (on SQLite, on PostgreSQL or on both): a TypeError on a value of
    the wrong type, or the driver refusing a value its column cannot hold. Now a 400 that names the field,
    and nothing stored."""
    pid, task_ids = world.project_with_tasks(admin, 2)
    ids = {"p": pid, "t": task_ids[0]}
    h = admin.headers

    def state() -> list[object]:
        urls = [f"/api/tasks?project={pid}&fields=all", f"/api/dm/views?project={pid}", f"/api/ml?project={pid}"]
        return [world.client.get(url, headers=h).json() for url in [*urls, f"/api/projects/{pid}/exports"]]

    before = state()
    r = world.client.request(method, path.format(**ids), json=_filled(body, ids), headers=h)
    assert r.status_code == 400, r.text
    assert field is None or field in r.json()["validation_errors"], r.text
    assert state() == before


def _filled(value: object, ids: dict[str, int]) -> object:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, list):
        return [_filled(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _filled(v, ids) for k, v in value.items()}
    return value


def _item(filter_: object, operator: object, type_: object, value: object) -> dict:
    return {
        "filters": {
            "conjunction": "and",
            "items": [{"filter": filter_, "operator": operator, "type": type_, "value": value}],
        }
    }


@pytest.mark.parametrize(
    "query",
    [
        {"filters": {"conjunction": "and", "items": True}},
        {"ordering": -1},
        {"selectedItems": {"all": False, "included": "1,2"}},
        _item("filter:tasks:data.text", ["contains"], "String", "x"),
        _item("filter:tasks:total_annotations", "greater", "Number", None),
        _item("filter:tasks:total_annotations", "greater", "Number", [1]),
        _item("filter:tasks:total_annotations", "greater", "Number", True),
        _item("filter:tasks:id", "equal", "Number", "abc"),
        _item("filter:tasks:id", "equal", "Number", HUGE),
        _item("filter:tasks:created_at", "less", "Datetime", "yesterday"),
        _item("filter:tasks:created_at", "in", "Datetime", {"min": 1, "max": 2}),
        _item("filter:tasks:annotators", "contains", "List", True),
    ],
)
def test_data_manager_queries_that_were_server_errors_are_refused(world: World, manager: Person, query: dict) -> None:
    """Each was a 500 until 2026-11-29, on SQLite, on PostgreSQL or on both."""
    pid, _ = world.project_with_tasks(manager, 2)
    params = {"project": pid, "query": json.dumps(query)}
    r = world.client.get("/api/tasks", params=params, headers=manager.headers)
    assert r.status_code == 400, r.text
    named = r.json()["detail"].split(":")[0].split(" ")[0]  # the query's part at fault
    assert named.startswith(("query.", "selectedItems.")), r.text
