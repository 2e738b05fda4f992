"""Shared test helpers: the CLI runner and small SOP documents."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from runners.cli import cli

REPO = Path(__file__).resolve().parent.parent
SOPS = REPO / "sops"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# A small valid SOP used as the base of the one-rule-broken tests. Line numbers
# below are relied on by tests: keep them stable.
BASE_SOP = textwrap.dedent("""\
    format: 1
    id: contoh-sop
    title: SOP Contoh
    number: 050/001/DRD
    kind: rutin
    organization:
      name: Kecamatan Contoh
    dates:
      created: 2022-12-30
      effective: 2023-01-02
    approved_by:
      position: Camat Contoh
      nip: "196801011990031003"
    actors:
      camat: {title: Camat}
      sekcam: {title: Sekretaris Kecamatan, reports_to: camat}
      staf: {title: Staf, reports_to: sekcam}
    activities:
      - id: perintah
        name: Memerintahkan penyusunan laporan
        actor: camat
        duration: 3 menit
      - id: draft
        name: Membuat draft laporan
        actor: staf
        duration: 1 jam
      - id: koreksi
        name: Mengoreksi draft laporan
        actor: [camat, sekcam]
        duration: 60 menit
        decision: Draft sudah benar?
        next: {Ya: kirim, Tidak: draft}
      - id: kirim
        name: Mengirim laporan
        actor: staf
        duration: 1 hari
    """)


def run_cli(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    """Invoke `alur` in-process and return the result (stdout and stderr apart)."""
    return CliRunner().invoke(cli, list(args), input=input, env=env, catch_exceptions=False)


@pytest.fixture
def write_sop(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write SOP text to a file in a temporary folder and return its path."""
    def write(text: str, name: str = "sop.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path
    return write
