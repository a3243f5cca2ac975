"""Projects through the SDK's new client: create, list (paginated), get, update, delete, config validation."""

from __future__ import annotations

from typing import Any

import pytest
from label_studio_sdk.core.api_error import ApiError

from tests.sdk.support import NER_CONFIG, SENTIMENT_CONFIG


def test_create_get_update_delete(ls: Any, make_project: Any) -> None:
    created = make_project(NER_CONFIG, title="SDK compat", description="d")
    assert isinstance(created.id, int)
    assert created.title == "SDK compat"
    assert created.description == "d"
    assert created.label_config == NER_CONFIG

    got = ls.projects.get(created.id)
    assert got.id == created.id
    assert (got.title, got.description, got.label_config) == ("SDK compat", "d", NER_CONFIG)
    assert got.task_number == 0
    assert got.created_at is not None
    interface = got.get_label_interface()  # the SDK parses the stored config itself
    assert {c.name for c in interface.controls} == {"label", "sentiment"}
    assert {o.name for o in interface.objects} == {"text"}

    updated = ls.projects.update(created.id, title="renamed", description="new words", label_config=SENTIMENT_CONFIG)
    assert (updated.title, updated.description) == ("renamed", "new words")
    assert updated.label_config == SENTIMENT_CONFIG
    again = ls.projects.get(created.id)
    assert (again.title, again.description, again.label_config) == ("renamed", "new words", SENTIMENT_CONFIG)

    ls.projects.delete(created.id)
    with pytest.raises(ApiError) as excinfo:
        ls.projects.get(created.id)
    assert excinfo.value.status_code == 404


def test_list_walks_every_page(ls: Any, live_server: Any, make_project: Any) -> None:
    mine = [make_project(title=f"paged {i}").id for i in range(3)]

    first = ls.projects.list(page=1, page_size=1)
    count = first.response.count
    assert count >= 3
    assert len(first.items) == 1
    assert first.response.previous is None
    assert first.response.next is not None and "page=2" in first.response.next

    walked = [p.id for p in ls.projects.list(page_size=1)]
    assert len(walked) == count
    assert len(set(walked)) == count
    assert set(mine) <= set(walked)

    last = ls.projects.list(page=count, page_size=1)
    assert len(last.items) == 1
    assert last.response.next is None

    with live_server.http() as http:
        r = http.get("/api/projects/", params={"page": count + 1, "page_size": 1})
        assert r.status_code == 404
        assert r.json()["detail"] == "Invalid page."
        # The same list without a trailing slash, and a page big enough for all
        r = http.get("/api/projects", params={"page": 1, "page_size": 100})
        assert r.status_code == 200
        assert {p["id"] for p in r.json()["results"]} == set(walked)


def test_list_past_the_end_raises_404_through_the_sdk(ls: Any, make_project: Any) -> None:
    make_project()
    count = ls.projects.list(page=1, page_size=1).response.count
    with pytest.raises(ApiError) as excinfo:
        ls.projects.list(page=count + 1, page_size=1)
    assert excinfo.value.status_code == 404
    assert excinfo.value.body["detail"] == "Invalid page."


INVALID_CONFIGS = {
    # The recorded Label Studio answer for this one: 400, "'Choice' is a required property"
    "choices without choice": '<View><Text name="text" value="$text"/><Choices name="c" toName="text"/></View>',
    "toName names no object": '<View><Text name="text" value="$text"/>'
    '<Choices name="c" toName="nowhere"><Choice value="A"/></Choices></View>',
    "not XML": '<View><Text name="text" value="$text"',
}


@pytest.mark.parametrize("config", INVALID_CONFIGS.values(), ids=list(INVALID_CONFIGS))
def test_invalid_config_is_a_400(ls: Any, config: str) -> None:
    before = ls.projects.list(page=1, page_size=1).response.count
    with pytest.raises(ApiError) as excinfo:
        ls.projects.create(title="bad", label_config=config)
    assert excinfo.value.status_code == 400
    body = excinfo.value.body
    assert body["status_code"] == 400
    assert "label_config" in body["validation_errors"]
    assert ls.projects.list(page=1, page_size=1).response.count == before


def test_validate_config(ls: Any, make_project: Any) -> None:
    project = make_project()
    ls.projects.validate_label_config(project.id, label_config=SENTIMENT_CONFIG)
    with pytest.raises(ApiError) as excinfo:
        ls.projects.validate_label_config(project.id, label_config=INVALID_CONFIGS["toName names no object"])
    assert excinfo.value.status_code == 400
    assert ls.projects.get(project.id).label_config == NER_CONFIG  # validating changes nothing


def test_update_to_invalid_config_is_refused(ls: Any, make_project: Any) -> None:
    project = make_project()
    with pytest.raises(ApiError) as excinfo:
        ls.projects.update(project.id, label_config=INVALID_CONFIGS["not XML"])
    assert excinfo.value.status_code == 400
    assert ls.projects.get(project.id).label_config == NER_CONFIG


def test_missing_project_is_404(ls: Any) -> None:
    for call in (
        lambda: ls.projects.get(999_999),
        lambda: ls.projects.delete(999_999),
        lambda: ls.projects.update(999_999, title="x"),
    ):
        with pytest.raises(ApiError) as excinfo:
            call()
        assert excinfo.value.status_code == 404
