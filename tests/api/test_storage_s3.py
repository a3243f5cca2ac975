"""S3 buckets as source storage, against a real local S3 (`moto_server`, signatures checked): the write-only
secret, sync with prefix, regex and continuation tokens, task files, signed links streamed from the bucket,
and the outbound guard in front of the endpoint."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tessera.db.tables import SourceStorage
from tessera.net import s3 as s3_module
from tests.api.conftest import Person, World
from tests.moto_s3 import MotoS3, moto_s3

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
IMAGE_CONFIG = """<View>
  <Image name="image" value="$image"/>
  <Choices name="kind" toName="image"><Choice value="cat"/><Choice value="dog"/></Choices>
</View>"""


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoS3]:
    with moto_s3() as server:
        yield server


@pytest.fixture(scope="module")
def moto_signed() -> Iterator[MotoS3]:
    with moto_s3(check_signatures=True) as server:
        yield server


def make_bucket(moto: MotoS3) -> str:
    """A fresh bucket: `images/` with three PNGs and a text file, `other/x.png`."""
    name = f"tessera-{uuid.uuid4().hex[:12]}"
    client = moto.client()
    client.create_bucket(Bucket=name)
    for key in ("images/a.png", "images/b b.png", "images/sub/c.png", "other/x.png"):
        client.put_object(Bucket=name, Key=key, Body=PNG)
    client.put_object(Bucket=name, Key="images/notes.txt", Body=b"<svg onload=alert(1)></svg>")
    return name


@pytest.fixture
def bucket(moto: MotoS3) -> str:
    return make_bucket(moto)


@pytest.fixture
def api(client_with: Callable[..., TestClient]) -> TestClient:
    return client_with(outbound_allowlist=("127.0.0.1",))


def create(api: TestClient, person: Person, project: int, moto: MotoS3, bucket: str, **extra: Any) -> Any:
    body = {
        "project": project,
        "title": "bucket",
        "bucket": bucket,
        "prefix": "images/",
        "use_blob_urls": True,
        "aws_access_key_id": moto.access_key_id,
        "aws_secret_access_key": moto.secret_access_key,
        "region_name": "us-east-1",
        "s3_endpoint": moto.endpoint,
        **extra,
    }
    return api.post("/api/storages/s3", json=body, headers=person.headers)


def task_data(api: TestClient, person: Person, project: int) -> list[dict[str, Any]]:
    r = api.get(f"/api/tasks?project={project}", headers=person.headers)
    assert r.status_code == 200, r.text
    return [t["data"] for t in r.json()["tasks"]]


def test_sync_imports_objects_and_links_stream_them(
    world: World, api: TestClient, manager: Person, moto: MotoS3, bucket: str
) -> None:
    pid = world.project(manager, IMAGE_CONFIG)
    r = create(api, manager, pid, moto, bucket, regex_filter=r".*\.(png|txt)$")
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    r = api.post(f"/api/storages/s3/{sid}/sync", headers=manager.headers)
    assert r.status_code == 200, r.text
    assert r.json()["last_sync_count"] == 4
    assert api.post(f"/api/storages/s3/{sid}/sync", headers=manager.headers).json()["last_sync_count"] == 0
    moto.client().put_object(Bucket=bucket, Key="images/new.png", Body=PNG)
    assert api.post(f"/api/storages/s3/{sid}/sync", headers=manager.headers).json()["last_sync_count"] == 1

    exported = api.get(f"/api/projects/{pid}/export?exportType=JSON&download_all_tasks=true", headers=manager.headers)
    assert sorted(t["data"]["image"] for t in exported.json()) == [
        f"s3://{bucket}/images/{k}" for k in ("a.png", "b b.png", "new.png", "notes.txt", "sub/c.png")
    ]
    links = {d["image"].split("key=")[1].split("&")[0]: d["image"] for d in task_data(api, manager, pid)}
    assert all(link.startswith(f"/data/storage/{sid}?") for link in links.values())
    assert all(bucket not in link and moto.endpoint not in link for link in links.values())

    served = api.get(links["images/b%20b.png"])
    assert served.status_code == 200
    assert served.content == PNG
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-disposition"] == 'inline; filename="b b.png"'
    assert served.headers["content-security-policy"].startswith("sandbox")

    part = api.get(links["images/a.png"], headers={"Range": "bytes=8-15"})
    assert part.status_code == 206 and part.content == PNG[8:16]
    assert part.headers["content-type"] == "image/png"  # sniffed from the object's head, not the range

    svg = api.get(links["images/notes.txt"])
    assert svg.headers["content-type"] == "image/svg+xml"
    assert svg.headers["content-disposition"].startswith("attachment")

    moto.client().delete_object(Bucket=bucket, Key="images/a.png")
    assert api.get(links["images/a.png"]).status_code == 404


def test_the_secret_is_write_only_and_stored_encrypted(
    world: World, api: TestClient, manager: Person, moto_signed: MotoS3
) -> None:
    """Against a server that checks signatures: the right secret lists and reads, a wrong one is refused."""
    moto, bucket = moto_signed, make_bucket(moto_signed)
    pid = world.project(manager, IMAGE_CONFIG)
    seen = [create(api, manager, pid, moto, bucket, prefix="", aws_session_token="session-token-4242")]
    sid = seen[0].json()["id"]
    seen.append(api.get(f"/api/storages/s3/{sid}", headers=manager.headers))
    seen.append(api.get(f"/api/storages/s3?project={pid}", headers=manager.headers))
    seen.append(api.get(f"/api/storages?project={pid}", headers=manager.headers))
    with world.db.reader() as s:
        sealed = s.scalar(select(SourceStorage.secrets_encrypted).where(SourceStorage.id == sid))
    # moto takes a session token for a temporary credential it did not issue: remove it (null) to sync.
    body = {"title": "t2", "aws_session_token": None}
    seen.append(api.patch(f"/api/storages/s3/{sid}", json=body, headers=manager.headers))
    seen.append(api.post(f"/api/storages/s3/{sid}/sync", headers=manager.headers))
    for r in seen:
        assert r.status_code in (200, 201), r.text
        assert moto.secret_access_key not in r.text and "session-token-4242" not in r.text
    assert seen[-1].json()["last_sync_count"] == 5
    link = task_data(api, manager, pid)[0]["image"]
    assert api.get(link).content == PNG
    assert seen[1].json()["has_secret"] is True and "aws_secret_access_key" not in seen[1].json()
    with world.db.reader() as s:
        row = s.scalar(select(SourceStorage).where(SourceStorage.id == sid))
        assert row is not None and row.secrets_encrypted and sealed and sealed != row.secrets_encrypted
        for stored in (sealed, row.secrets_encrypted, str(row.settings)):
            assert moto.secret_access_key not in stored and "session-token-4242" not in stored
    # A wrong secret is refused by the bucket, and the sync's failure is on the record.
    api.patch(f"/api/storages/s3/{sid}", json={"aws_secret_access_key": "wrong"}, headers=manager.headers)
    moto.client().put_object(Bucket=bucket, Key="images/z.png", Body=PNG)
    r = api.post(f"/api/storages/s3/{sid}/sync", headers=manager.headers)
    assert r.status_code == 400 and "SignatureDoesNotMatch" in r.text
    record = api.get(f"/api/storages/s3/{sid}", headers=manager.headers).json()
    assert record["status"] == "failed" and "wrong" not in r.text


def test_listing_follows_continuation_tokens(
    world: World, api: TestClient, manager: Person, moto: MotoS3, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(s3_module, "LIST_PAGE", 2)
    pid = world.project(manager, IMAGE_CONFIG)
    sid = create(api, manager, pid, moto, bucket, prefix="").json()["id"]
    r = api.post(f"/api/storages/s3/{sid}/sync", headers=manager.headers)
    assert r.json()["last_sync_count"] == 5, r.text


def test_task_files_in_a_bucket(world: World, api: TestClient, manager: Person, moto: MotoS3, bucket: str) -> None:
    client = moto.client()
    client.put_object(Bucket=bucket, Key="tasks/1.json", Body=b'[{"image": "s3://%s/images/a.png"}]' % bucket.encode())
    client.put_object(Bucket=bucket, Key="tasks/2.jsonl", Body=b'{"image": "u1"}\n{"image": "u2"}\n')
    pid = world.project(manager, IMAGE_CONFIG)
    sid = create(api, manager, pid, moto, bucket, prefix="tasks/", use_blob_urls=False).json()["id"]
    r = api.post(f"/api/storages/s3/{sid}/sync", headers=manager.headers)
    assert r.status_code == 200 and r.json()["last_sync_count"] == 3, r.text
    values = sorted(d["image"] for d in task_data(api, manager, pid))
    # A reference outside the storage's prefix is left as it is: the storage serves its own prefix only.
    assert values == [f"s3://{bucket}/images/a.png", "u1", "u2"]


def test_a_bucket_that_errors_fails_the_sync_job_and_imports_nothing(
    world: World, api: TestClient, manager: Person, moto: MotoS3
) -> None:
    pid = world.project(manager, IMAGE_CONFIG)
    sid = create(api, manager, pid, moto, f"missing-{uuid.uuid4().hex[:8]}").json()["id"]
    r = api.post(f"/api/storages/s3/{sid}/sync?async=true", headers=manager.headers)
    assert r.status_code == 200 and r.json()["last_sync_job"], r.text
    deadline = time.monotonic() + 30
    while (record := api.get(f"/api/storages/s3/{sid}", headers=manager.headers).json())["status"] in (
        "queued",
        "in_progress",
    ) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert record["status"] == "failed" and "NoSuchBucket" in record["traceback"], record
    assert task_data(api, manager, pid) == []


def test_the_outbound_guard_covers_the_endpoint(world: World, manager: Person, moto: MotoS3, bucket: str) -> None:
    pid = world.project(manager, IMAGE_CONFIG)
    sid = create(world.client, manager, pid, moto, bucket).json()["id"]  # an app without the allowlist
    r = world.client.post(f"/api/storages/s3/{sid}/sync", headers=manager.headers)
    assert r.status_code == 400 and "127.0.0.1" in r.text


def test_bad_fields_are_refused_without_echoing_values(
    world: World, api: TestClient, manager: Person, moto: MotoS3
) -> None:
    pid = world.project(manager, IMAGE_CONFIG)
    r = api.post(
        "/api/storages/s3",
        json={
            "project": pid,
            "bucket": "b/x",
            "s3_endpoint": "ftp://user:pw@host",
            "presign_ttl": 0,
            "aws_secret_access_key": 12,
            "regex_filter": "(",
            "nope": 1,
        },
        headers=manager.headers,
    )
    assert r.status_code == 400
    assert set(r.json()["validation_errors"]) == {
        "bucket",
        "s3_endpoint",
        "presign_ttl",
        "aws_secret_access_key",
        "regex_filter",
        "nope",
    }
    assert "user:pw" not in r.text
    other = world.person("other@example.com")
    assert create(api, other, pid, moto, "b").status_code == 404
