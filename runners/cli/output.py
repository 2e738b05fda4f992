"""Files the commands write (-o/--output): never one of the workspace's own, never an
existing one without --force, and a clear line for what the disk or the folder refuses.

A new file is created exclusively (a file that appears meanwhile is not replaced);
with --force an existing regular file is replaced atomically (a temporary file
beside it, then a rename), so a full disk never leaves half of it. Devices and
pipes (``/dev/stdout``, a FIFO) are written as they are.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any

from engine.errors import AlurError
from engine.text import Text

REASONS = {
    errno.ENOSPC: Text("the disk is full (no space left on the device)"),
    errno.EDQUOT: Text("the disk quota is used up"),
    errno.EACCES: Text("permission denied"),
    errno.EPERM: Text("permission denied"),
    errno.EROFS: Text("the file system is read-only"),
    errno.ENOENT: Text("no such file or folder"),
    errno.ENOTDIR: Text("a part of the path is not a folder"),
    errno.EISDIR: Text("it is a folder"),
    errno.EEXIST: Text("it exists already"),
    errno.ENAMETOOLONG: Text("the name is too long"),
    errno.ETXTBSY: Text("the file is in use"),
    errno.EFBIG: Text("the file would be too large"),
}
WHAT = {"settings file": Text("settings file"), "roster": Text("roster"),
        "database": Text("database")}


class OutputRefused(AlurError, ValueError):
    """A file named for output must not, or cannot, be written."""


def exists_already(path: Path) -> Text:
    """The message for an output file that exists already."""
    return Text("{path} exists already; give --force to replace it, or choose another file",
                path=path)


def os_problem(exc: OSError, doing: Any = None) -> Text | None:
    """One line for an ordinary OSError (disk full, no permission, ...), after what was
    being done (a message) or else the file; None for others."""
    reason = REASONS.get(exc.errno or 0)
    if reason is None:
        return None
    what = doing or (f"{exc.filename}" if exc.filename else "")
    return Text("{what}: {reason}", what=what, reason=reason) if what else reason


def _kept(workspace: Path, db_option: str | None) -> tuple[dict[Path, Text], list[Path]]:
    """The workspace's own files (path -> what it is) and its folder of SOP files."""
    from runners.app import ROSTER_FILE
    from runners.settings import DATABASE_ENV, default_database_url, load_settings
    from runners.workspace import SETTINGS_FILE, SOPS_DIR

    kept = {workspace / SETTINGS_FILE: WHAT["settings file"],
            workspace / ROSTER_FILE: WHAT["roster"]}
    url = db_option or os.environ.get(DATABASE_ENV)
    try:
        url = url or load_settings(workspace).database_url
        from storage.location import target

        database = target(url).file
    except AlurError:  # a broken alur.toml or URL: the default database is still kept
        database = Path(default_database_url(workspace).removeprefix("sqlite:///"))
    if database is not None:
        from storage.location import LOCK_SUFFIX

        for suffix in ("", "-wal", "-shm", "-journal", LOCK_SUFFIX):
            kept[Path(f"{database}{suffix}")] = WHAT["database"]
    return kept, [workspace / SOPS_DIR]


def _same(path: Path, other: Path) -> bool:
    if path.resolve() == other.resolve():
        return True
    try:
        return os.path.samefile(path, other)  # a hard link, or another name for the file
    except OSError:
        return False


def _home_of(path: Path) -> Path | None:
    """The workspace a file would be written into (the nearest folder upward holding
    alur.toml), if any."""
    from runners.workspace import SETTINGS_FILE

    for folder in path.absolute().parents:
        if (folder / SETTINGS_FILE).is_file():
            return folder
    return None


def check_output(path: Path, workspace: Path, db_option: str | None, force: bool) -> None:
    """Refuse, with one clear line, a file that must not or cannot be written: one of the
    workspace's own files (even with ``force``; the files of the workspace the file would
    land in, too), an existing file (without ``force``), a file in a folder that does not
    exist."""
    homes = {workspace.resolve(): db_option}
    home = _home_of(path)
    if home is not None:
        homes.setdefault(home.resolve(), None)
    resolved = path.resolve()
    for folder, database in homes.items():
        kept, sops = _kept(folder, database)
        for file, what in kept.items():
            if _same(path, file) and path.name != file.name:
                raise OutputRefused(Text(
                    "{path} is the workspace's {what} ({name}); Alur never writes over it, "
                    "not even with --force: choose another file", path=path, what=what,
                    name=file.name))
            if _same(path, file):
                raise OutputRefused(Text(
                    "{path} is the workspace's {what}; Alur never writes over it, not even "
                    "with --force: choose another file", path=path, what=what))
        for sop_folder in sops:
            if resolved.is_relative_to(sop_folder.resolve()):
                raise OutputRefused(Text(
                    "{path} is in the workspace's {folder}/ folder, which holds the SOP "
                    "files; Alur never writes there: choose another file", path=path,
                    folder=sop_folder.name))
    parent = path.absolute().parent
    if not parent.exists():
        raise OutputRefused(Text("cannot write {path}: the folder {parent} does not exist",
                                 path=path, parent=parent))
    if not parent.is_dir():
        raise OutputRefused(Text("cannot write {path}: {parent} is not a folder", path=path,
                                 parent=parent))
    if path.is_dir():
        raise OutputRefused(Text("cannot write {path}: it is a folder; name a file",
                                 path=path))
    if (path.is_file() or (path.is_symlink() and not path.exists())) and not force:
        raise OutputRefused(exists_already(path))


def write_file(path: Path, data: bytes, force: bool) -> None:
    """Write ``data`` to ``path`` as the module says; OutputRefused for what the system
    refuses (disk full, permission, ...)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        mode = None
    try:
        if mode is not None and not stat.S_ISREG(mode):  # a device or a pipe
            with path.open("wb") as file:
                file.write(data)
        elif mode is not None:
            if not force:
                raise OutputRefused(exists_already(path))
            if not os.access(path, os.W_OK):  # replaced by a rename, it would go anyway
                raise OutputRefused(Text("cannot write {path}: {reason} (the file is "
                                         "read-only)", path=path, reason=REASONS[errno.EACCES]))
            _replace(path.resolve(), data, mode)
        else:
            _create(path, data)
    except FileExistsError:
        raise OutputRefused(Text("{path} exists already (it appeared while Alur was "
                                 "working); give --force to replace it, or choose another "
                                 "file", path=path)) from None
    except OSError as exc:
        problem = os_problem(exc, Text("cannot write {path}", path=path))
        if problem is None:
            raise
        raise OutputRefused(problem) from None


def _create(path: Path, data: bytes) -> None:
    file = path.open("xb")  # exclusive: a file that appeared meanwhile is not replaced
    try:
        with file:
            file.write(data)
    except BaseException:  # a full disk: no half file is left behind
        path.unlink(missing_ok=True)
        raise


def _replace(path: Path, data: bytes, mode: int) -> None:
    import tempfile

    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(name, stat.S_IMODE(mode))
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
