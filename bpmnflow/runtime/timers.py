"""ISO 8601 timer definitions: a date, a duration from now, or a repeating cycle.

Cycles are ``R[n]/<duration>``, ``R[n]/<start>/<duration>`` or Quartz-style cron expressions
(``0 0/5 * * * ?``); the job keeps the remaining repetitions in its ``repeat`` column.
"""

from __future__ import annotations

import datetime as dt
import re

from bpmnflow.errors import EngineError
from bpmnflow.variables.dates import parse_date

_DURATION = re.compile(
    r"^(-)?P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def duration_ms(text: str) -> int:
    """An ISO 8601 duration in milliseconds (months count 30 days, years 365)."""
    match = _DURATION.match(text.strip())
    if match is None or text.strip() in ("P", "PT"):
        raise EngineError(f"Invalid duration '{text}'")
    sign = -1 if match.group(1) else 1
    y, mo, w, d, h, mi, s = (float(g) if g else 0.0 for g in match.groups()[1:])
    total = (((y * 365 + mo * 30 + w * 7 + d) * 24 + h) * 60 + mi) * 60 + s
    return sign * int(round(total * 1000))


def date_ms(text: str) -> int:
    try:
        return int(parse_date(text.strip()).timestamp() * 1000)
    except ValueError:
        raise EngineError(f"Invalid date '{text}' in timer definition") from None


def value_to_ms(value: object) -> int:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return int(value.timestamp() * 1000)
    return date_ms(str(value))


def first_due(kind: str, value: object, now_ms: int) -> tuple[int, str | None]:
    """(due date, repeat definition to keep on the job) for a timer being created now."""
    if kind == "date":
        return value_to_ms(value), None
    text = str(value).strip()
    if kind == "duration":
        if isinstance(value, dt.datetime):
            return value_to_ms(value), None
        return now_ms + duration_ms(text), None
    return _cycle_first(text, now_ms)


def _cycle_first(text: str, now_ms: int) -> tuple[int, str | None]:
    if text.startswith("R"):
        parts = text.split("/")
        count = parts[0][1:]
        if len(parts) == 2:
            due = now_ms + duration_ms(parts[1])
            return due, _repeat(count, due, parts[1])
        if len(parts) == 3:
            start = date_ms(parts[1])
            due = start
            while due < now_ms:
                due += duration_ms(parts[2])
            return due, _repeat(count, due, parts[2])
        raise EngineError(f"Invalid cycle '{text}'")
    return next_cron(text, now_ms), f"cron|{text}"


def _repeat(count: str, due: int, duration: str) -> str | None:
    if count == "":
        return f"R|-1|{duration}"
    remaining = int(count) - 1
    return f"R|{remaining}|{duration}" if remaining > 0 else None


def next_due(repeat: str, last_due: int) -> tuple[int, str | None] | None:
    """The next firing of a repeating timer after one fired, or None when it is exhausted."""
    kind, _, rest = repeat.partition("|")
    if kind == "cron":
        return next_cron(rest, last_due), repeat
    count_text, _, duration = rest.partition("|")
    count = int(count_text)
    if count == 0:
        return None
    due = last_due + duration_ms(duration)
    if count < 0:
        return due, repeat
    return due, (f"R|{count - 1}|{duration}" if count - 1 > 0 else None)


# -- Quartz cron ------------------------------------------------------------------------------
_MONTHS = {m: i for i, m in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1)}
_DAYS = {d: i for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 1)}


def _field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int] | None:
    """The values a cron field allows; None for '?' (no constraint)."""
    if text == "?":
        return None
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
        if part in ("*", ""):
            start, end = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            start, end = _num(a, names), _num(b, names)
        else:
            start = _num(part, names)
            end = high if step > 1 else start
        values.update(range(start, end + 1, step))
    if not values or min(values) < low or max(values) > high:
        raise EngineError(f"Invalid cron field '{text}'")
    return values


def _num(text: str, names: dict[str, int] | None) -> int:
    upper = text.upper()
    if names and upper in names:
        return names[upper]
    return int(text)


def next_cron(expression: str, after_ms: int) -> int:
    """The first instant strictly after ``after_ms`` matching a 6/7-field Quartz expression."""
    fields = expression.split()
    if len(fields) not in (6, 7):
        raise EngineError(f"Invalid cron expression '{expression}': expected 6 or 7 fields")
    try:
        seconds = _field(fields[0], 0, 59) or set(range(60))
        minutes = _field(fields[1], 0, 59) or set(range(60))
        hours = _field(fields[2], 0, 23) or set(range(24))
        days = _field(fields[3], 1, 31)
        months = _field(fields[4], 1, 12, _MONTHS) or set(range(1, 13))
        weekdays = _field(fields[5], 1, 7, _DAYS)
        years = _field(fields[6], 1970, 2199) if len(fields) == 7 else None
    except ValueError:
        raise EngineError(f"Invalid cron expression '{expression}'") from None
    t = dt.datetime.fromtimestamp(after_ms // 1000 + 1, dt.UTC)
    limit = t + dt.timedelta(days=366 * 5)
    while t < limit:
        if t.month not in months or (years is not None and t.year not in years):
            t = (t.replace(day=1, hour=0, minute=0, second=0) + dt.timedelta(days=32)).replace(
                day=1)
            continue
        day_ok = (days is None or t.day in days) and (
            weekdays is None or (t.isoweekday() % 7) + 1 in weekdays)
        if not day_ok:
            t = t.replace(hour=0, minute=0, second=0) + dt.timedelta(days=1)
            continue
        if t.hour not in hours:
            t = t.replace(minute=0, second=0) + dt.timedelta(hours=1)
            continue
        if t.minute not in minutes:
            t = t.replace(second=0) + dt.timedelta(minutes=1)
            continue
        if t.second not in seconds:
            t += dt.timedelta(seconds=1)
            continue
        return int(t.timestamp() * 1000)
    raise EngineError(f"Cron expression '{expression}' never fires")


def retry_delays(cycle: str | None) -> tuple[int, list[int]]:
    """(retries, delay per retry in ms) from camunda:failedJobRetryTimeCycle."""
    if not cycle:
        return 3, [0, 0, 0]
    cycle = cycle.strip()
    if cycle.startswith("R"):
        count, _, duration = cycle[1:].partition("/")
        n = int(count)
        return n, [duration_ms(duration)] * n
    delays = [duration_ms(part.strip()) for part in cycle.split(",") if part.strip()]
    return len(delays), delays
