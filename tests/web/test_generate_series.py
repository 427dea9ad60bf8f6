"""The generated series and their binary COPY layout, without a database: gaps, flags, rare
exceedances (after conversion to the reference O2), minutes that add up to their hour."""

from __future__ import annotations

import struct
from datetime import UTC, datetime

import numpy as np
import pytest

from ecer.core.monitoring import converted_concentration
from ecer.web.monitoring import series
from ecer.web.monitoring.bulkload import (
    POSTGRES_EPOCH_US,
    MeasurementRows,
    copy_tuples,
    sqlite_times,
)
from ecer.web.monitoring.generate import PROFILES

YEAR = 365 * 24
START_US = int(datetime(2023, 12, 31, 16, tzinfo=UTC).timestamp()) * 1_000_000  # 1 Jan, Beijing


def column(result: series.Series, code: str, kind: str) -> np.ndarray:
    return result.values[:, result.columns.index((code, kind))]


def flags(result: series.Series, code: str) -> np.ndarray:
    return result.flags[:, result.columns.index((code, "Avg"))]


def test_gap_rule_misses_three_hours_in_every_163() -> None:
    missing = series.gap_mask(5, 163 * 10)
    assert missing.sum() == 30
    assert list(np.flatnonzero(series.gap_mask(0, 10))) == [0, 1, 2]
    assert list(np.flatnonzero(series.gap_mask(3, 50))) == [40, 41, 42]  # (h + 123) % 163 < 3


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_a_year_is_mostly_valid_with_rare_exceedances(profile: str) -> None:
    factors = PROFILES[profile].factors
    result = series.hourly_series(factors, 11, START_US, YEAR, seed=3)
    assert result.values.shape == (YEAR, len(series.hourly_columns(factors)))
    assert np.isfinite(result.values).all() and (result.values >= 0).all()
    codes = [f.code for f in factors]
    every_flag = np.concatenate([flags(result, code) for code in codes])
    assert set(every_flag.tolist()) <= {b"N", b"M", b"D"}
    assert 0.98 < np.mean(every_flag == b"N") < 1.0
    o2 = next((column(result, f.code, "Avg") for f in factors if f.shape == "o2"), None)
    for factor in factors:
        avg = column(result, factor.code, "Avg")
        assert (column(result, factor.code, "Min") <= avg).all()
        assert (column(result, factor.code, "Max") >= avg).all()
        if factor.upper is None:
            continue
        valid = flags(result, factor.code) == b"N"
        judged = avg
        if factor.reference_o2 is not None:
            assert o2 is not None
            judged = np.array(
                [
                    converted_concentration(c, o, factor.reference_o2)
                    for c, o in zip(avg, o2, strict=True)
                ]
            )
        above = (judged > factor.upper) & valid
        if factor.lower is not None:
            above |= (judged < factor.lower) & valid
        assert 0 < above.sum() < 0.02 * YEAR, (profile, factor.code, above.sum())


def test_the_flow_has_the_volume_of_each_hour() -> None:
    factors = PROFILES["industrial_wastewater"].factors
    result = series.hourly_series(factors, 0, START_US, 48, seed=0)
    flow, volume = column(result, "w00000", "Avg"), column(result, "w00000", "Cou")
    assert volume == pytest.approx(flow * 3600 / 1000, abs=0.001)  # L/s over an hour, in m³


def test_minutes_average_to_their_hour_and_bound_its_min_and_max() -> None:
    factors = PROFILES["cement_kiln"].factors
    hourly = series.hourly_series(factors, 2, START_US, 200, seed=1)
    weeks = list(series.minute_series(factors, 2, hourly, seed=1))
    assert [len(w.present) for w in weeks] == [168 * 60, 32 * 60]
    minutes = np.concatenate([w.values for w in weeks])
    present = np.concatenate([w.present for w in weeks])
    assert (present == np.repeat(hourly.present, 60)).all()
    for position, factor in enumerate(factors):
        by_hour = minutes[:, 3 * position : 3 * position + 3].reshape(200, 60, 3)
        avg = column(hourly, factor.code, "Avg")
        assert by_hour[:, :, 0].mean(axis=1) == pytest.approx(avg, abs=0.002)
        assert (by_hour[:, :, 1].min(axis=1) == column(hourly, factor.code, "Min")).all()
        assert (by_hour[:, :, 2].max(axis=1) == column(hourly, factor.code, "Max")).all()


def test_the_same_seed_gives_the_same_values() -> None:
    factors = PROFILES["coal_boiler"].factors
    one = series.hourly_series(factors, 4, START_US, 500, seed=9)
    two = series.hourly_series(factors, 4, START_US, 500, seed=9)
    other = series.hourly_series(factors, 4, START_US, 500, seed=10)
    assert (one.values == two.values).all() and (one.flags == two.flags).all()
    assert not (one.values == other.values).all()


def test_binary_copy_tuples_hold_each_row_in_network_byte_order() -> None:
    factors = PROFILES["municipal_wastewater"].factors
    rows = MeasurementRows.from_series(
        42, "2061", series.hourly_series(factors, 0, START_US, 5, seed=0)
    )
    assert len(rows) == 2 * 13  # hours 0-2 are a gap; 4 factors × 3 kinds + Cou
    data = copy_tuples(rows)
    assert len(data) % len(rows) == 0
    first = data[: len(data) // len(rows)]
    fields, length, point_id, length2, micros = struct.unpack(">hiqiq", first[:26])
    assert (fields, length, point_id, length2) == (7, 8, 42, 8)
    assert micros + POSTGRES_EPOCH_US == START_US + 3 * series.HOUR_US
    rest = first[26:]
    texts = []
    for _ in range(3):
        (size,) = struct.unpack(">i", rest[:4])
        texts.append(rest[4 : 4 + size].decode())
        rest = rest[4 + size :]
    assert texts == ["2061", "w01018", "Avg"]
    (size, value) = struct.unpack(">id", rest[:12])
    assert (size, value) == (8, rows.value[0])
    assert rest[12:] == b"\x00\x00\x00\x01" + rows.flag[0]


def test_codes_of_different_lengths_are_refused() -> None:
    rows = MeasurementRows(
        1,
        "2061",
        np.array([START_US, START_US], dtype=np.int64),
        np.array([b"w01018", b"011"]),
        np.array([b"Avg", b"Avg"]),
        np.array([1.0, 2.0]),
        np.array([b"N", b"N"]),
    )
    with pytest.raises(ValueError, match="pollutant"):
        copy_tuples(rows)


def test_sqlite_times_are_naive_utc_text() -> None:
    assert sqlite_times(np.array([START_US], dtype=np.int64)) == ["2023-12-31 16:00:00"]
