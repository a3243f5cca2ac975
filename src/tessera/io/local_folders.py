"""A local folder connected as source storage: what lies in it, and opening one of its files, both contained.

Containment is checked on the resolved path (every symlink followed) each time, at listing and at opening:
a file, or a symlink, whose real path leaves the folder is not listed and not opened, whatever the name
says. Names given by a caller are refused outright when absolute, when they have a `..` or an empty part,
or a NUL. Directory symlinks are not descended into (they could loop), even inside the folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from tessera.domain.errors import InvalidInput, NotFound


def relative_name(name: str) -> PurePosixPath:
    """`name` as a relative path, or InvalidInput: no absolute path, no `..`, no NUL, no backslash."""
    if not name or "\x00" in name or "\\" in name:
        raise InvalidInput("not a relative path")
    path = PurePosixPath(name)
    if path.is_absolute() or any(part in ("..", "") for part in name.split("/")):
        raise InvalidInput("a path must be relative, without '..'")
    return path


def within(path: Path, folder: Path) -> bool:
    """True when `path` (resolved) is `folder` (resolved) or inside it."""
    return path == folder or path.is_relative_to(folder)


def folder_under_root(root: Path, given: str) -> Path:
    """The folder a storage `path` names: absolute under `root`, or relative to it. Refused when it leaves the
    root (`..`, a symlink pointing out) or is not an existing folder."""
    real_root = root.resolve()
    if "\x00" in given or ".." in given.replace("\\", "/").split("/"):
        raise InvalidInput("the path must not hold '..'", field_errors={"path": ["must not hold '..'"]})
    candidate = Path(given) if Path(given).is_absolute() else real_root / given
    try:
        real = candidate.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise InvalidInput("no such folder", field_errors={"path": ["no such folder"]}) from exc
    if not within(real, real_root):
        msg = "the path must be a folder under the server's local files root"
        raise InvalidInput(msg, field_errors={"path": [msg]})
    if not real.is_dir():
        raise InvalidInput("not a folder", field_errors={"path": ["not a folder"]})
    return real


def list_files(folder: Path, *, recursive: bool) -> Iterator[str]:
    """The files in `folder` whose real path stays inside it, as `/`-separated names relative to it, sorted
    within each directory."""
    real_folder = folder.resolve()
    stack = [real_folder]
    while stack:
        current = stack.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name, reverse=True)
        except OSError:
            continue
        files: list[str] = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if recursive:
                        stack.append(Path(entry.path))
                    continue
                if entry.is_symlink():
                    target = Path(entry.path).resolve()
                    if not within(target, real_folder) or not target.is_file():
                        continue
                elif not entry.is_file(follow_symlinks=False):
                    continue
            except OSError:
                continue
            files.append(Path(entry.path).relative_to(real_folder).as_posix())
        yield from reversed(files)


def contained_file(folder: Path, name: str) -> Path:
    """The real path of file `name` in `folder`; NotFound for a missing file or one whose real path leaves
    the folder, InvalidInput for a name that is not a plain relative path."""
    relative = relative_name(name)
    real_folder = folder.resolve()
    try:
        real = (real_folder / relative).resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise NotFound("no such file") from exc
    if not within(real, real_folder) or not real.is_file():
        raise NotFound("no such file")
    return real
