"""What the server loads when it starts: heavy libraries that only some exports, consensus methods or the
PostgreSQL driver need are imported on first use, not with the app (pyarrow and numpy are about 50 MB resident,
psycopg about 20 MB)."""

from __future__ import annotations

import subprocess
import sys

LAZY = ("pyarrow", "numpy", "pandas", "psycopg")

SCRIPT = """
import sys, tempfile
from pathlib import Path
import tessera.cli.main
from tessera.server import create_app
from tessera.settings import load_settings
app = create_app(load_settings(data_dir=Path(tempfile.mkdtemp()), env={}))  # SQLite, whatever the environment
print(" ".join(m for m in LAZY if m in sys.modules))
"""


def test_a_sqlite_server_starts_without_the_heavy_libraries():
    out = subprocess.run(
        [sys.executable, "-c", f"LAZY = {LAZY!r}\n{SCRIPT}"], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.split() == []


def test_the_parquet_export_and_dawid_skene_load_them_when_used():
    script = (
        "import io, sys\n"
        "from tessera.io.writers import EXPORT_FORMATS\n"
        "from tessera.services.consensus import _dawid_skene\n"
        "assert 'pyarrow' not in sys.modules and 'numpy' not in sys.modules\n"
        "EXPORT_FORMATS['PARQUET'].writer([], io.BytesIO())\n"
        "assert _dawid_skene({1: [('a', 'x'), ('b', 'x')]}).items[1].label == 'x'\n"
        "print('pyarrow' in sys.modules, 'numpy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.split() == ["True", "True"]


def test_the_cli_imports_only_what_its_command_uses():
    # The web stack, the HTTP client and the import readers are for `start` and `import`: the other commands
    # (`export` of a million tasks among them) start without them.
    script = (
        "import sys\n"
        "import tessera.cli.main\n"
        "heavy = ('uvicorn', 'fastapi', 'httpx', 'tessera.net.outbound', 'tessera.services.imports',"
        " 'tessera.services.exports')\n"
        "print(' '.join(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.split() == []
