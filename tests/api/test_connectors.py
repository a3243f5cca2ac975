"""Connectors end to end, against a fake OpenAI-compatible server started as a separate process
(`tests/fixtures/fake_openai.py`): records and their write-only key, generation and judge jobs, retries,
timeouts, the client-side rate limit, the editor's live call, and the outbound guard."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tessera.db.tables import Connector, Job
from tests.api.conftest import Person, World
from tests.api.fake_openai_process import FakeOpenAI, fake_openai

KEY = "sk-test-9f8e7d6c5b4a39281706"
CONFIG = """<View>
  <Text name="prompt" value="$prompt"/>
  <Choices name="sentiment" toName="prompt"><Choice value="Positive"/><Choice value="Negative"/></Choices>
</View>"""


@pytest.fixture(scope="module")
def fake_server() -> Iterator[FakeOpenAI]:
    with fake_openai(KEY) as server:
        yield server


@pytest.fixture
def fake(fake_server: FakeOpenAI) -> FakeOpenAI:
    fake_server.reset()
    return fake_server


class Api:
    """A client of an app that lets 127.0.0.1 through, which keeps every response body it saw."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.seen: list[str] = []

    def __call__(self, method: str, url: str, person: Person, body: Any = None) -> Any:
        r = self.client.request(method, url, json=body, headers=person.headers)
        self.seen.append(r.text)
        return r


@pytest.fixture
def api(client_with: Callable[..., TestClient]) -> Api:
    return Api(client_with(outbound_allowlist=("127.0.0.1",)))


@pytest.fixture
def project(world: World, manager: Person, api: Api) -> int:
    pid = world.project(manager, CONFIG)
    tasks = [{"prompt": "say hello"}, {"prompt": "this is good"}, {"prompt": "this is bad"}]
    r = api("POST", f"/api/projects/{pid}/import", manager, tasks)
    assert r.status_code == 201, r.text
    return pid


def connector(api: Api, person: Person, pid: int, fake: FakeOpenAI, model: str = "echo", **extra: Any) -> dict:
    body = {"name": model, "base_url": fake.base_url, "model": model, "api_key": KEY, **extra}
    r = api("POST", f"/api/projects/{pid}/connectors", person, body)
    assert r.status_code == 201, r.text
    return r.json()


def task_ids(api: Api, person: Person, pid: int) -> list[int]:
    return [t["id"] for t in api("GET", f"/api/tasks?project={pid}", person).json()["tasks"]]


def wait_job(api: Api, person: Person, pid: int, job_id: int, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = api("GET", f"/api/projects/{pid}/generations/{job_id}", person).json()
        if job["status"] in ("completed", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish: {job}")


def chat(api: Api, person: Person, pid: int, **body: Any) -> Any:
    body.setdefault("messages", [{"role": "user", "content": "hi"}])
    return api("POST", f"/api/projects/{pid}/chat-completions", person, body)


# --- records -------------------------------------------------------------------------------------------------


def test_create_list_patch_delete_and_the_key_is_never_returned(
    world: World, manager: Person, api: Api, project: int, fake: FakeOpenAI
) -> None:
    made = connector(api, manager, project, fake, params={"temperature": 0.2, "max_tokens": 50})
    assert made["has_key"] is True and made["api_key_env"] is None
    assert made["params"] == {"temperature": 0.2, "max_tokens": 50}
    assert (made["requests_per_minute"], made["max_retries"], made["timeout"]) == (60, 3, 60.0)
    assert "api_key" not in made and "api_key_encrypted" not in made
    listed = api("GET", f"/api/projects/{project}/connectors", manager).json()
    assert [c["id"] for c in listed] == [made["id"]]
    patched = api("PATCH", f"/api/connectors/{made['id']}", manager, {"model": "echo-one", "timeout": 5}).json()
    assert (patched["model"], patched["timeout"], patched["has_key"]) == ("echo-one", 5, True)
    removed = api("PATCH", f"/api/connectors/{made['id']}", manager, {"api_key": None}).json()
    assert removed["has_key"] is False
    api("PATCH", f"/api/connectors/{made['id']}", manager, {"api_key": KEY})
    with world.db.reader() as s:
        stored = s.scalars(select(Connector)).one()
        assert stored.api_key_encrypted and KEY not in stored.api_key_encrypted
        s.rollback()
    assert api("DELETE", f"/api/connectors/{made['id']}", manager).status_code == 204
    assert api("GET", f"/api/connectors/{made['id']}", manager).status_code == 404
    assert all(KEY not in text for text in api.seen)


def test_validation_errors_name_the_field(manager: Person, api: Api, project: int, fake: FakeOpenAI) -> None:
    bad = {
        "name": "",
        "base_url": "ftp://x",
        "model": "m",
        "params": {"temperature": 9, "colour": 1},
        "requests_per_minute": 0,
        "timeout": -1,
        "api_key_env": "DATABASE_URL",
    }
    r = api("POST", f"/api/projects/{project}/connectors", manager, bad)
    assert r.status_code == 400
    fields = r.json()["validation_errors"]
    assert set(fields) >= {"name", "base_url", "params.temperature", "params.colour", "requests_per_minute", "timeout"}
    assert "TESSERA_KEY_" in fields["api_key_env"][0]
    userinfo = {"name": "u", "base_url": "https://me:sk-1@api.example.com/v1", "model": "m"}
    r = api("POST", f"/api/projects/{project}/connectors", manager, userinfo)
    assert r.status_code == 400 and "credentials" in r.json()["validation_errors"]["base_url"][0]
    assert "sk-1" not in r.text
    connector(api, manager, project, fake)
    dup = api(
        "POST",
        f"/api/projects/{project}/connectors",
        manager,
        {"name": "echo", "base_url": fake.base_url, "model": "x"},
    )
    assert dup.status_code == 409 and "name" in dup.json()["validation_errors"]


def test_a_key_from_the_environment(
    manager: Person, api: Api, project: int, fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = connector(api, manager, project, fake, api_key=None, api_key_env="TESSERA_KEY_FAKE")
    assert (made["has_key"], made["api_key_env"]) == (True, "TESSERA_KEY_FAKE")
    unset = chat(api, manager, project)
    assert unset.status_code == 400 and "TESSERA_KEY_FAKE" in unset.json()["detail"]
    monkeypatch.setenv("TESSERA_KEY_FAKE", KEY)
    assert chat(api, manager, project).json()["message"]["content"] == "hi #1"


def test_annotators_see_names_and_models_only_and_change_nothing(
    world: World, manager: Person, api: Api, project: int, fake: FakeOpenAI
) -> None:
    annotator = world.person("ann@example.com")
    world.join(project, annotator, "annotator")
    made = connector(api, manager, project, fake)
    listed = api("GET", f"/api/projects/{project}/connectors", annotator).json()
    assert listed == [{"id": made["id"], "name": "echo", "model": "echo", "is_default": False}]
    assert api("GET", f"/api/connectors/{made['id']}", annotator).status_code == 403
    assert api("PATCH", f"/api/connectors/{made['id']}", annotator, {"model": "x"}).status_code == 403
    assert api("DELETE", f"/api/connectors/{made['id']}", annotator).status_code == 403
    body = {"prompt_field": "prompt", "output_field": "replies"}
    assert api("POST", f"/api/projects/{project}/connectors/{made['id']}/generate", annotator, body).status_code == 403


def test_another_projects_connector_is_not_found(
    world: World, manager: Person, api: Api, project: int, fake: FakeOpenAI
) -> None:
    made = connector(api, manager, project, fake)
    other = world.person("other@example.com")
    theirs = world.project(other, CONFIG)
    for method, body in (("GET", None), ("PATCH", {"model": "x"}), ("DELETE", None)):
        assert api(method, f"/api/connectors/{made['id']}", other, body).status_code == 404
    gen = {"prompt_field": "prompt", "output_field": "replies"}
    r = api("POST", f"/api/projects/{theirs}/connectors/{made['id']}/generate", other, gen)
    assert r.status_code == 404
    assert (
        api("POST", f"/api/projects/{theirs}/connectors/{made['id']}/judge", other, {"control": "x"}).status_code == 404
    )
    assert chat(api, other, project).status_code == 404
    # a manager of both projects still cannot use one project's connector through the other's URL
    mine = world.project(manager, CONFIG)
    assert api("POST", f"/api/projects/{mine}/connectors/{made['id']}/generate", manager, gen).status_code == 404
    assert len(fake.calls()) == 0


# --- generation --------------------------------------------------------------------------------------------


def test_generation_writes_replies_with_provenance(
    world: World, manager: Person, api: Api, project: int, fake: FakeOpenAI
) -> None:
    ids = task_ids(api, manager, project)
    messages = [
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": "second"},
    ]
    api("PATCH", f"/api/tasks/{ids[1]}", manager, {"data": {"prompt": messages}})
    api("PATCH", f"/api/tasks/{ids[2]}", manager, {"data": {"prompt": "done", "replies": [{"id": "r1"}]}})
    made = connector(api, manager, project, fake, params={"temperature": 0.7})
    body = {"prompt_field": "prompt", "output_field": "replies", "n": 2, "system_prompt": "be brief"}
    started = api("POST", f"/api/projects/{project}/connectors/{made['id']}/generate", manager, body)
    assert started.status_code == 201, started.text
    job = wait_job(api, manager, project, started.json()["id"])
    assert job["status"] == "completed", job
    assert (job["result"]["tasks"], job["result"]["written"], job["result"]["failed"]) == (2, 2, 0)
    first = api("GET", f"/api/tasks/{ids[0]}", manager).json()["data"]["replies"]
    assert [r["id"] for r in first] == ["r1", "r2"]
    assert [r["body"] for r in first] == ["say hello #1", "say hello #2"]
    assert first[0]["model"] == "echo" and first[0]["params"] == {"temperature": 0.7}
    assert first[0]["created_at"].endswith("Z")
    second = api("GET", f"/api/tasks/{ids[1]}", manager).json()["data"]["replies"]
    assert second[0]["body"] == "second #1"
    assert api("GET", f"/api/tasks/{ids[2]}", manager).json()["data"]["replies"] == [{"id": "r1"}]  # had one
    sent = [c["body"] for c in fake.calls()]
    assert all(b["n"] == 2 and b["temperature"] == 0.7 for b in sent)
    assert all(b["messages"][0] == {"role": "system", "content": "be brief"} for b in sent)
    assert {"role": "assistant", "content": "ok"} in sent[1]["messages"] or {
        "role": "assistant",
        "content": "ok",
    } in sent[0]["messages"]


def test_an_endpoint_that_ignores_n_is_asked_again(manager: Person, api: Api, project: int, fake: FakeOpenAI) -> None:
    made = connector(api, manager, project, fake, model="echo-one")
    ids = task_ids(api, manager, project)
    body = {"prompt_field": "prompt", "output_field": "out", "n": 3, "tasks": [ids[0]]}
    job = wait_job(
        api,
        manager,
        project,
        api("POST", f"/api/projects/{project}/connectors/{made['id']}/generate", manager, body).json()["id"],
    )
    assert job["result"]["written"] == 1
    assert len(api("GET", f"/api/tasks/{ids[0]}", manager).json()["data"]["out"]) == 3
    assert [c["body"].get("n", 1) for c in fake.calls()] == [3, 2, 1]


@pytest.mark.parametrize(("model", "least_seconds"), [("limited:1", 1.0), ("broken:2", 1.4)])
def test_a_429_or_500_is_retried_until_it_succeeds(
    manager: Person, api: Api, project: int, fake: FakeOpenAI, model: str, least_seconds: float
) -> None:
    made = connector(api, manager, project, fake, model=model, requests_per_minute=6000)
    started = time.monotonic()
    r = chat(api, manager, project)
    assert r.status_code == 200, r.text
    assert r.json()["message"]["content"] == "hi #1"
    assert time.monotonic() - started >= least_seconds  # Retry-After: 1; or backoff 0.5 s then 1 s
    statuses = [c["status"] for c in fake.calls(model)]
    assert statuses == ([429, 200] if model.startswith("limited") else [500, 500, 200])
    assert made["max_retries"] == 3


def test_a_permanent_failure_is_reported_visibly(
    world: World, manager: Person, api: Api, project: int, fake: FakeOpenAI
) -> None:
    made = connector(api, manager, project, fake, model="fail", max_retries=1, requests_per_minute=6000)
    body = {"prompt_field": "prompt", "output_field": "out"}
    job = wait_job(
        api,
        manager,
        project,
        api("POST", f"/api/projects/{project}/connectors/{made['id']}/generate", manager, body).json()["id"],
    )
    assert job["status"] == "failed"
    assert "all 3 tasks failed" in job["error"] and "answered 500" in job["error"]
    assert "after 2 attempts" in job["error"]
    assert len(fake.calls("fail")) == 6
    assert all("out" not in t["data"] for t in api("GET", f"/api/tasks?project={project}", manager).json()["tasks"])


def test_some_tasks_failing_complete_the_job_with_their_reasons(
    manager: Person, api: Api, project: int, fake: FakeOpenAI
) -> None:
    ids = task_ids(api, manager, project)
    api("PATCH", f"/api/tasks/{ids[1]}", manager, {"data": {"prompt": [{"role": "robot", "content": 1}]}})
    made = connector(api, manager, project, fake)
    body = {"prompt_field": "prompt", "output_field": "out"}
    job = wait_job(
        api,
        manager,
        project,
        api("POST", f"/api/projects/{project}/connectors/{made['id']}/generate", manager, body).json()["id"],
    )
    assert job["status"] == "completed"
    assert (job["result"]["written"], job["result"]["failed"]) == (2, 1)
    assert job["result"]["failures"][0]["task"] == ids[1]
    assert "data.prompt" in job["result"]["failures"][0]["reason"]


def test_a_malformed_answer_is_a_clear_failure(manager: Person, api: Api, project: int, fake: FakeOpenAI) -> None:
    connector(api, manager, project, fake, model="malformed")
    r = chat(api, manager, project)
    assert r.status_code == 502
    assert "did not answer a chat completion" in r.json()["detail"]
    assert len(fake.calls("malformed")) == 1  # not retried


def test_a_slow_endpoint_times_out(manager: Person, api: Api, project: int, fake: FakeOpenAI) -> None:
    connector(api, manager, project, fake, model="slow:3", timeout=0.5, max_retries=1, requests_per_minute=6000)
    started = time.monotonic()
    r = chat(api, manager, project)
    assert r.status_code == 502
    assert "no answer within 0.5 s" in r.json()["detail"] and "after 2 attempts" in r.json()["detail"]
    assert time.monotonic() - started < 2.9
    # The fake server still answers both attempts after 3 s: let them land now, not in the next test's log.
    deadline = time.monotonic() + 10
    while len(fake.calls("slow:3")) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)


def test_a_wrong_key_is_refused_and_not_retried(manager: Person, api: Api, project: int, fake: FakeOpenAI) -> None:
    connector(api, manager, project, fake, api_key="sk-wrong-key-123")
    r = chat(api, manager, project)
    assert r.status_code == 502
    assert "401" in r.json()["detail"] and "API key" in r.json()["detail"]
    assert "sk-wrong-key-123" not in r.text
    # By model: a slow call of the test before may still land in the shared fake server's log.
    assert [c["status"] for c in fake.calls("echo")] == [401]


# --- rate limit and live calls -----------------------------------------------------------------------------


def test_the_rate_limit_spaces_calls(manager: Person, api: Api, project: int, fake: FakeOpenAI) -> None:
    connector(api, manager, project, fake, requests_per_minute=120)
    started = time.monotonic()
    for _ in range(4):
        assert chat(api, manager, project).status_code == 200
    assert time.monotonic() - started >= 1.45
    at = [c["at"] for c in fake.calls()]
    assert at[-1] - at[0] >= 1.4, at  # three intervals of 0.5 s, as the fake server saw them


def test_a_live_call_as_an_annotator(world: World, manager: Person, api: Api, project: int, fake: FakeOpenAI) -> None:
    annotator = world.person("ann@example.com")
    world.join(project, annotator, "annotator")
    none = chat(api, annotator, project)
    assert none.status_code == 400 and "no connector" in none.json()["detail"]
    connector(api, manager, project, fake, name="main", params={"temperature": 0.1})
    connector(api, manager, project, fake, model="echo-one", name="second")
    several = chat(api, annotator, project)
    assert several.status_code == 400 and "llm" in several.json()["validation_errors"]
    task = task_ids(api, manager, project)[0]
    r = chat(api, annotator, project, llm="echo-one", task=task, messages=[{"role": "user", "content": "yo"}])
    assert r.status_code == 200, r.text
    reply = r.json()
    assert reply["message"] == {"role": "assistant", "content": "yo #1"}
    assert (reply["meta"]["model"], reply["meta"]["connector"]) == ("echo-one", "second")
    by_name = chat(api, annotator, project, llm="main").json()
    assert by_name["meta"]["params"] == {"temperature": 0.1} and by_name["meta"]["created_at"]
    bad = chat(api, annotator, project, messages=[{"role": "user"}])
    assert bad.status_code == 400 and "messages" in bad.json()["validation_errors"]


def test_the_guard_still_refuses_loopback_when_not_allowlisted(
    world: World, manager: Person, project: int, fake: FakeOpenAI
) -> None:
    closed = Api(world.client)  # the default app: no allowlist
    connector(closed, manager, project, fake)
    r = chat(closed, manager, project)
    assert r.status_code == 502
    assert "refused" in r.json()["detail"] and "non-public" in r.json()["detail"]
    assert fake.calls() == []


# --- judge ---------------------------------------------------------------------------------------------------


def test_a_judge_job_stores_predictions(manager: Person, api: Api, project: int, fake: FakeOpenAI) -> None:
    made = connector(api, manager, project, fake, model="judge")
    bad = api("POST", f"/api/projects/{project}/connectors/{made['id']}/judge", manager, {"control": "prompt"})
    assert bad.status_code == 400 and "sentiment" in bad.json()["validation_errors"]["control"][0]
    body = {"control": "sentiment", "instructions": "Is the text positive or negative?"}
    started = api("POST", f"/api/projects/{project}/connectors/{made['id']}/judge", manager, body)
    job = wait_job(api, manager, project, started.json()["id"])
    assert job["status"] == "completed", job
    assert (job["result"]["predicted"], job["result"]["unparseable"], job["result"]["failed"]) == (2, 1, 0)
    ids = task_ids(api, manager, project)
    found = {}
    for task in ids:
        for p in api("GET", f"/api/predictions?task={task}", manager).json():
            found[task] = p
    assert set(found) == {ids[1], ids[2]}
    assert found[ids[1]]["result"][0]["value"] == {"choices": ["Positive"]}
    assert found[ids[1]]["score"] == 0.9 and found[ids[1]]["model_version"] == "judge"
    assert found[ids[2]]["result"][0]["value"] == {"choices": ["Negative"]}
    assert "Is the text positive" in fake.calls()[0]["body"]["messages"][1]["content"]


# --- the key stays secret ------------------------------------------------------------------------------------


def test_the_key_is_in_no_log_job_or_response(
    world: World, manager: Person, api: Api, project: int, fake: FakeOpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    made = connector(api, manager, project, fake)
    failing = connector(api, manager, project, fake, model="fail", max_retries=0)
    body = {"prompt_field": "prompt", "output_field": "out", "n": 1}
    for cid in (made["id"], failing["id"]):
        wait_job(
            api,
            manager,
            project,
            api("POST", f"/api/projects/{project}/connectors/{cid}/generate", manager, body).json()["id"],
        )
    chat(api, manager, project, llm="echo")
    api("GET", f"/api/connectors/{made['id']}", manager)
    api("GET", f"/api/projects/{project}/connectors", manager)
    api("GET", f"/api/projects/{project}/export?exportType=JSON", manager)
    assert all(KEY not in text for text in api.seen)
    assert KEY not in caplog.text
    with world.db.reader() as s:
        for job in s.scalars(select(Job)):
            assert KEY not in repr((job.payload, job.result, job.error))
        s.rollback()
    assert len(fake.calls()) >= 4  # the key was sent, and accepted, all along
