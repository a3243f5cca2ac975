"""The labeling queue: `next` claims with a lease, overlap k is met exactly, skips follow `skip_queue`, expired
leases free their slot, and concurrent claimers (threads over separate connection pools, as separate server
processes would be) never push a task past k."""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from tessera.db.engine import Database
from tessera.db.tables import TaskLock, utcnow
from tessera.server import create_app
from tessera.settings import load_settings
from tests.api.conftest import Person, World

CHOICE = [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}]


def _annotators(world: World, pid: int, count: int) -> list[Person]:
    people = [world.person(f"annotator{i}@example.com") for i in range(count)]
    for p in people:
        world.join(pid, p, "annotator")
    return people


@pytest.fixture
def two_apps(world: World) -> Iterator[list[TestClient]]:
    """Two apps over the world's database with their own connection pools, as two server processes would be."""
    dbs = [Database(world.db.url) for _ in range(2)]
    settings = load_settings(data_dir=world.settings.data_dir, database_url=world.db.url, env={})
    clients = [TestClient(create_app(settings, database=db), raise_server_exceptions=False) for db in dbs]
    yield clients
    for c in clients:
        c.close()
        c.app.state.outbound.close()
    for db in dbs:
        db.dispose()


def _next(c: TestClient, pid: int, who: Person) -> int | None:
    r = c.get(f"/api/projects/{pid}/next", headers=who.headers)
    if r.status_code == 404:
        return None
    assert r.status_code == 200, r.text
    return r.json()["id"]


def _submit(c: TestClient, task_id: int, who: Person, *, skip: bool = False) -> int:
    body = {"result": [] if skip else CHOICE, "was_cancelled": skip}
    return c.post(f"/api/tasks/{task_id}/annotations", json=body, headers=who.headers).status_code


def test_a_claim_is_held_until_submitted_and_others_get_other_tasks(world: World, manager: Person) -> None:
    pid, ids = world.project_with_tasks(manager, 3)
    a, b = _annotators(world, pid, 2)
    c = world.client
    r = c.get(f"/api/projects/{pid}/next", headers=a.headers)
    assert r.status_code == 200 and r.json()["id"] == ids[0]
    assert r.json()["data"] == {"text": "t0"} and "predictions" in r.json() and r.json()["lease_expires_at"]
    assert _next(c, pid, a) == ids[0]  # asking again returns the same leased task
    assert _next(c, pid, b) == ids[1]
    assert _submit(c, ids[0], a) == 201
    assert _next(c, pid, a) == ids[2]
    assert _next(c, pid, b) == ids[1]
    assert _submit(c, ids[1], b) == 201 and _submit(c, ids[2], a) == 201
    r = c.get(f"/api/projects/{pid}/next", headers=b.headers)
    assert r.status_code == 404 and "no more tasks" in r.json()["detail"]


def test_overlap_gives_each_task_to_k_different_people(world: World, manager: Person) -> None:
    pid, ids = world.project_with_tasks(manager, 2, maximum_annotations=2)
    a, b, c3 = _annotators(world, pid, 3)
    c = world.client
    assert _next(c, pid, a) == ids[0] and _next(c, pid, b) == ids[0]
    assert _next(c, pid, c3) == ids[1]  # both slots of the first task are leased
    assert _submit(c, ids[0], a) == 201
    assert _next(c, pid, a) == ids[1]  # never the task they already did
    assert _submit(c, ids[0], b) == 201 and _submit(c, ids[1], a) == 201 and _submit(c, ids[1], c3) == 201
    assert _next(c, pid, b) is None
    tasks = {t["id"]: t for t in c.get(f"/api/tasks?project={pid}", headers=manager.headers).json()["tasks"]}
    assert [tasks[i]["total_annotations"] for i in ids] == [2, 2] and all(tasks[i]["is_labeled"] for i in ids)


def _expire(world: World, person: Person) -> None:
    with world.db.writer() as s:
        s.execute(
            update(TaskLock).where(TaskLock.user_id == person.id).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        s.commit()


def test_an_expired_lease_frees_the_slot_and_a_late_submit_cannot_overfill(world: World, manager: Person) -> None:
    pid, ids = world.project_with_tasks(manager, 2)
    a, b = _annotators(world, pid, 2)
    c = world.client
    assert _next(c, pid, a) == ids[0]
    _expire(world, a)
    assert _next(c, pid, b) == ids[0]  # the slot came back to the queue
    r = c.post(f"/api/tasks/{ids[0]}/annotations", json={"result": CHOICE}, headers=a.headers)
    assert r.status_code == 409 and "lease" in r.json()["detail"]  # b holds the only slot now
    assert _submit(c, ids[0], b) == 201
    # A late submit that does not overfill is kept: a's lease on the second task expires, nobody took it.
    assert _next(c, pid, a) == ids[1]
    _expire(world, a)
    assert _submit(c, ids[1], a) == 201
    counts = [
        t["total_annotations"] for t in c.get(f"/api/tasks?project={pid}", headers=manager.headers).json()["tasks"]
    ]
    assert counts == [1, 1]


def test_a_refused_submit_keeps_the_lease(world: World, manager: Person) -> None:
    """The submit ends the lease in the statement that locks the task (on PostgreSQL): a submit refused after
    that, for its result or by the queue, takes the ending back with it."""
    pid, ids = world.project_with_tasks(manager, 2)
    a, b = _annotators(world, pid, 2)
    c = world.client
    assert _next(c, pid, a) == ids[0]
    bad = [{**CHOICE[0], "value": {"choices": ["No such choice"]}}]
    assert c.post(f"/api/tasks/{ids[0]}/annotations", json={"result": bad}, headers=a.headers).status_code == 400
    assert _next(c, pid, a) == ids[0]  # still theirs, and held from b
    assert _next(c, pid, b) == ids[1]
    _expire(world, a)
    _expire(world, b)
    assert _next(c, pid, b) == ids[0]  # b takes the slot a's lease gave up
    r = c.post(f"/api/tasks/{ids[0]}/annotations", json={"result": CHOICE}, headers=a.headers)
    assert r.status_code == 409
    with world.db.writer() as s:
        leases = s.execute(select(TaskLock.task_id, TaskLock.user_id).order_by(TaskLock.id)).all()
    assert sorted(leases) == sorted([(ids[0], a.id), (ids[1], b.id), (ids[0], b.id)])  # a's expired one stays
    assert _submit(c, ids[0], b) == 201


def test_a_task_opened_by_its_id_without_a_lease_is_not_held_to_the_queue(world: World, manager: Person) -> None:
    """As in Label Studio, an annotator may label a task they opened themselves; only a lease that expired
    under them is held to the overlap."""
    pid, ids = world.project_with_tasks(manager, 1)
    a, b = _annotators(world, pid, 2)
    assert _next(world.client, pid, a) == ids[0] and _submit(world.client, ids[0], a) == 201
    assert _submit(world.client, ids[0], b) == 201


def test_staff_write_outside_the_queue(world: World, manager: Person) -> None:
    pid, ids = world.project_with_tasks(manager, 1)
    (a,) = _annotators(world, pid, 1)
    assert _next(world.client, pid, a) == ids[0]
    assert _submit(world.client, ids[0], manager) == 201  # a manager's fix or import is not held to k


@pytest.mark.parametrize(
    ("skip_queue", "a_gets_back", "b_gets"),
    [("REQUEUE_FOR_OTHERS", False, True), ("REQUEUE_FOR_ME", True, True), ("IGNORE_SKIPPED", False, False)],
)
def test_skipped_tasks_follow_skip_queue(
    world: World, manager: Person, skip_queue: str, a_gets_back: bool, b_gets: bool
) -> None:
    pid, ids = world.project_with_tasks(manager, 1, skip_queue=skip_queue)
    a, b = _annotators(world, pid, 2)
    c = world.client
    assert _next(c, pid, a) == ids[0]
    assert _submit(c, ids[0], a, skip=True) == 201
    assert (_next(c, pid, a) == ids[0]) is a_gets_back  # only once nothing unseen is left for them
    if a_gets_back:
        assert _submit(c, ids[0], a) == 201
    assert (_next(c, pid, b) == ids[0]) is (b_gets and not a_gets_back)


def test_uncertainty_sampling_gives_the_least_certain_prediction_first(world: World, manager: Person) -> None:
    pid, ids = world.project_with_tasks(manager, 3, sampling="Uncertainty sampling")
    c = world.client
    for task_id, score in zip(ids, [0.9, 0.2, 0.5], strict=True):
        r = c.post(
            "/api/predictions", json={"task": task_id, "result": CHOICE, "score": score}, headers=manager.headers
        )
        assert r.status_code == 201, r.text
    a, b, d = _annotators(world, pid, 3)
    assert [_next(c, pid, p) for p in (a, b, d)] == [ids[1], ids[2], ids[0]]


def test_uniform_sampling_reaches_every_task(world: World, manager: Person) -> None:
    pid, ids = world.project_with_tasks(manager, 12, sampling="Uniform sampling")
    (a,) = _annotators(world, pid, 1)
    seen = []
    while (task_id := _next(world.client, pid, a)) is not None:
        seen.append(task_id)
        assert _submit(world.client, task_id, a) == 201
    assert sorted(seen) == ids


def test_outsiders_and_unknown_projects_get_404(world: World, manager: Person) -> None:
    pid, _ids = world.project_with_tasks(manager, 1)
    outsider = world.person("outsider@example.com")
    assert world.client.get(f"/api/projects/{pid}/next", headers=outsider.headers).status_code == 404
    assert world.client.get("/api/projects/99999/next", headers=manager.headers).status_code == 404
    assert world.client.get(f"/api/projects/{pid}/next").status_code == 401


def test_concurrent_claimers_on_two_apps_fill_every_task_exactly_k_times(
    world: World, manager: Person, two_apps: list[TestClient]
) -> None:
    """Eight annotators on two apps with their own connection pools (like two server processes) claim and
    submit as fast as they can: every task ends with exactly k annotations from k different people."""
    k, n = 2, 16
    pid, ids = world.project_with_tasks(manager, n, maximum_annotations=k)
    people = _annotators(world, pid, 8)
    outsider = world.person("outsider@example.com")
    for c in two_apps:  # FastAPI builds each route on its first request; not from eight threads at once
        assert c.get(f"/api/projects/{pid}/next", headers=outsider.headers).status_code == 404
        assert c.post("/api/tasks/0/annotations", json={}, headers=outsider.headers).status_code in (400, 404)
    done: dict[int, list[int]] = defaultdict(list)
    failures: list[str] = []
    lock = threading.Lock()

    def work(i: int, who: Person) -> None:
        c = two_apps[i % 2]
        try:
            while (task_id := _next(c, pid, who)) is not None:
                status = _submit(c, task_id, who)
                if status != 201:
                    failures.append(f"{who.email} got {status} submitting {task_id}")
                    return
                with lock:
                    done[task_id].append(who.id)
        except Exception as exc:  # noqa: BLE001 - reported below with the thread that saw it
            failures.append(f"{who.email}: {exc!r}")

    threads = [threading.Thread(target=work, args=(i, p)) for i, p in enumerate(people)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not failures, failures
    assert sorted(done) == ids
    assert all(len(v) == k and len(set(v)) == k for v in done.values()), done
    counts = Counter(
        t["total_annotations"]
        for t in world.client.get(f"/api/tasks?project={pid}&page_size={n}", headers=manager.headers).json()["tasks"]
    )
    assert counts == {k: n}


def test_changing_overlap_or_skip_rule_recomputes_which_tasks_are_labeled(world: World, manager: Person) -> None:
    pid, ids = world.project_with_tasks(manager, 2, maximum_annotations=2)
    (a,) = _annotators(world, pid, 1)
    c, h = world.client, manager.headers
    assert _submit(c, ids[0], a) == 201 and _submit(c, ids[1], a, skip=True) == 201

    def labeled() -> list[bool]:
        return [t["is_labeled"] for t in c.get(f"/api/tasks?project={pid}", headers=h).json()["tasks"]]

    assert labeled() == [False, False]
    assert c.patch(f"/api/projects/{pid}", json={"maximum_annotations": 1}, headers=h).status_code == 200
    assert labeled() == [True, False]
    assert c.patch(f"/api/projects/{pid}", json={"skip_queue": "IGNORE_SKIPPED"}, headers=h).status_code == 200
    assert labeled() == [True, True]
    assert c.get(f"/api/projects/{pid}", headers=h).json()["finished_task_number"] == 2
    assert c.patch(f"/api/projects/{pid}", json={"maximum_annotations": 2}, headers=h).status_code == 200
    assert labeled() == [False, False]


def test_fifty_annotators_released_at_once_never_share_a_task(
    world: World, manager: Person, two_apps: list[TestClient]
) -> None:
    """200 `next` calls (four from each of 50 annotators) released together by a barrier over two apps: each
    annotator keeps getting their one task, and no task is handed to two people (overlap 1)."""
    pid = world.project(manager)
    r = world.client.post(
        f"/api/projects/{pid}/import", json=[{"text": f"t{i}"} for i in range(10_000)], headers=manager.headers
    )
    assert r.status_code == 201, r.text
    people = _annotators(world, pid, 50)
    outsider = world.person("warm@example.com")
    for c in two_apps:  # build the route once per app before the race
        assert c.get(f"/api/projects/{pid}/next", headers=outsider.headers).status_code == 404
    got: dict[int, set[int]] = defaultdict(set)
    errors: list[str] = []
    barrier = threading.Barrier(50)

    def claim(i: int, who: Person) -> None:
        barrier.wait()
        for _ in range(4):
            r = two_apps[i % 2].get(f"/api/projects/{pid}/next", headers=who.headers)
            if r.status_code != 200:
                errors.append(f"{who.email}: {r.status_code} {r.text[:200]}")
                return
            got[who.id].add(r.json()["id"])

    threads = [threading.Thread(target=claim, args=(i, p)) for i, p in enumerate(people)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    assert not errors, errors
    assert all(len(tasks) == 1 for tasks in got.values()), got
    handed = [next(iter(tasks)) for tasks in got.values()]
    assert len(handed) == 50 and len(set(handed)) == 50


@pytest.mark.parametrize("setting", [{"show_ground_truth_first": True}, {"ground_truth_rate": 100}])
def test_ground_truth_tasks_are_mixed_into_the_queue(world: World, manager: Person, setting: dict) -> None:
    """Gold tasks (already labeled, by a manager, as ground truth) go to every annotator once, as a check."""
    pid, ids = world.project_with_tasks(manager, 3, **setting)
    body = {"result": CHOICE, "ground_truth": True}
    assert world.client.post(f"/api/tasks/{ids[2]}/annotations", json=body, headers=manager.headers).status_code == 201
    a, b = _annotators(world, pid, 2)
    c = world.client
    for who in (a, b):
        assert _next(c, pid, who) == ids[2]
        assert _submit(c, ids[2], who) == 201
    assert _next(c, pid, a) == ids[0] and _next(c, pid, b) == ids[1]


def test_without_a_gold_setting_ground_truth_tasks_stay_out_of_the_queue(world: World, manager: Person) -> None:
    pid, ids = world.project_with_tasks(manager, 2)
    body = {"result": CHOICE, "ground_truth": True}
    assert world.client.post(f"/api/tasks/{ids[0]}/annotations", json=body, headers=manager.headers).status_code == 201
    (a,) = _annotators(world, pid, 1)
    assert _next(world.client, pid, a) == ids[1]


def test_post_next_answers_204_when_the_queue_is_empty(world: World, manager: Person) -> None:
    pid, ids = world.project_with_tasks(manager, 1)
    (a,) = _annotators(world, pid, 1)
    r = world.client.post(f"/api/projects/{pid}/next", headers=a.headers)
    assert r.status_code == 200 and r.json()["id"] == ids[0]
    assert _submit(world.client, ids[0], a) == 201
    r = world.client.post(f"/api/projects/{pid}/next", headers=a.headers)
    assert r.status_code == 204 and r.content == b""
    assert world.client.get(f"/api/projects/{pid}/next", headers=a.headers).status_code == 404


def test_overlap_cohort_percentage_gives_k_annotations_to_that_share_of_tasks(world: World, manager: Person) -> None:
    """With 40% of 50 tasks in the overlap cohort (k=3), exactly 20 tasks end with 3 annotations and 30 with one,
    whoever labels them; the task's `overlap` says which."""
    pid, ids = world.project_with_tasks(manager, 50, maximum_annotations=3, overlap_cohort_percentage=40)
    people = _annotators(world, pid, 3)
    c = world.client
    for who in people:
        while (task_id := _next(c, pid, who)) is not None:
            assert _submit(c, task_id, who) == 201
    tasks = c.get(f"/api/tasks?project={pid}&page_size=100", headers=manager.headers).json()["tasks"]
    counts = Counter(t["total_annotations"] for t in tasks)
    assert counts == {3: 20, 1: 30}, counts
    assert all(t["is_labeled"] and t["overlap"] == t["total_annotations"] for t in tasks)
    # Widening the cohort re-opens the tasks that now want more.
    assert c.patch(f"/api/projects/{pid}", json={"overlap_cohort_percentage": 100}, headers=manager.headers).is_success
    tasks = c.get(f"/api/tasks?project={pid}&page_size=100", headers=manager.headers).json()["tasks"]
    assert sum(not t["is_labeled"] for t in tasks) == 30 and {t["overlap"] for t in tasks} == {3}


def test_an_annotator_cap_ends_their_queue(world: World, manager: Person) -> None:
    pid, ids = world.project_with_tasks(manager, 5, annotation_limit_count=2)
    a, b = _annotators(world, pid, 2)
    c = world.client
    for _ in range(2):
        task_id = _next(c, pid, a)
        assert task_id is not None and _submit(c, task_id, a) == 201
    assert _next(c, pid, a) is None  # capped at two
    assert _next(c, pid, b) is not None  # others are not
    r = c.patch(f"/api/projects/{pid}", json={"annotation_limit_count": 0}, headers=manager.headers)
    assert r.status_code == 400 and "annotation_limit_count" in r.text
    assert c.patch(f"/api/projects/{pid}", json={"annotation_limit_count": None}, headers=manager.headers).is_success
    assert _next(c, pid, a) is not None


def test_a_priority_field_orders_the_queue(world: World, manager: Person) -> None:
    pid = world.project(manager, priority_field="priority")
    rows = [
        {"text": "low", "priority": 1},
        {"text": "none"},
        {"text": "top", "priority": 9.5},
        {"text": "csv", "priority": "5"},
        {"text": "junk", "priority": "soon"},
    ]
    r = world.client.post(f"/api/projects/{pid}/import?return_task_ids=true", json=rows, headers=manager.headers)
    assert r.status_code == 201, r.text
    ids = r.json()["task_ids"]
    (a,) = _annotators(world, pid, 1)
    order = []
    while (task_id := _next(world.client, pid, a)) is not None:
        order.append(task_id)
        assert _submit(world.client, task_id, a) == 201
    # highest first (a number written as text counts); tasks without a number keep id order at the end
    assert order == [ids[2], ids[3], ids[0], ids[1], ids[4]]
    r = world.client.patch(f"/api/projects/{pid}", json={"priority_field": "a b"}, headers=manager.headers)
    assert r.status_code == 400 and "priority_field" in r.text


def test_a_sampling_seed_gives_the_same_shuffled_order_every_time(world: World, manager: Person) -> None:
    pid, ids = world.project_with_tasks(
        manager, 12, sampling="Uniform sampling", sampling_seed=42, maximum_annotations=2
    )
    orders = []
    for who in _annotators(world, pid, 2):
        seen = []
        while (task_id := _next(world.client, pid, who)) is not None:
            seen.append(ids.index(task_id))
            assert _submit(world.client, task_id, who) == 201
        orders.append(seen)
    assert orders[0] == orders[1] and sorted(orders[0]) == list(range(12)) and orders[0] != list(range(12))


def _choice(value: str) -> list[dict]:
    return [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": [value]}}]


def test_low_agreement_brings_more_annotators_up_to_the_limit(world: World, manager: Person) -> None:
    """k=2 with agreement_threshold 0.9: a task whose two annotators disagree wants a third, then a fourth
    (max_additional_annotators_assignable=2), and is done after that whatever they say; agreeing tasks end at 2."""
    pid, ids = world.project_with_tasks(
        manager, 2, maximum_annotations=2, agreement_threshold=0.9, max_additional_annotators_assignable=2
    )
    people = _annotators(world, pid, 5)
    c, h = world.client, manager.headers
    answers = {ids[0]: ["Positive", "Negative", "Positive", "Negative"], ids[1]: ["Positive", "Positive"]}
    given: dict[int, int] = {}
    for who in people:
        while (task_id := _next(c, pid, who)) is not None:
            value = answers[task_id][given.get(task_id, 0)]
            given[task_id] = given.get(task_id, 0) + 1
            r = c.post(f"/api/tasks/{task_id}/annotations", json={"result": _choice(value)}, headers=who.headers)
            assert r.status_code == 201, r.text
    assert given == {ids[0]: 4, ids[1]: 2}
    tasks = {t["id"]: t for t in c.get(f"/api/tasks?project={pid}", headers=h).json()["tasks"]}
    assert [tasks[i]["overlap"] for i in ids] == [4, 2] and all(tasks[i]["is_labeled"] for i in ids)
    r = c.patch(f"/api/projects/{pid}", json={"agreement_threshold": 2}, headers=h)
    assert r.status_code == 400 and "agreement_threshold" in r.text
