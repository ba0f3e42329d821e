"""Privacy in one place: detect sensitive values by kind, seal them into the vault's
references, redact what leaves. Pure functions: nothing here imports the store."""

from agents.privacy.detect import MASKED_REFERENCE, Finding, detect, high_values, iter_high
from agents.privacy.kinds import KINDS, Kind, is_high, kind, label
from agents.privacy.redact import LogFilter, Redactor, sealed
from agents.privacy.seal import (
    SEALED_MARK,
    masked,
    masked_line,
    seal_text,
    seal_values,
    strings_of,
)

__all__ = [
    "KINDS",
    "MASKED_REFERENCE",
    "SEALED_MARK",
    "Finding",
    "Kind",
    "LogFilter",
    "Redactor",
    "detect",
    "high_values",
    "is_high",
    "iter_high",
    "kind",
    "label",
    "masked",
    "masked_line",
    "seal_text",
    "seal_values",
    "sealed",
    "strings_of",
]
