"""A JSON response written straight from plain dicts: no response-model validation or encoder pass, which
matter for pages of a hundred tasks with their annotations."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import JSONResponse


class FastJSON(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
