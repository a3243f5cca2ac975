"""The 300 real preference pairs end to end through the API: imported with the two replies on sides drawn at
random, judged by two annotators who pick the dataset's chosen reply whatever side it is shown on (the shown
order recorded as `presentation`), exported as DPO JSONL and read back with the `datasets` package: every row's
chosen and rejected are the dataset's."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import datasets

from tests.api.conftest import Person, World

PAIRS = Path(__file__).parent.parent / "fixtures" / "preferences" / "preference_pairs.jsonl.gz"
CONFIG = """<View>
  <Paragraphs name="dialogue" value="$conversation" layout="dialogue" nameKey="role" textKey="content"/>
  <Text name="reply_a" value="$reply_a"/>
  <Text name="reply_b" value="$reply_b"/>
  <Pairwise name="preference" toName="reply_a,reply_b"/>
</View>"""


def load_pairs() -> list[dict]:
    with gzip.open(PAIRS, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def as_tasks(pairs: list[dict], seed: int = 7) -> list[dict]:
    """Each pair as a task whose chosen reply is reply_a or reply_b at random."""
    rng = random.Random(seed)
    tasks = []
    for pair in pairs:
        a, b = (pair["chosen"], pair["rejected"]) if rng.random() < 0.5 else (pair["rejected"], pair["chosen"])
        tasks.append({"pair": pair["id"], "conversation": pair["conversation"], "reply_a": a, "reply_b": b})
    return tasks


def test_three_hundred_real_pairs_come_out_as_dpo_rows_that_match_the_picks(
    world: World, manager: Person, tmp_path: Path
) -> None:
    c, h = world.client, manager.headers
    pairs = {p["id"]: p for p in load_pairs()}
    pid = world.project(manager, CONFIG)
    r = c.post(f"/api/projects/{pid}/import?return_task_ids=true", json=as_tasks(list(pairs.values())), headers=h)
    assert r.status_code == 201, r.text
    annotators = [world.person(f"judge{i}@example.com") for i in range(2)]
    for who in annotators:
        world.join(pid, who, "annotator")
    rng = random.Random(11)
    sides = {"left": 0, "right": 0}
    pair_of_task = {}
    for task in c.get(f"/api/tasks?project={pid}&page_size=300", headers=h).json()["tasks"]:
        pair_of_task[task["id"]] = pairs[task["data"]["pair"]]
        chosen = pair_of_task[task["id"]]["chosen"]
        for who in annotators:
            shown = ["reply_a", "reply_b"] if rng.random() < 0.5 else ["reply_b", "reply_a"]
            picked = next(name for name in shown if task["data"][name] == chosen)
            side = "left" if picked == "reply_a" else "right"
            sides["left" if shown[0] == picked else "right"] += 1
            body = {
                "result": [
                    {
                        "from_name": "preference",
                        "to_name": "reply_a,reply_b",
                        "type": "pairwise",
                        "value": {"selected": side},
                    }
                ],
                "presentation": {"preference": shown},
            }
            r = c.post(f"/api/tasks/{task['id']}/annotations", json=body, headers=who.headers)
            assert r.status_code == 201, r.text
    assert min(sides.values()) > 200  # the chosen reply was shown on both sides, often

    r = c.get(f"/api/projects/{pid}/export?exportType=DPO_JSONL", headers=h)
    assert r.status_code == 200, r.text
    out = tmp_path / "dpo.jsonl"
    out.write_bytes(r.content)
    rows = datasets.load_dataset("json", data_files=str(out), split="train")
    assert len(rows) == 600 and {"prompt", "chosen", "rejected"} <= set(rows.column_names)
    assert sorted(row["task_id"] for row in rows) == sorted(list(pair_of_task) * 2)
    for row in rows:
        pair = pair_of_task[row["task_id"]]
        assert row["prompt"] == pair["conversation"]
        assert row["chosen"] == [{"role": "assistant", "content": pair["chosen"]}]
        assert row["rejected"] == [{"role": "assistant", "content": pair["rejected"]}]
