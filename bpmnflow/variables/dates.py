"""Dates in Camunda's REST format, `yyyy-MM-dd'T'HH:mm:ss.SSSZ` (`2026-01-31T12:00:00.000+0000`).

Every date the engine writes goes out through `format_date`, and every date a client sends
comes in through `parse_date`, so both sit on the hot path of nearly every response.
They avoid `strptime`/`strftime` (slow, locale-aware) and lean on the C implementations
of `datetime.isoformat` and `datetime.fromisoformat`. `fromisoformat` alone is too
lenient (it takes week dates, basic format and any separator), so input is checked
against a strict shape first.

Camunda itself writes dates in the JVM's time zone; we always write UTC (`+0000`), which
every Camunda client reads the same way. A Java `Date` has millisecond precision, so
`format_date` writes milliseconds and `truncate_ms` drops what a `Date` cannot hold.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

__all__ = [
    "format_date",
    "from_epoch_ms",
    "now_utc",
    "parse_date",
    "to_epoch_ms",
    "truncate_ms",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)

# Accepted: date 'T' or ' ' time, seconds and fraction optional, then an optional offset:
# Z, +hh:mm, +hhmm, +hh, or " hhmm" -- a '+' that a client forgot to escape in a URL
# arrives as a space, and refusing such a date would only puzzle the user.
_DATE_RE = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[T ]"
    r"(?P<time>[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]{1,9})?)?)"
    r"(?:(?P<z>[Zz])|(?P<sign>[-+ ])(?P<hh>[0-9]{2})(?::?(?P<mm>[0-9]{2}))?)?",
    re.ASCII,
)


def now_utc() -> datetime:
    """The current instant, UTC, cut to milliseconds so it survives a round trip unchanged."""
    return truncate_ms(datetime.now(UTC))


def truncate_ms(dt: datetime) -> datetime:
    """Drop the microseconds a Java `Date` cannot hold, so stored and sent values agree."""
    extra = dt.microsecond % 1000
    return dt.replace(microsecond=dt.microsecond - extra) if extra else dt


def format_date(dt: datetime) -> str:
    """Write `dt` as Camunda does, in UTC: `2026-01-31T12:00:00.000+0000`.

    A naive datetime is taken to be UTC already (the engine only makes aware ones).
    """
    if dt.tzinfo is not None and dt.tzinfo is not UTC:
        dt = dt.astimezone(UTC)
    # isoformat is C code; its "+00:00" tail (or none, for a naive value) is replaced.
    text = dt.isoformat(timespec="milliseconds")
    return (text[:-6] if dt.tzinfo is not None else text) + "+0000"


def parse_date(text: str) -> datetime:
    """Read a date a client sent; the result is aware and in UTC.

    Accepts Camunda's own format and the ISO 8601 forms clients actually send: offsets
    `+0000`, `+00:00`, `+00`, `Z`, any other offset, or none (then UTC is meant).
    Seconds and the fraction may be left out; a fraction keeps up to microseconds.
    """
    if (
        type(text) is str
        and len(text) == 28
        and text[10] == "T"
        and text[19] == "."
        and text[23] in "+-"
        and text.isascii()
        and text[24:].isdigit()
    ):
        # The canonical shape (what Camunda clients send); fromisoformat checks the digits.
        try:
            return _to_utc(datetime.fromisoformat(text))
        except ValueError:
            pass
    return _parse_general(text)


def _parse_general(text: str) -> datetime:
    match = _DATE_RE.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(_bad_date(text))
    iso = f"{match['date']}T{match['time'].replace(',', '.')}"
    if match["sign"]:
        sign = "-" if match["sign"] == "-" else "+"
        iso += f"{sign}{match['hh']}:{match['mm'] or '00'}"
    try:
        return _to_utc(datetime.fromisoformat(iso))
    except ValueError as exc:  # e.g. month 13, hour 25, offset beyond 24h
        raise ValueError(_bad_date(text)) from exc


def _to_utc(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    if dt.tzinfo is UTC:
        return dt
    return dt.astimezone(UTC)


def _bad_date(text: object) -> str:
    return (
        f"Cannot parse date '{text}': expected yyyy-MM-dd'T'HH:mm:ss.SSSZ,"
        " e.g. 2026-01-31T12:00:00.000+0000"
    )


def to_epoch_ms(dt: datetime) -> int:
    """Milliseconds since 1970-01-01 UTC: how a Date is stored and compared in SQL."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    # Integer arithmetic on the timedelta: float timestamps lose milliseconds far from 1970.
    return (dt - _EPOCH) // _MS


def from_epoch_ms(ms: int) -> datetime:
    """The aware UTC datetime of a stored millisecond count (exact inverse of to_epoch_ms)."""
    return _EPOCH + timedelta(milliseconds=ms)
