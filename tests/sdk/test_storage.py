"""Source storage through `label-studio-sdk`: connect a local folder, sync it, read the tasks with their
signed links, and fetch an image through one, as a Label Studio script does with `import_storage.local`;
and the S3 client's calls (create, get, update, list) with the secret never sent back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from label_studio_sdk.core.api_error import ApiError

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 100
IMAGE_CONFIG = """<View>
  <Image name="image" value="$image"/>
  <Choices name="kind" toName="image"><Choice value="cat"/><Choice value="dog"/></Choices>
</View>"""


@pytest.fixture(scope="module")
def files_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("local-files")
    (root / "photos").mkdir()
    for name in ("one.png", "two.png", "skip.gif"):
        (root / "photos" / name).write_bytes(PNG)
    (root / "tasks").mkdir()
    (root / "tasks" / "batch.json").write_text(json.dumps([{"image": "https://example.com/a.png"}]))
    return root


@pytest.fixture(scope="module")
def live_server_env(files_root: Path) -> Iterator[dict[str, str]]:
    # Label Studio's variable name, which Tessera reads too.
    yield {"LOCAL_FILES_DOCUMENT_ROOT": str(files_root)}


def test_local_storage_create_sync_and_serve(ls: Any, make_project: Any, files_root: Path, live_server: Any) -> None:
    project = make_project(IMAGE_CONFIG)
    ls.import_storage.local.validate(project=project.id, path="photos")
    with pytest.raises(ApiError) as refused:
        ls.import_storage.local.validate(project=project.id, path=str(files_root.parent))
    assert refused.value.status_code == 400
    assert list(ls.import_storage.local.list(project=project.id)) == []
    storage = ls.import_storage.local.create(
        project=project.id,
        path=str(files_root / "photos"),
        title="photos",
        regex_filter=r".*\.png",
        use_blob_urls=True,
    )
    assert storage.path == str((files_root / "photos").resolve()) and storage.project == project.id

    synced = ls.import_storage.local.sync(id=storage.id)
    assert synced.last_sync_count == 2 and synced.status == "completed"
    assert ls.import_storage.local.sync(id=storage.id).last_sync_count == 0

    tasks = list(ls.tasks.list(project=project.id))
    assert len(tasks) == 2
    link = ls.tasks.get(tasks[0].id).data["image"]
    assert link.startswith(f"/data/storage/{storage.id}?")
    image = httpx.get(live_server.base_url + link)
    assert image.status_code == 200 and image.content == PNG
    assert image.headers["x-content-type-options"] == "nosniff"

    assert [s.id for s in ls.import_storage.local.list(project=project.id)] == [storage.id]
    assert ls.import_storage.local.get(id=storage.id).title == "photos"
    assert ls.import_storage.local.update(id=storage.id, title="renamed").title == "renamed"
    ls.import_storage.local.delete(id=storage.id)
    with pytest.raises(ApiError) as caught:
        ls.import_storage.local.get(id=storage.id)
    assert caught.value.status_code == 404
    assert {t.name for t in ls.import_storage.list_types()} >= {"localfiles", "s3"}


def test_local_task_files(ls: Any, make_project: Any, files_root: Path) -> None:
    project = make_project(IMAGE_CONFIG)
    storage = ls.import_storage.local.create(project=project.id, path="tasks", use_blob_urls=False)
    assert ls.import_storage.local.sync(id=storage.id).last_sync_count == 1
    (task,) = list(ls.tasks.list(project=project.id))
    assert task.data == {"image": "https://example.com/a.png"}


def test_s3_records_keep_the_secret(ls: Any, make_project: Any) -> None:
    project = make_project(IMAGE_CONFIG)
    storage = ls.import_storage.s3.create(
        project=project.id,
        bucket="my-bucket",
        prefix="images/",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="very-secret-key",
        region_name="eu-west-1",
        s3endpoint="https://s3.example.com",
        presign_ttl=5,
        use_blob_urls=True,
    )
    assert (storage.bucket, storage.prefix, storage.s3endpoint, storage.presign_ttl) == (
        "my-bucket",
        "images/",
        "https://s3.example.com",
        5,
    )
    assert storage.aws_secret_access_key is None
    got = ls.import_storage.s3.get(id=storage.id)
    assert got.aws_secret_access_key is None and got.region_name == "eu-west-1"
    assert ls.import_storage.s3.update(id=storage.id, prefix="more/").prefix == "more/"
    assert [s.id for s in ls.import_storage.s3.list(project=project.id)] == [storage.id]
