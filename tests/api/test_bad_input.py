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
