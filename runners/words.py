"""Words people read for the engine's vocabularies (statuses), shared by every runner."""

from __future__ import annotations

STATUS_WORDS = {"active": "aktif", "completed": "selesai", "cancelled": "dibatalkan",
                "not_reached": "belum", "skipped": "dilewati", "reopened": "dibuka ulang",
                "withdrawn": "ditarik"}


def status_word(status: str) -> str:
    """A run's or task's status as people say it (``aktif``, ``selesai``, ...)."""
    return STATUS_WORDS.get(status, status)
