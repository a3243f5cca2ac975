"""Moving a Label Studio project in: its JSON export (recorded from a real Label Studio) imports with its
annotations, and each annotation is credited to the Tessera member whose e-mail an annotator map gives for
the Label Studio user id in `completed_by`. Anything that cannot be credited refuses the whole import."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tessera.cli.main import app
from tests.api.conftest import Person, World
from tests.api.test_import_jobs import wait_for

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "ls_samples"
CONFIG = (SAMPLES / "project_config.xml").read_text(encoding="utf-8")
EXPORT = json.loads((SAMPLES / "project_export_JSON.json").read_text(encoding="utf-8"))


def _annotations(world: World, who: Person, pid: int) -> dict[str, list[dict]]:
    r = world.client.get("/api/tasks", params={"project": pid, "fields": "all"}, headers=who.headers)
    assert r.status_code == 200, r.text
    return {t["data"]["text"]: t["annotations"] for t in r.json()["tasks"]}


def _author(annotation: dict) -> int:
    """`completed_by` is the user's id, or (with `fields=all`) the user."""
    by = annotation["completed_by"]
    return by["id"] if isinstance(by, dict) else by


def _credits(world: World, who: Person, pid: int) -> list[int]:
    r = world.client.get("/api/tasks", params={"project": pid, "fields": "all"}, headers=who.headers)
    return [_author(a) for t in r.json()["tasks"] for a in t["annotations"]]


def _task_count(world: World, who: Person, pid: int) -> int:
    return world.client.get(f"/api/projects/{pid}", headers=who.headers).json()["task_number"]


def _import(world: World, who: Person, pid: int, body: object, **params: str):
    return world.client.post(f"/api/projects/{pid}/import", params=params, json=body, headers=who.headers)


def test_a_label_studio_export_imports_with_its_annotators_mapped_by_email(world: World, manager: Person) -> None:
    pid = world.project(manager, CONFIG)
    alice = world.person("alice@example.com")
    world.join(pid, alice, "annotator")
    ls_users = [{"id": 1, "email": "Alice@Example.com", "first_name": "Alice"}]  # Label Studio's /api/users

    r = _import(world, manager, pid, EXPORT, annotator_map=json.dumps(ls_users))
    assert r.status_code == 201, r.text
    assert (r.json()["task_count"], r.json()["annotation_count"]) == (4, 2)

    got = _annotations(world, manager, pid)
    by_text = {text: [(_author(a), a["ground_truth"], a["lead_time"]) for a in anns] for text, anns in got.items()}
    assert by_text == {
        "flat task (data only)": [(alice.id, False, 2.5)],
        "Alice works at Acme.": [(alice.id, True, EXPORT[1]["annotations"][0]["lead_time"])],
        "third": [],
        "edited": [],
    }
    source = {t["data"]["text"]: t["annotations"] for t in EXPORT}
    for text, anns in got.items():
        assert [a["result"] for a in anns] == [a["result"] for a in source[text]]


def test_the_map_can_be_an_object_of_ids_and_a_snapshot_can_name_emails(world: World, manager: Person) -> None:
    pid = world.project(manager, CONFIG)
    alice, bob = world.person("alice@example.com"), world.person("bob@example.com")
    world.join(pid, alice, "annotator")
    world.join(pid, bob, "annotator")
    task = {"data": {"text": "x"}, "annotations": [{"result": [], "completed_by": 7}]}
    snapshot = {
        "data": {"text": "y"},
        "annotations": [{"result": [], "completed_by": {"id": 3, "email": "bob@example.com"}}],
    }

    assert _import(world, manager, pid, [task], annotator_map='{"7": "alice@example.com"}').status_code == 201
    assert _import(world, manager, pid, [snapshot]).status_code == 201
    credited = {text: [_author(a) for a in anns] for text, anns in _annotations(world, manager, pid).items()}
    assert credited == {"x": [alice.id], "y": [bob.id]}


def test_an_annotation_that_cannot_be_credited_refuses_the_import(world: World, manager: Person) -> None:
    pid = world.project(manager, CONFIG)
    alice = world.person("alice@example.com")
    world.person("outsider@example.com")  # a Tessera user, not in the project
    world.join(pid, alice, "annotator")
    ok = {"data": {"text": "fine"}, "annotations": [{"result": [], "completed_by": 1}]}

    cases = [
        ({"1": "alice@example.com"}, {"result": [], "completed_by": 2}, "completed_by 2 is not in the annotator map"),
        ({"1": "outsider@example.com"}, {"result": [], "completed_by": 1}, "is not a member of this project"),
        ({"1": "nobody@example.com"}, {"result": [], "completed_by": 1}, "is not a Tessera user"),
        (None, {"result": [], "completed_by": {"email": "nobody@example.com"}}, "is not a Tessera user"),
        (None, {"result": [], "completed_by": "someone"}, "neither a user id nor an e-mail"),
    ]
    for mapping, bad, message in cases:
        params = {"annotator_map": json.dumps(mapping)} if mapping is not None else {}
        body = [ok, {"data": {"text": "bad"}, "annotations": [bad]}]
        r = _import(world, manager, pid, body, **params)
        assert r.status_code == 400, r.text
        assert message in r.text and "line 2" in r.text and "annotations[0]" in r.text, r.text
    assert _task_count(world, manager, pid) == 0

    for bad_map, message in (
        ("{", "not valid JSON"),
        ('{"x": "a@b.c"}', "'x' is not a user id"),
        ('{"99999999999999999999": "a@b.c"}', "is not a user id"),
        ('[{"id": 1}]', "[0]"),
    ):
        r = _import(world, manager, pid, [ok], annotator_map=bad_map)
        assert r.status_code == 400 and message in r.text, r.text
        assert "annotator_map" in r.json()["validation_errors"], r.text
    assert _task_count(world, manager, pid) == 0


def test_an_import_job_and_the_cli_use_the_map(world: World, manager: Person, tmp_path: Path) -> None:
    pid = world.project(manager, CONFIG)
    alice = world.person("alice@example.com")
    world.join(pid, alice, "annotator")
    mapping = json.dumps({"1": "alice@example.com"})
    files = {"file": ("ls.json", json.dumps(EXPORT[:2]).encode(), "application/json")}
    r = world.client.post(
        f"/api/projects/{pid}/import",
        params={"async": "true"},
        data={"annotator_map": mapping},
        files=files,
        headers=manager.headers,
    )
    assert r.status_code == 201, r.text
    state = wait_for(world.client, manager, pid, r.json()["import"])
    assert state["status"] == "completed", state
    assert _credits(world, manager, pid) == [alice.id, alice.id]

    (tmp_path / "ls.json").write_text(json.dumps(EXPORT[:2]), encoding="utf-8")
    (tmp_path / "users.json").write_text(mapping, encoding="utf-8")
    args = ["import", str(pid), str(tmp_path / "ls.json"), "--annotator-map", str(tmp_path / "users.json")]
    out = CliRunner().invoke(app, [*args, "--data-dir", str(world.settings.data_dir)], env=_cli_env(world))
    assert out.exit_code == 0, out.output
    assert _credits(world, manager, pid) == [alice.id] * 4

    (tmp_path / "users.json").write_text('{"1": "stranger@example.com"}', encoding="utf-8")
    out = CliRunner().invoke(app, [*args, "--data-dir", str(world.settings.data_dir)], env=_cli_env(world))
    assert out.exit_code == 1 and "is not a Tessera user" in out.output, out.output
    assert _task_count(world, manager, pid) == 4


def _cli_env(world: World) -> dict[str, str]:
    return {"TESSERA_DATABASE_URL": world.db.url}
