"""Tasks whose `data` and `meta` arrive as stored JSON text (`RawJSON`) encode to the very text the decoded
task encodes to, whatever strings they hold (the stand-ins used while encoding cannot be forged)."""

from __future__ import annotations

import json
import random

from tessera.db.bulk import to_json
from tessera.io.ls_json import _ENCODED_TOKENS, RawJSON, encode_compact, encode_task

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
        for raw_keys in (("data",), ("meta",), ("data", "meta")):
            raw = {**t, **{k: RawJSON(to_json(t[k])) for k in raw_keys}}
            assert encode_task(raw) == encode_compact(t)


def test_meta_before_data_and_forged_stand_ins() -> None:
    t = {"meta": {"a": FORGED[1]}, "id": 1, "data": {"text": FORGED[0]}, "note": FORGED}
    raw = {**t, "data": RawJSON(to_json(t["data"])), "meta": RawJSON(to_json(t["meta"]))}
    assert encode_task(raw) == encode_compact(t)
    assert json.loads(encode_task(raw)) == t
    assert not any(token in encode_task(raw) for token in _ENCODED_TOKENS.values())


def test_plain_tasks_are_untouched() -> None:
    t = {"id": 1, "data": {"text": "x"}, "meta": {}}
    assert encode_task(t) == encode_compact(t)
