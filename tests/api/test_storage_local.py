"""Local folders as source storage: records, sync, signed links, and containment (`..`, absolute paths,
symlinks out of the root, at creation, listing and serving)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from tessera.services.storage_keys import link_key
from tessera.services.storage_links import signed_link
from tests.api.conftest import Person, World

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
IMAGE_CONFIG = """<View>
  <Image name="image" value="$image"/>
  <Choices name="kind" toName="image"><Choice value="cat"/><Choice value="dog"/></Choices>
</View>"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The local files root: `images/` with two PNGs and a nested one, an outside folder beside it."""
    top = tmp_path / "files"
    (top / "images" / "more").mkdir(parents=True)
    (top / "images" / "a.png").write_bytes(PNG)
    (top / "images" / "b.png").write_bytes(PNG)
    (top / "images" / "more" / "c.png").write_bytes(PNG)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.png").write_bytes(PNG + b"secret")
    return top


@pytest.fixture
def api(client_with: Callable[..., TestClient], root: Path) -> TestClient:
    return client_with(local_files_root=root)


def create(api: TestClient, person: Person, project: int, path: str, **extra: Any) -> Any:
    body = {"project": project, "path": path, "title": "imgs", "use_blob_urls": True, **extra}
    return api.post("/api/storages/localfiles", json=body, headers=person.headers)


def exported_tasks(api: TestClient, person: Person, project: int) -> list[dict[str, Any]]:
    r = api.get(f"/api/projects/{project}/export?exportType=JSON&download_all_tasks=true", headers=person.headers)
    assert r.status_code == 200, r.text
    return r.json()


def task_data(api: TestClient, person: Person, project: int) -> list[dict[str, Any]]:
    r = api.get(f"/api/tasks?project={project}", headers=person.headers)
    assert r.status_code == 200, r.text
    return [t["data"] for t in r.json()["tasks"]]


def test_admin_connects_a_folder_and_sync_imports_each_file_once(
    world: World, api: TestClient, admin: Person, manager: Person, root: Path
) -> None:
    pid = world.project(manager, IMAGE_CONFIG)
    r = create(api, admin, pid, str(root / "images"), recursive_scan=True)
    assert r.status_code == 201, r.text
    storage = r.json()
    assert storage["type"] == "localfiles" and storage["path"] == str((root / "images").resolve())
    sid = storage["id"]

    r = api.post(f"/api/storages/localfiles/{sid}/sync", headers=manager.headers)
    assert r.status_code == 200, r.text
    assert r.json()["last_sync_count"] == 3 and r.json()["status"] == "completed"
    assert api.post(f"/api/storages/localfiles/{sid}/sync", headers=manager.headers).json()["last_sync_count"] == 0
    (root / "images" / "d.png").write_bytes(PNG)
    assert api.post(f"/api/storages/localfiles/{sid}/sync", headers=manager.headers).json()["last_sync_count"] == 1

    # The export keeps Label Studio's reference; the task API hands out signed links.
    exported = exported_tasks(api, manager, pid)
    assert sorted(t["data"]["image"] for t in exported) == [
        "/data/local-files/?d=images/a.png",
        "/data/local-files/?d=images/b.png",
        "/data/local-files/?d=images/d.png",
        "/data/local-files/?d=images/more/c.png",
    ]
    links = [d["image"] for d in task_data(api, manager, pid)]
    assert all(link.startswith(f"/data/storage/{sid}?key=") for link in links)
    served = api.get(links[0])  # no credentials: the link is the credential
    assert served.status_code == 200
    assert served.content == PNG
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-security-policy"].startswith("sandbox")
    assert served.headers["content-disposition"].startswith("inline")

    lists = api.get(f"/api/storages?project={pid}", headers=manager.headers).json()
    assert [s["id"] for s in lists] == [sid]
    assert api.get("/api/storages/types", headers=manager.headers).json()[0]["name"] == "localfiles"


def test_html_named_png_is_a_sandboxed_download(
    world: World, api: TestClient, admin: Person, manager: Person, root: Path
) -> None:
    (root / "images" / "evil.png").write_bytes(b"<html><script>alert(1)</script></html>")
    pid = world.project(manager, IMAGE_CONFIG)
    sid = create(api, admin, pid, "images", regex_filter=r"evil").json()["id"]
    assert api.post(f"/api/storages/localfiles/{sid}/sync", headers=manager.headers).json()["last_sync_count"] == 1
    (link,) = [d["image"] for d in task_data(api, manager, pid)]
    served = api.get(link)
    assert served.status_code == 200
    assert served.headers["content-type"] == "application/octet-stream"
    assert served.headers["content-disposition"].startswith("attachment")
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in served.headers["content-security-policy"]


def test_only_an_admin_connects_a_folder(world: World, api: TestClient, manager: Person, root: Path) -> None:
    pid = world.project(manager, IMAGE_CONFIG)
    assert create(api, manager, pid, str(root / "images")).status_code == 403


def test_folders_are_off_without_a_root(world: World, admin: Person, manager: Person, root: Path) -> None:
    pid = world.project(manager, IMAGE_CONFIG)
    r = create(world.client, admin, pid, str(root / "images"))
    assert r.status_code == 400 and "TESSERA_LOCAL_FILES_ROOT" in r.text


@pytest.mark.parametrize("path", ["../outside", "images/../../outside", "/etc", "OUTSIDE_ABS", "LINK_OUT", "nope"])
def test_paths_outside_the_root_are_refused(
    world: World, api: TestClient, admin: Person, manager: Person, root: Path, path: str
) -> None:
    (root / "link-out").symlink_to(root.parent / "outside")
    path = {"OUTSIDE_ABS": str(root.parent / "outside"), "LINK_OUT": str(root / "link-out")}.get(path, path)
    pid = world.project(manager, IMAGE_CONFIG)
    r = create(api, admin, pid, path)
    assert r.status_code == 400, r.text
    assert "path" in r.json()["validation_errors"]


def test_symlinks_out_of_the_folder_are_neither_listed_nor_served(
    world: World, api: TestClient, admin: Person, manager: Person, root: Path
) -> None:
    (root / "images" / "leak.png").symlink_to(root.parent / "outside" / "secret.png")
    (root / "images" / "inside.png").symlink_to(root / "images" / "a.png")
    pid = world.project(manager, IMAGE_CONFIG)
    sid = create(api, admin, pid, "images").json()["id"]
    assert api.post(f"/api/storages/localfiles/{sid}/sync", headers=manager.headers).json()["last_sync_count"] == 3
    exported = exported_tasks(api, manager, pid)
    assert "/data/local-files/?d=images/leak.png" not in {t["data"]["image"] for t in exported}

    # A link signed for it anyway (or a file swapped for a symlink after the sync) is not served.
    with world.db.reader() as s:
        secret = link_key(s)
    expires = int(time.time()) + 600
    assert api.get(signed_link(secret, sid, "leak.png", expires)).status_code == 404
    os.remove(root / "images" / "b.png")
    (root / "images" / "b.png").symlink_to(root.parent / "outside" / "secret.png")
    assert api.get(signed_link(secret, sid, "b.png", expires)).status_code == 404
    assert api.get(signed_link(secret, sid, "a.png", expires)).status_code == 200
    assert api.get(signed_link(secret, sid, "../outside/secret.png", expires)).status_code in (400, 404)


def test_tampered_and_expired_links_are_refused(
    world: World, api: TestClient, admin: Person, manager: Person, root: Path
) -> None:
    pid = world.project(manager, IMAGE_CONFIG)
    sid = create(api, admin, pid, "images").json()["id"]
    api.post(f"/api/storages/localfiles/{sid}/sync", headers=manager.headers)
    link = task_data(api, manager, pid)[0]["image"]
    assert api.get(link).status_code == 200
    query = parse_qs(urlsplit(link).query)
    assert api.get(link.replace(query["key"][0], "b.png" if query["key"][0] != "b.png" else "a.png")).status_code == 403
    assert api.get(link.replace(f"expires={query['expires'][0]}", "expires=9999999999")).status_code == 403
    assert api.get(link.replace(f"expires={query['expires'][0]}", "expires=%C2%B2")).status_code == 403  # "²"
    assert api.get(link[:-2] + ("AA" if not link.endswith("AA") else "BB")).status_code == 403
    with world.db.reader() as s:
        secret = link_key(s)
    assert api.get(signed_link(secret, sid, query["key"][0], int(time.time()) - 1)).status_code == 403
    # A deleted storage's links stop working.
    assert api.delete(f"/api/storages/localfiles/{sid}", headers=manager.headers).status_code == 204
    assert api.get(link).status_code == 404


def test_another_projects_storage_is_not_found(
    world: World, api: TestClient, admin: Person, manager: Person, root: Path
) -> None:
    pid = world.project(manager, IMAGE_CONFIG)
    sid = create(api, admin, pid, "images").json()["id"]
    other = world.person("other@example.com")
    world.project(other, IMAGE_CONFIG)
    for method, url in (
        ("GET", f"/api/storages/localfiles/{sid}"),
        ("PATCH", f"/api/storages/localfiles/{sid}"),
        ("DELETE", f"/api/storages/localfiles/{sid}"),
        ("POST", f"/api/storages/localfiles/{sid}/sync"),
        ("GET", f"/api/storages/localfiles?project={pid}"),
        ("GET", f"/api/storages/s3/{sid}"),
    ):
        r = api.request(method, url, json={} if method == "PATCH" else None, headers=other.headers)
        assert r.status_code == 404, (method, url, r.text)
    annotator = world.person("ann@example.com")
    world.join(pid, annotator, "annotator")
    assert api.get(f"/api/storages/localfiles/{sid}", headers=annotator.headers).status_code == 403
    assert api.post(f"/api/storages/localfiles/{sid}/sync", headers=annotator.headers).status_code == 403


def test_json_files_hold_tasks_without_blob_urls(
    world: World, api: TestClient, admin: Person, manager: Person, root: Path
) -> None:
    (root / "tasks").mkdir()
    (root / "tasks" / "one.json").write_text('[{"image": "https://example.com/1.png"}, {"image": "x.png"}]')
    (root / "tasks" / "two.jsonl").write_text('{"data": {"image": "y.png"}}\n')
    (root / "tasks" / "readme.txt").write_text("not tasks")
    pid = world.project(manager, IMAGE_CONFIG)
    sid = create(api, admin, pid, "tasks", use_blob_urls=False).json()["id"]
    r = api.post(f"/api/storages/localfiles/{sid}/sync", headers=manager.headers)
    assert r.status_code == 200, r.text
    assert r.json()["last_sync_count"] == 3 and r.json()["meta"]["skipped"] == 1
    assert sorted(d["image"] for d in task_data(api, manager, pid)) == ["https://example.com/1.png", "x.png", "y.png"]


def test_a_bad_task_file_fails_the_sync_visibly(
    world: World, api: TestClient, admin: Person, manager: Person, root: Path
) -> None:
    (root / "bad").mkdir()
    (root / "bad" / "t.json").write_text('[{"text": "no image field"}]')
    pid = world.project(manager, IMAGE_CONFIG)
    sid = create(api, admin, pid, "bad", use_blob_urls=False).json()["id"]
    r = api.post(f"/api/storages/localfiles/{sid}/sync", headers=manager.headers)
    assert r.status_code == 400
    record = api.get(f"/api/storages/localfiles/{sid}", headers=manager.headers).json()
    assert record["status"] == "failed" and "image" in record["traceback"]
    assert task_data(api, manager, pid) == []


def test_update_keeps_the_folder_and_refuses_a_move_by_a_manager(
    world: World, api: TestClient, admin: Person, manager: Person, root: Path
) -> None:
    pid = world.project(manager, IMAGE_CONFIG)
    storage = create(api, admin, pid, "images").json()
    sid = storage["id"]
    r = api.patch(
        f"/api/storages/localfiles/{sid}",
        json={"title": "renamed", "path": storage["path"], "project": pid},
        headers=manager.headers,
    )
    assert r.status_code == 200 and r.json()["title"] == "renamed"
    r = api.patch(f"/api/storages/localfiles/{sid}", json={"path": str(root)}, headers=manager.headers)
    assert r.status_code == 403
    r = api.patch(f"/api/storages/localfiles/{sid}", json={"path": str(root)}, headers=admin.headers)
    assert r.status_code == 200 and r.json()["path"] == str(root.resolve())


def test_the_next_task_and_the_review_queue_carry_links(
    world: World, api: TestClient, admin: Person, manager: Person, root: Path
) -> None:
    pid = world.project(manager, IMAGE_CONFIG)
    sid = create(api, admin, pid, "images").json()["id"]
    api.post(f"/api/storages/localfiles/{sid}/sync", headers=manager.headers)
    annotator = world.person("ann@example.com")
    world.join(pid, annotator, "annotator")
    task = api.get(f"/api/projects/{pid}/next", headers=annotator.headers).json()
    assert task["data"]["image"].startswith(f"/data/storage/{sid}?")
    result = [{"from_name": "kind", "to_name": "image", "type": "choices", "value": {"choices": ["cat"]}}]
    r = api.post(f"/api/tasks/{task['id']}/annotations", json={"result": result}, headers=annotator.headers)
    assert r.status_code == 201, r.text
    queue = api.get(f"/api/projects/{pid}/reviews/queue", headers=manager.headers).json()
    assert queue["results"][0]["task_data"]["image"].startswith(f"/data/storage/{sid}?")


def test_deleting_the_project_deletes_its_storages(
    world: World, api: TestClient, admin: Person, manager: Person, root: Path
) -> None:
    pid = world.project(manager, IMAGE_CONFIG)
    sid = create(api, admin, pid, "images").json()["id"]
    link_task = api.post(f"/api/storages/localfiles/{sid}/sync", headers=manager.headers)
    assert link_task.status_code == 200
    link = task_data(api, manager, pid)[0]["image"]
    assert api.delete(f"/api/projects/{pid}", headers=manager.headers).status_code == 204
    assert api.get(f"/api/storages/localfiles/{sid}", headers=admin.headers).status_code == 404
    assert api.get(link).status_code == 404
