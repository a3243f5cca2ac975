from tests.api.conftest import CONFIG, Person, World


def test_project_import_annotate_export(world: World, manager: Person) -> None:
    c, h = world.client, manager.headers
    r = c.post("/api/projects/", json={"title": "NER", "label_config": CONFIG}, headers=h)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    r = c.post(f"/api/projects/{pid}/import?return_task_ids=true", json=[{"text": "Alice works at Acme."}], headers=h)
    assert r.status_code == 201, r.text
    task_id = r.json()["task_ids"][0]
    result = [
        {
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {"start": 0, "end": 5, "text": "Alice", "labels": ["PER"]},
        }
    ]
    r = c.post(f"/api/tasks/{task_id}/annotations/", json={"result": result}, headers=h)
    assert r.status_code == 201, r.text
    r = c.get(f"/api/tasks/{task_id}", headers=h)
    assert r.json()["total_annotations"] == 1 and r.json()["is_labeled"] is True
    r = c.get(f"/api/projects/{pid}/export?exportType=JSON", headers=h)
    assert r.status_code == 200, r.text
    assert r.json()[0]["annotations"][0]["result"] == result
