"""A JSON response written straight from plain dicts: no response-model validation or encoder pass, which
matter for pages of a hundred tasks with their annotations."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import JSONResponse

from tessera.io.ls_json import encode_task, to_utf8


class FastJSON(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


class EncodedJSON(JSONResponse):
    """`FastJSON`'s bytes for a dict whose values are plain scalars or `RawJSON` text (already encoded parts,
    such as a page of tasks), written by orjson (`ls_json.encode_task`) without walking those parts again."""

    def render(self, content: dict[str, Any]) -> bytes:
        return to_utf8(encode_task(content))
