"""Tasks whose `data`, `meta` or `annotations` arrive as stored JSON text (`RawJSON`) encode to the very text
the decoded task encodes to, whatever strings and numbers they hold."""

from __future__ import annotations

import json
import random

from tessera.db.bulk import to_json
from tessera.io.ls_json import RawJSON, encode_compact, encode_task, recompact

FORGED = ["\x00" + "0" * 32 + ":data\x00", "\x00" + "f" * 32 + ":meta\x00"]  # stand-ins need the secret
TRICKY = ["\x00", *FORGED, '"', "\\", "/", "é 漢字 😀", "\u2028", "{}", '":"', "1e-07", "\ud800"]


def task(rng: random.Random) -> dict:
    def value(depth: int = 0) -> object:
        kind = rng.randrange(6 if depth < 3 else 4)
        if kind == 0:
            return rng.choice(TRICKY) + str(rng.random())
        if kind == 1:
            return rng.choice([0, -1, 2**53, 1.5e-7, 0.1, True, None])
        if kind in (2, 3):
            return "".join(rng.choice(TRICKY) for _ in range(3))
        if kind == 4:
            return [value(depth + 1) for _ in range(rng.randrange(4))]
        return {rng.choice(TRICKY): value(depth + 1) for _ in range(rng.randrange(4))}

    return {
        "id": rng.randrange(1000),
        "annotations": [{"result": [value()], "note": rng.choice(TRICKY)}],
        "data": {"text": value(), "x": value()},
        "meta": {} if rng.random() < 0.5 else {"m": value()},
        "created_at": "2026-11-27T00:00:00.000000Z",
    }


def test_raw_text_encodes_like_the_decoded_task() -> None:
    rng = random.Random(3)
    for _ in range(2000):
        t = task(rng)
        for raw_keys in (("data",), ("meta",), ("data", "meta"), ("annotations", "data")):
            raw = {**t, **{k: RawJSON(to_json(t[k])) for k in raw_keys}}
            assert encode_task(raw) == encode_compact(t)


def test_meta_before_data_and_forged_stand_ins() -> None:
    t = {"meta": {"a": FORGED[1]}, "id": 1, "data": {"text": FORGED[0]}, "note": FORGED}
    raw = {**t, "data": RawJSON(to_json(t["data"])), "meta": RawJSON(to_json(t["meta"]))}
    assert encode_task(raw) == encode_compact(t)
    assert json.loads(encode_task(raw)) == t


def test_plain_tasks_are_untouched() -> None:
    t = {"id": 1, "data": {"text": "x"}, "meta": {}}
    assert encode_task(t) == encode_compact(t)


ODD = [0.1, 1e-05, 1e16, 1.5e-07, 5e-324, 2**70, -(2**63), "\ud800", "é/\x00\x7f", True, None, 0, [], {}]


def test_scalars_and_floats_beside_raw_text_encode_as_json_does() -> None:
    for value in [*ODD, float("nan"), float("inf")]:
        item = {"id": 1, "result": RawJSON("[1]"), "lead_time": value, "note": "a/b"}
        assert encode_task(item) == encode_compact({**item, "result": [1]})


def test_recompact_spells_jsonb_text_as_json_does() -> None:
    rng = random.Random(5)
    values = [*ODD, {"a": ODD}, *(task(rng) for _ in range(500))]
    for value in values:
        spaced = json.dumps(value, ensure_ascii=False)  # ": " and ", " as PostgreSQL writes jsonb
        assert recompact(spaced) == encode_compact(value)
