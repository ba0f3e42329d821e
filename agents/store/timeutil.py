"""Time helpers: every stored time is timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from agents.errors import InvalidInput

# Times outside these years are refused where they come in: at the edges of the
# calendar a shift to UTC or a day's arithmetic would overflow.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Treat naive times as local time, convert everything to UTC."""
    if value.tzinfo is None:
        value = value.astimezone()
    return value.astimezone(UTC)


def checked_utc(value: datetime) -> datetime:
    """``value`` in UTC; raises ValueError when it lies outside FIRST_YEAR..LAST_YEAR."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"{value.isoformat()} is out of range (years {FIRST_YEAR}-{LAST_YEAR})")
    try:
        utc = as_utc(value)
    except OverflowError:
        raise ValueError(f"{value.isoformat()} is out of range") from None
    if not FIRST_YEAR <= utc.year <= LAST_YEAR:  # 1900-01-01T00:00+05:00 is 1899 in UTC
        raise ValueError(
            f"{value.isoformat()} is out of range (years {FIRST_YEAR}-{LAST_YEAR} in UTC)"
        )
    return utc


def parse_time(text: str) -> datetime:
    """Parse an ISO 8601 date or date-time; raises InvalidInput with the offending text."""
    raw = text.strip()
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00") if raw.endswith("Z") else raw)
        return checked_utc(parsed)
    except ValueError as exc:
        if "out of range" in str(exc):
            raise InvalidInput(f"{text.strip()!r} is out of range") from None
        raise InvalidInput(f"not an ISO 8601 date or time: {text!r}") from None


def sql_time(value: datetime) -> str:
    """A timestamp literal for LanceDB filters."""
    return "timestamp '" + as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ") + "'"
