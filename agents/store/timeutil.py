"""Time helpers: every stored time is timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from agents.errors import InvalidInput


def now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Treat naive times as local time, convert everything to UTC."""
    if value.tzinfo is None:
        value = value.astimezone()
    return value.astimezone(UTC)


def parse_time(text: str) -> datetime:
    """Parse an ISO 8601 date or date-time; raises InvalidInput with the offending text."""
    raw = text.strip()
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00") if raw.endswith("Z") else raw)
    except ValueError:
        raise InvalidInput(f"not an ISO 8601 date or time: {text!r}") from None
    return as_utc(parsed)


def sql_time(value: datetime) -> str:
    """A timestamp literal for LanceDB filters."""
    return "timestamp '" + as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ") + "'"
