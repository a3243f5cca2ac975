"""Settings: read once, by whoever builds the app, from arguments and the environment. Never at import."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    host: str = "127.0.0.1"
    port: int = 8080
    outbound_allowlist: tuple[str, ...] = ()
    max_body_bytes: int = 1024 * 1024 * 1024
    session_days: int = 14
    login_attempts_per_minute: int = 10
    secure_cookies: bool = False
    import_root: Path | None = None  # admins may import files under it by relative path (off when None)
    import_job_bytes: int = 64 * 1024 * 1024  # uploads above this run as background jobs
    export_job_tasks: int = 20_000  # snapshots of more tasks than this are made by background jobs
    local_files_root: Path | None = None  # admins may connect folders under it as source storage (off when None)
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def default_data_dir() -> Path:
    return Path.home() / ".tessera"


def load_settings(
    data_dir: str | Path | None = None,
    database_url: str | None = None,
    env: dict[str, str] | None = None,
    **overrides: object,
) -> Settings:
    """Build settings from explicit arguments, then `TESSERA_*` variables, then defaults."""
    env = dict(os.environ) if env is None else env
    folder = Path(data_dir or env.get("TESSERA_DATA_DIR") or default_data_dir()).expanduser()
    url = database_url or env.get("TESSERA_DATABASE_URL") or f"sqlite:///{folder / 'tessera.db'}"
    allow = overrides.pop("outbound_allowlist", None)
    if allow is None:
        allow = tuple(h.strip() for h in env.get("TESSERA_OUTBOUND_ALLOWLIST", "").split(",") if h.strip())
    if "secure_cookies" not in overrides and env.get("TESSERA_SECURE_COOKIES"):
        overrides["secure_cookies"] = env["TESSERA_SECURE_COOKIES"].lower() in ("1", "true", "yes")
    if "import_root" not in overrides and env.get("TESSERA_IMPORT_ROOT"):
        overrides["import_root"] = Path(env["TESSERA_IMPORT_ROOT"]).expanduser()
    root = env.get("TESSERA_LOCAL_FILES_ROOT") or env.get("LOCAL_FILES_DOCUMENT_ROOT")  # Label Studio's name too
    if "local_files_root" not in overrides and root:
        overrides["local_files_root"] = Path(root).expanduser()
    if "import_job_bytes" not in overrides and env.get("TESSERA_IMPORT_JOB_BYTES", "").isdigit():
        overrides["import_job_bytes"] = int(env["TESSERA_IMPORT_JOB_BYTES"])
    if "export_job_tasks" not in overrides and env.get("TESSERA_EXPORT_JOB_TASKS", "").isdigit():
        overrides["export_job_tasks"] = int(env["TESSERA_EXPORT_JOB_TASKS"])
    if "max_body_bytes" not in overrides and env.get("TESSERA_MAX_UPLOAD_BYTES", "").isdigit():
        overrides["max_body_bytes"] = int(env["TESSERA_MAX_UPLOAD_BYTES"])
    return Settings(data_dir=folder, database_url=url, outbound_allowlist=tuple(allow), **overrides)  # type: ignore[arg-type]
