"""Dates in Camunda's REST format: every accepted input form, output, epoch milliseconds."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bpmnflow.variables.dates import (
    format_date,
    from_epoch_ms,
    now_utc,
    parse_date,
    to_epoch_ms,
    truncate_ms,
)

NOON = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)


def test_format_is_camundas_pattern_in_utc():
    assert format_date(NOON) == "2026-01-31T12:00:00.000+0000"
    assert format_date(NOON.replace(microsecond=123456)) == "2026-01-31T12:00:00.123+0000"


def test_format_converts_other_offsets_to_utc():
    berlin = datetime(2026, 1, 31, 13, 0, tzinfo=timezone(timedelta(hours=1)))
    assert format_date(berlin) == "2026-01-31T12:00:00.000+0000"


def test_format_takes_naive_as_utc():
    assert format_date(datetime(2026, 1, 31, 12, 0)) == "2026-01-31T12:00:00.000+0000"


def test_format_pads_small_years():
    assert format_date(datetime(33, 5, 6, 7, 8, 9, tzinfo=UTC)) == "0033-05-06T07:08:09.000+0000"


@pytest.mark.parametrize(
    "text",
    [
        "2026-01-31T12:00:00.000+0000",
        "2026-01-31T12:00:00.000+00:00",
        "2026-01-31T12:00:00.000Z",
        "2026-01-31T12:00:00Z",
        "2026-01-31T12:00:00.000z",
        "2026-01-31T12:00:00.000+00",
        "2026-01-31T12:00:00.000",
        "2026-01-31T12:00:00",
        "2026-01-31T12:00",
        "2026-01-31 12:00:00.000+0000",
        "2026-01-31T13:00:00.000+0100",
        "2026-01-31T13:00:00.000+01:00",
        "2026-01-31T13:00:00.000+01",
        "2026-01-31T07:30:00.000-0430",
        "2026-01-31T07:30:00.000-04:30",
        "2026-01-31T12:00:00,000+0000",
        # a '+' that was not escaped in a URL query string arrives as a space
        "2026-01-31T13:00:00.000 0100",
    ],
)
def test_parse_every_accepted_form(text):
    parsed = parse_date(text)
    assert parsed == NOON
    assert parsed.tzinfo is UTC


def test_parse_keeps_fractions():
    assert parse_date("2026-01-31T12:00:00.5+0000").microsecond == 500000
    assert parse_date("2026-01-31T12:00:00.123+0000").microsecond == 123000
    assert parse_date("2026-01-31T12:00:00.123456789+0000").microsecond == 123456


@pytest.mark.parametrize(
    "text",
    [
        "",
        "garbage",
        "2026-01-31",
        "2026-13-01T00:00:00.000+0000",
        "2026-02-30T00:00:00.000+0000",
        "2026-01-31T25:00:00.000+0000",
        "2026-01-31T12:00:60.000+0000",
        "2026-01-31T12:00:00.000+2500",
        "2026-01-31X12:00:00.000+0000",
        "20260131T120000",
        "2026-W05-6T12:00:00",
        "2026-01-31T12:00:00.000+0000 trailing",
        "２０２６-01-31T12:00:00.000+0000",
        "2026-01-31T12:00:00.000+00000",
        "1700000000000",
    ],
)
def test_parse_rejects_garbage_with_a_clear_message(text):
    with pytest.raises(ValueError, match="Cannot parse date .*yyyy-MM-dd'T'HH:mm:ss.SSSZ"):
        parse_date(text)


def test_parse_rejects_non_strings():
    with pytest.raises(ValueError):
        parse_date(None)  # type: ignore[arg-type]


def test_now_utc_is_aware_and_whole_milliseconds():
    now = now_utc()
    assert now.tzinfo is UTC
    assert now.microsecond % 1000 == 0


def test_truncate_ms():
    assert truncate_ms(NOON.replace(microsecond=123999)).microsecond == 123000
    assert truncate_ms(NOON) is NOON


def test_epoch_ms():
    assert to_epoch_ms(datetime(1970, 1, 1, tzinfo=UTC)) == 0
    assert to_epoch_ms(NOON) == 1769860800000
    assert to_epoch_ms(datetime(1969, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)) == -1
    assert from_epoch_ms(1769860800000) == NOON


aware_ms = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
).map(truncate_ms)


@given(aware_ms)
def test_format_then_parse_is_identity(moment):
    assert parse_date(format_date(moment)) == moment


@given(aware_ms)
def test_epoch_ms_round_trip(moment):
    assert from_epoch_ms(to_epoch_ms(moment)) == moment


@given(
    aware_ms,
    st.integers(min_value=-23 * 60, max_value=23 * 60).map(lambda m: timedelta(minutes=m)),
)
def test_any_offset_means_the_same_instant(moment, offset):
    local = moment.astimezone(timezone(offset))
    text = local.isoformat(timespec="milliseconds")
    assert parse_date(text) == moment
    assert parse_date(text[:-3] + text[-2:]) == moment  # +hhmm form
