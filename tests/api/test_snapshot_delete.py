"""`DELETE /api/projects/{id}/exports/{export_id}`: managers (and instance admins) delete any snapshot; reviewers,
who may make snapshots, delete their own only (so that they can cancel an export they started); the files go too."""

from __future__ import annotations

from pathlib import Path

from tests.api.conftest import Person, World


def _snapshot(world: World, who: Person, pid: int) -> int:
    r = world.client.post(f"/api/projects/{pid}/exports", json={"export_type": "CSV"}, headers=who.headers)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _files(world: World, pid: int, export_id: int) -> list[Path]:
    return sorted((world.settings.data_dir / "exports" / str(pid)).glob(f"{export_id}-*"))


def test_who_may_delete_a_snapshot(world: World, manager: Person, admin: Person) -> None:
    pid, _ids = world.project_with_tasks(manager, 2)
    reviewer, annotator = world.person("reviewer@example.com"), world.person("annotator@example.com")
    world.join(pid, reviewer, "reviewer")
    world.join(pid, annotator, "annotator")
    managers = _snapshot(world, manager, pid)
    reviewers = _snapshot(world, reviewer, pid)
    assert [p.suffix for p in _files(world, pid, managers)] == [".csv", ".json"]

    def delete(who: Person, export_id: int) -> int:
        return world.client.delete(f"/api/projects/{pid}/exports/{export_id}", headers=who.headers).status_code

    assert delete(annotator, managers) == 403
    assert delete(reviewer, managers) == 403
    assert delete(reviewer, reviewers) == 204
    assert delete(manager, managers) == 204
    assert _files(world, pid, managers) == [] and _files(world, pid, reviewers) == []
    listed = world.client.get(f"/api/projects/{pid}/exports", headers=manager.headers).json()
    assert listed == []
    assert delete(admin, _snapshot(world, reviewer, pid)) == 204
    assert delete(manager, managers) == 404
