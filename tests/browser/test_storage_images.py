"""An image from a local-folder source storage drawn on the labeling page: the task's reference goes out as
a signed link, which the browser loads from Tessera (the page's CSP allows only its own origin)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.labeling_support import open_task, png_data_url
from tests.sdk.conftest import LiveServer

CONFIG = """<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="box" toName="image"><Label value="Cat"/></RectangleLabels>
</View>"""


@pytest.fixture(scope="module")
def files_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("local-files")
    (root / "photos").mkdir()
    png = base64.b64decode(png_data_url(400, 300).split(",", 1)[1])
    (root / "photos" / "cat.png").write_bytes(png)
    return root


@pytest.fixture(scope="module")
def live_server_env(files_root: Path) -> Iterator[dict[str, str]]:
    yield {"TESSERA_LOCAL_FILES_ROOT": str(files_root)}


def test_image_from_a_local_folder_is_drawn(page: Page, live_server: LiveServer) -> None:
    with live_server.http() as c:
        pid = c.post("/api/projects", json={"title": "Storage", "label_config": CONFIG}).json()["id"]
        body = {"project": pid, "path": "photos", "use_blob_urls": True}
        sid = c.post("/api/storages/localfiles", json=body).json()["id"]
        assert c.post(f"/api/storages/localfiles/{sid}/sync").json()["last_sync_count"] == 1
        (task,) = c.get(f"/api/tasks?project={pid}").json()["tasks"]
    open_task(page, pid, task["id"])
    image = page.locator(".ed-image-img")
    expect(image).to_have_js_property("naturalWidth", 400)
    assert image.get_attribute("src").startswith(f"/data/storage/{sid}?")  # type: ignore[union-attr]
