"""`alur init`: write a new workspace's files (settings, roster, bundled SOPs), never overwriting.

The templates live in ``runners/templates/``: a commented alur.toml with every
key at its default, and a roster of sample people holding every actor role of
the bundled SOPs, so a fresh workspace can start a run at once.
"""

from __future__ import annotations

from pathlib import Path

from runners.workspace import SETTINGS_FILE, SOPS_DIR, bundled_sops_dir

ROSTER_FILE = "roster.yaml"
SCHEMA_FILE = "sop.schema.json"
TEMPLATES_DIR = Path(__file__).with_name("templates")


def template(name: str) -> bytes:
    """The exact bytes of a template (``alur.toml`` or ``roster.yaml``)."""
    return (TEMPLATES_DIR / name).read_bytes()


def write_new(path: Path, content: bytes) -> bool:
    """Create ``path`` with ``content``; False (and nothing written) if it exists already."""
    try:
        with path.open("xb") as file:  # exclusive: never replaces a file, nor follows a link
            file.write(content)
    except FileExistsError:
        return False
    return True


def bundled_sop_files() -> list[Path]:
    """The bundled SOP files and their JSON Schema, in name order."""
    source = bundled_sops_dir()
    files = sorted(p for p in source.glob("*.yaml") if p.is_file())
    schema = source / SCHEMA_FILE
    return [*files, schema] if schema.is_file() else files


DEFAULT_URL_LINE = b'url = "sqlite:///alur.db"'


def settings_template(database_url: str | None) -> bytes:
    """alur.toml as written by init: the template, with ``database_url`` if one is given."""
    content = template(SETTINGS_FILE)
    if database_url is None:
        return content
    quoted = database_url.replace("\\", "\\\\").replace('"', '\\"')
    return content.replace(DEFAULT_URL_LINE, f'url = "{quoted}"'.encode(), 1)


def create_workspace(folder: Path, database_url: str | None = None) -> list[tuple[Path, bool]]:
    """Write alur.toml (naming ``database_url`` when given), roster.yaml and sops/ into
    ``folder``; each path with created or not."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    results = [(folder / SETTINGS_FILE, write_new(folder / SETTINGS_FILE,
                                                  settings_template(database_url))),
               (folder / ROSTER_FILE, write_new(folder / ROSTER_FILE, template(ROSTER_FILE)))]
    sops = folder / SOPS_DIR
    if sops.exists() and not sops.is_dir():
        return [*results, (sops, False)]
    sops.mkdir(exist_ok=True)
    for source in bundled_sop_files():
        target = sops / source.name
        results.append((target, write_new(target, source.read_bytes())))
    return results
