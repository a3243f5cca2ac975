"""Our JSON text matches ujson's, which Label Studio's exports use."""

from __future__ import annotations

import random
import struct

import pytest

from tessera.io.ls_json import dumps_compact, dumps_indented, to_utf8, ujson_number

ujson = pytest.importorskip("ujson")


def _random_float(rng: random.Random) -> float:
    while True:
        value = struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0]
        if value == value and abs(value) != float("inf"):
            return value


def test_floats_like_ujson() -> None:
    rng = random.Random(7)
    values = [_random_float(rng) for _ in range(20_000)]
    values += [float(f"{m}e{e}") for e in range(-300, 300) for m in (1, 1.5, 9.99)]
    values += [0.0, -0.0, 10.0, 0.1 + 0.2, 5e-324, 1e16, 1e-5, 1.5e-7]
    assert dumps_compact(values) == ujson.dumps(values, ensure_ascii=False)


def test_strings_and_structures_like_ujson() -> None:
    value = {
        "s": [
            "a/b",
            "</script>",
            "é 漢字 😀",
            "\u2028\u2029",
            "\x00\x1f\n\t\b\f\r\x7f",
            '"\\',
            "e-05",
            "1e-07",
        ],
        "n": [0, -1, 2**63, -(2**63) - 1, 2**70, True, False, None, 1.5e-07],
        "nested": {"empty": [], "obj": {}, "deep": [[{"a": [1, {"b": "c/d e-01"}]}]]},
        "/key/": "x",
    }
    assert dumps_compact(value) == ujson.dumps(value, ensure_ascii=False)
    assert dumps_indented(value) == ujson.dumps(value, ensure_ascii=False, indent=2)


def test_lone_surrogates_become_escapes() -> None:
    assert to_utf8(dumps_compact(["\ud800", "ok é"])) == '["\\ud800","ok é"]'.encode()


def test_exponents_after_a_key_and_in_strings_like_ujson() -> None:
    value = {"a": 1e-07, "b": [-2.5e-08, {"c": 3e-09}], "s": "p = 3.9e-06, x:1e-05", "t": ":1e-05"}
    assert dumps_compact(value) == ujson.dumps(value, ensure_ascii=False)


@pytest.mark.parametrize("value", [1e-05, -1.5e-07, 0.1, 12.5, 1e16, 3, "e-05"])
def test_ujson_number_spells_a_column_value_as_ujson(value: object) -> None:
    assert ujson_number(value) == ujson.dumps(value, ensure_ascii=False).encode()
