"""Media files uploaded into a project: images, audio and video uploaded alone become one task each.

A file is kept under `<data>/media/<project id>/` as `<random>-<safe name>` and its task's data points at it
the way Label Studio's does: `{"image": "/data/upload/<project id>/<stored name>"}`, under the data key of
the config's one object tag for that kind of media. It is served to the project's members only (see
`open_media`), with a type sniffed from its bytes. An import that fails removes the files it stored."""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.orm import Session

from tessera.domain.config import cached_config
from tessera.domain.config.model import LabelConfig
from tessera.domain.errors import InvalidInput, NotFound
from tessera.io.media_types import media_kind
from tessera.io.sources import RawTask
from tessera.services.access import get_project
from tessera.services.actors import Actor
from tessera.services.imports import ImportSummary, import_tasks

URL_PREFIX = "/data/upload"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_STORED = re.compile(r"^[0-9a-f]{8}-[A-Za-z0-9._-]{1,120}$")


def media_folder(data_dir: Path, project_id: int) -> Path:
    return data_dir / "media" / str(int(project_id))


def safe_name(filename: str) -> str:
    """The file's base name with anything but letters, digits, `.`, `_` and `-` replaced: never a path."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).strip("._") or "file"
    return cleaned[-120:]


def media_key(config: LabelConfig, kinds: set[str]) -> str:
    """The data key media files go to: the config's one object tag of their kind (one kind per upload)."""
    if len(kinds) != 1:
        raise InvalidInput(f"upload one kind of media at a time, not {' and '.join(sorted(kinds))}")
    (kind,) = kinds
    objects = [o for o in config.objects.values() if o.media == kind and o.value_field]
    if len(objects) != 1:
        found = "no" if not objects else "several"
        raise InvalidInput(
            f"the labeling config has {found} <{kind.capitalize()}> tags with a $field: {kind} files become tasks "
            f"in a project with exactly one",
            field_errors={"file": [f"no single {kind} tag"]},
        )
    return str(objects[0].value_field)


def import_media(
    session: Session, actor: Actor, data_dir: Path, project_id: int, files: list[tuple[str, Path]]
) -> ImportSummary:
    """Move uploaded files (name, spooled path) into the project's media folder and make a task of each."""
    project, _role = get_project(session, actor, project_id, "tasks.create")
    key = media_key(cached_config(project.label_config), {media_kind(name) or "" for name, _path in files})
    folder = media_folder(data_dir, project.id)
    folder.mkdir(parents=True, exist_ok=True)
    stored: list[Path] = []
    try:
        for name, path in files:
            target = folder / f"{secrets.token_hex(4)}-{safe_name(name)}"
            os.replace(path, target)
            stored.append(target)
        items = _tasks(key, project.id, stored)
        return import_tasks(session, actor, project.id, parsed=[("upload", items)])
    except BaseException:
        for target in stored:
            target.unlink(missing_ok=True)
        raise


def _tasks(key: str, project_id: int, stored: list[Path]) -> Iterator[RawTask]:
    for i, target in enumerate(stored, start=1):
        yield RawTask(i, {key: f"{URL_PREFIX}/{project_id}/{target.name}"})


def remove_project_media(data_dir: Path, project_id: int) -> None:
    shutil.rmtree(media_folder(data_dir, project_id), ignore_errors=True)


def open_media(session: Session, actor: Actor, data_dir: Path, project_id: int, name: str) -> Path:
    """The stored file `name` of a project the actor may see; 404 for anything else, whatever `name` holds."""
    project, _role = get_project(session, actor, project_id, "tasks.view")
    if not _STORED.match(name):
        raise NotFound("no such file")
    path = media_folder(data_dir, project.id) / name
    if not path.is_file() or path.is_symlink():
        raise NotFound("no such file")
    return path
