"""Images, audio and video uploaded alone become one task each, pointing at the stored file, which only the
project's members can fetch. The served type comes from the bytes, and nothing uploaded can run in the page's
origin: HTML named .png is a download, SVG is a download in a sandbox, names never leave the media folder."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from tests.api.conftest import Person, World

IMAGE_CONFIG = """<View><Image name="image" value="$image"/>
  <Choices name="kind" toName="image"><Choice value="cat"/><Choice value="dog"/></Choices></View>"""
AUDIO_CONFIG = """<View><Audio name="audio" value="$audio"/>
  <TextArea name="transcript" toName="audio"/></View>"""


def png(size: tuple[int, int] = (4, 3)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (1, 2, 3)).save(buf, "PNG")
    return buf.getvalue()


def upload(world: World, who: Person, pid: int, *files: tuple[str, bytes]):
    parts = [("file", (name, content, "application/octet-stream")) for name, content in files]
    return world.client.post(f"/api/projects/{pid}/import", files=parts, headers=who.headers)


def tasks(world: World, who: Person, pid: int) -> list[dict]:
    return world.client.get("/api/tasks", params={"project": pid}, headers=who.headers).json()["tasks"]


def media_left(world: World, pid: int) -> list[Path]:
    folder = world.settings.data_dir / "media" / str(pid)
    return sorted(folder.iterdir()) if folder.exists() else []


def test_images_become_tasks_served_to_members_only(world: World, manager: Person) -> None:
    pid = world.project(manager, IMAGE_CONFIG)
    first, second = png((4, 3)), png((7, 5))
    r = upload(world, manager, pid, ("cat.png", first), ("../../dog photo.PNG", second))
    assert r.status_code == 201, r.text
    assert r.json()["task_count"] == 2
    urls = [t["data"]["image"] for t in tasks(world, manager, pid)]
    assert [u.rsplit("-", 1)[-1] for u in urls] == ["cat.png", "dog_photo.PNG"]
    assert all(u.startswith(f"/data/upload/{pid}/") for u in urls)

    r = world.client.get(urls[0], headers=manager.headers)
    assert r.status_code == 200 and r.content == first
    assert r.headers["content-type"] == "image/png"
    assert r.headers["content-disposition"].startswith("inline")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in r.headers["content-security-policy"]

    annotator, outsider = world.person("ann@example.com"), world.person("out@example.com")
    world.join(pid, annotator, "annotator")
    assert world.client.get(urls[1], headers=annotator.headers).content == second
    assert world.client.get(urls[1], headers=outsider.headers).status_code == 404
    assert world.client.get(urls[1]).status_code == 401
    other = world.project(outsider, IMAGE_CONFIG)  # the same name under another project: not there
    assert world.client.get(urls[1].replace(f"/{pid}/", f"/{other}/"), headers=outsider.headers).status_code == 404


def test_the_type_comes_from_the_bytes(world: World, manager: Person) -> None:
    pid = world.project(manager, IMAGE_CONFIG)
    html = b"<html><script>alert(1)</script></html>"
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert upload(world, manager, pid, ("evil.png", html), ("drawing.svg", svg)).status_code == 201
    served = {}
    for t in tasks(world, manager, pid):
        r = world.client.get(t["data"]["image"], headers=manager.headers)
        served[t["data"]["image"].rsplit("-", 1)[-1]] = (r.headers["content-type"], r.headers["content-disposition"])
    assert served["evil.png"][0] == "application/octet-stream" and served["evil.png"][1].startswith("attachment")
    assert served["drawing.svg"][0] == "image/svg+xml" and served["drawing.svg"][1].startswith("attachment")


def test_names_never_leave_the_media_folder(world: World, manager: Person) -> None:
    pid = world.project(manager, IMAGE_CONFIG)
    assert upload(world, manager, pid, ("cat.png", png())).status_code == 201
    (world.settings.data_dir / "secret.txt").write_text("secret")
    (world.settings.data_dir / "media" / str(pid) / "00000000-link.png").symlink_to(
        world.settings.data_dir / "secret.txt"
    )
    for name in (
        "..%2F..%2Fsecret.txt",
        "secret.txt",
        "%2E%2E",
        "00000000-..",
        "00000000-x%2F..%2F..%2Fsecret.txt",
        "00000000-link.png",
    ):
        r = world.client.get(f"/data/upload/{pid}/{name}", headers=manager.headers)
        assert r.status_code == 404, (name, r.status_code)


def test_audio_and_refusals_leave_nothing_behind(world: World, manager: Person) -> None:
    pid = world.project(manager, AUDIO_CONFIG)
    mp3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 64
    assert upload(world, manager, pid, ("clip.mp3", mp3)).status_code == 201
    (task,) = tasks(world, manager, pid)
    assert world.client.get(task["data"]["audio"], headers=manager.headers).headers["content-type"] == "audio/mpeg"

    # An image into an audio project, media mixed with a task file, two kinds at once: refused, nothing stored.
    for files, message in (
        ([("cat.png", png())], "no <Image> tags"),
        ([("clip2.mp3", mp3), ("tasks.json", b'[{"audio": "x"}]')], "separate imports"),
        ([("clip3.mp3", mp3), ("cat.png", png())], "one kind of media at a time"),
    ):
        r = upload(world, manager, pid, *files)
        assert r.status_code == 400 and message in r.json()["detail"], r.text
    assert len(tasks(world, manager, pid)) == 1
    assert len(media_left(world, pid)) == 1


def test_deleting_the_project_removes_its_files(world: World, manager: Person) -> None:
    pid = world.project(manager, IMAGE_CONFIG)
    assert upload(world, manager, pid, ("cat.png", png())).status_code == 201
    assert len(media_left(world, pid)) == 1
    assert world.client.delete(f"/api/projects/{pid}", headers=manager.headers).status_code == 204
    assert media_left(world, pid) == []
