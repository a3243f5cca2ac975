"""The app pages' server side: sign-in required, and the template gallery every config of which both Tessera and
Label Studio's SDK accept, with a sample task that fits it."""

from __future__ import annotations

import json

import pytest
from label_studio_sdk.label_interface import LabelInterface

from tessera.web.app_pages import GALLERY, gallery
from tests.web.conftest import Person, World, signed_in

PAGES = ["/projects", "/projects/1", "/projects/1/settings", "/user/account"]
FAMILIES = {"Text", "Vision", "Dialogue and LLM", "Audio"}


@pytest.mark.parametrize("path", PAGES)
def test_pages_send_strangers_to_sign_in(world: World, path: str) -> None:
    r = world.client.get(path, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/user/login"


@pytest.mark.parametrize("path", PAGES)
def test_pages_render_for_a_signed_in_person(world: World, manager: Person, path: str) -> None:
    signed_in(world.client, manager.email)
    r = world.client.get(path)
    assert r.status_code == 200
    assert f"Signed in as {manager.email}" in r.text
    assert '<script type="module" src="/static/app/' in r.text
    assert "onclick=" not in r.text and "<script>" not in r.text


def test_home_is_the_projects_list(world: World, manager: Person) -> None:
    signed_in(world.client, manager.email)
    r = world.client.get("/")
    assert r.status_code == 200
    assert 'id="project-list"' in r.text and 'src="/static/app/projects.js"' in r.text


def test_gallery_has_the_templates_the_issue_asks_for() -> None:
    templates = gallery()
    assert len(templates) >= 24
    assert {t["group"] for t in templates} == FAMILIES
    ids = [t["id"] for t in templates]
    assert len(set(ids)) == len(ids)
    assert {p.stem for p in GALLERY.glob("*.xml")} == set(ids)
    xml = "\n".join(t["config"] for t in templates)
    for tag in [
        "<Labels",
        "<Relations",
        "<Rating",
        "<RectangleLabels",
        "<PolygonLabels",
        "<KeyPointLabels",
        "<Pairwise",
        "<Ranker",
        "<Taxonomy",
        "<Audio",
        'perRegion="true"',
        'layout="dialogue"',
    ]:
        assert tag in xml, tag


def test_every_gallery_config_is_valid_for_tessera_and_the_sdk(world: World, admin: Person) -> None:
    for template in gallery():
        body = {"label_config": template["config"]}
        r = world.client.post("/api/projects/validate", json=body, headers=admin.headers)
        assert r.status_code == 200, (template["id"], r.text)
        fields = set(r.json()["data_fields"])
        assert fields <= set(template["task"]["data"]), (template["id"], fields)
        interface = LabelInterface(template["config"])
        interface.validate_task(template["task"])
        assert interface.controls, template["id"]


def test_gallery_json_route(world: World) -> None:
    r = world.client.get("/app/gallery.json")
    assert r.status_code == 200
    body = r.json()
    assert body == json.loads(json.dumps(gallery()))
    assert all(t["config"].lstrip().startswith("<View>") for t in body)


def test_the_dashboard_page_answers_as_its_api(world: World, manager: Person) -> None:
    r = world.client.get("/projects/1/dashboard", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/user/login"
    project = world.project(manager)
    annotator = world.person("annotator@example.com")
    world.join(project, annotator, "annotator")
    signed_in(world.client, annotator.email)
    r = world.client.get(f"/projects/{project}/dashboard")
    assert r.status_code == 403 and 'id="dashboard"' not in r.text
    assert world.client.get(f"/projects/{project + 1}/dashboard").status_code == 404
    signed_in(world.client, manager.email)
    r = world.client.get(f"/projects/{project}/dashboard")
    assert r.status_code == 200
    assert f'data-project="{project}"' in r.text and 'src="/static/app/dashboard.js"' in r.text
    assert "<script>" not in r.text and "style=" not in r.text
    assert f'href="/projects/{project}/dashboard"' in world.client.get(f"/projects/{project}").text
