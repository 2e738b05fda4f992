"""What a service run is about: its `case:` fields checked and kept, private ones masked and
hashed, and its register number.

A field's value is checked against its declaration (a NIK is 16 digits whose
date part is a real date, a phone number is Indonesian, a choice is one of its
choices). A private field is kept in the run's own row only: its audit event
carries ``sha256:`` of a per-field salt and the value, so the hash chain still
covers it without spreading the NIK through the trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from engine.errors import AlurError, did_you_mean
from engine.spec import CaseField, SopSpec
from engine.text import Text

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_PHONE = re.compile(r"(\+62|62|0)\d{8,13}")
_NUMBER = re.compile(r"-?\d+([.,]\d+)?")


class FieldError(AlurError, ValueError):
    """A case field is missing, unknown or not of its kind (``key`` names it)."""

    def __init__(self, sop_id: str, key: str, message: str) -> None:
        self.sop_id = sop_id
        self.key = key
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class RunField:
    """One field of a run as stored: its value, whether it is private, the salt of its hash."""

    key: str
    value: str
    private: bool = False
    salt: str | None = None

    @property
    def digest(self) -> str:
        """What the audit trail keeps of it: the value, or for a private one its hash."""
        if not self.private:
            return self.value
        return "sha256:" + hashlib.sha256(f"{self.salt}:{self.value}".encode()).hexdigest()


def _nik(value: str) -> str | None:
    """The NIK without spaces or dots if it is one: 16 digits, DDMMYY of birth (women +40)."""
    digits = re.sub(r"[\s.]", "", value)
    if not re.fullmatch(r"\d{16}", digits):
        return None
    day, month = int(digits[6:8]), int(digits[8:10])
    day -= 40 if day > 40 else 0
    try:
        dt.date(2000, month, day)
    except ValueError:
        return None
    return digits if digits[12:] != "0000" else None


def check_value(spec: SopSpec, field: CaseField, raw: str) -> str:
    """The value of ``field`` as kept, or FieldError saying what would be accepted."""
    value = raw.strip()
    where = Text("field `{key}` ({label})", key=field.key, label=field.label)
    if not value:
        raise FieldError(spec.id, field.key, Text("{field} is empty", field=where))
    if field.kind == "nik":
        nik = _nik(value)
        if nik is None:
            raise FieldError(spec.id, field.key, Text(
                "{field} must be a NIK: 16 digits whose 7th to 12th give a real date of birth, "
                "not `{value}`", field=where, value=value))
        return nik
    if field.kind == "phone":
        digits = re.sub(r"[\s().-]", "", value)
        if not _PHONE.fullmatch(digits):
            raise FieldError(spec.id, field.key, Text(
                "{field} must be a phone number such as 0812-3456-7890 or +62 812 3456 7890, "
                "not `{value}`", field=where, value=value))
        return digits
    if field.kind == "date":
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            raise FieldError(spec.id, field.key, Text(
                "{field} must be a date written YYYY-MM-DD (like 2026-01-05), not `{value}`",
                field=where, value=value)) from None
    if field.kind == "number":
        if not _NUMBER.fullmatch(value):
            raise FieldError(spec.id, field.key, Text("{field} must be a number, not `{value}`",
                                                      field=where, value=value))
        return value
    if field.kind == "choice":
        chosen = next((c for c in field.choices if c.casefold() == value.casefold()), None)
        if chosen is None:
            raise FieldError(spec.id, field.key, Text(
                "{field} must be one of: {choices}; not `{value}`", field=where,
                choices=", ".join(field.choices), value=value))
        return chosen
    return value


def check_fields(spec: SopSpec, given: Mapping[str, str]) -> list[RunField]:
    """The run's fields from KEY=VALUE pairs, checked against the SOP's `case:` (every problem
    is a FieldError naming the field)."""
    declared = {f.key: f for f in spec.case}
    for key in given:
        if key not in declared:
            from engine.checker import suggest

            known = ", ".join(declared) or Text("none")
            hint = did_you_mean(suggest(key, list(declared)))
            raise FieldError(spec.id, key, Text("SOP `{sop}` has no case field `{key}`{hint} "
                                                "(its fields: {known})", sop=spec.id, key=key,
                                                hint=hint, known=known))
    fields = []
    for field in spec.case:
        if field.key not in given:
            if field.required:
                raise FieldError(spec.id, field.key, Text(
                    "field `{key}` ({label}) is required to start a run of `{sop}`",
                    key=field.key, label=field.label, sop=spec.id))
            continue
        value = check_value(spec, field, given[field.key])
        salt = secrets.token_hex(16) if field.private else None
        fields.append(RunField(field.key, value, field.private, salt))
    return fields


def mask(value: str) -> str:
    """A private value as others see it: ``3214********0001``."""
    if len(value) <= 4:
        return "*" * len(value)
    keep = 4 if len(value) >= 12 else 2
    return value[:keep] + "*" * (len(value) - 2 * keep) + value[-keep:]


def title_of(spec: SopSpec, fields: Sequence[RunField]) -> str | None:
    """What a run is about in one line: its first field that is text and not private."""
    values = {f.key: f for f in fields}
    for field in spec.case:
        if field.kind == "text" and not field.private and field.key in values:
            return values[field.key].value
    return None


def register_number(pattern: str, seq: int, day: dt.date, unit: str) -> str:
    """The register number of the ``seq``-th run of the year: ``0007/SKTM/XII/2026``."""

    def fill(match: re.Match[str]) -> str:
        name = match[1]
        if name.startswith("seq"):
            width = name.partition(":")[2]
            return str(seq).zfill(int(width)) if width else str(seq)
        return {"year": str(day.year), "month": f"{day.month:02d}",
                "month_roman": ROMAN[day.month - 1], "unit": unit}[name]

    return re.sub(r"\{([^{}]*)\}", fill, pattern)
