"""The one import map every app page carries, and the Content-Security-Policy hash that lets the browser run it.

An import map is an inline script, and the CSP allows no inline script except this one, by its sha256."""

from __future__ import annotations

import base64
import hashlib
import json

IMPORTS = {
    "tessera/": "/static/app/",
    "editor/": "/static/editor/",
    "vendor/": "/static/vendor/",
}

IMPORT_MAP = json.dumps({"imports": IMPORTS}, separators=(",", ":"))
IMPORT_MAP_HASH = "sha256-" + base64.b64encode(hashlib.sha256(IMPORT_MAP.encode()).digest()).decode()
