"""Synthetic measurement series of generated monitoring points: numpy arrays, no database.

One point's hourly data (CN=2061) are built at once for the whole range as a matrix — one row
per hour, one column per (pollutant, kind) — and its minute data (CN=2051) a week at a time;
nothing loops over rows in Python. Every value is drawn from a generator seeded with
(seed, point index, stream), so a point's data depend on the seed, its index and the hours
only: the same arguments give the same rows, however many points are generated with it.

What the data look like, per factor (``FactorSpec``):

- a level drawn per point (for a factor with an upper limit, a share of the limit: the
  converted concentration at the mean O2 when the limit has a reference O2), a daily cycle
  (Beijing hours), a slow wave over days and noise;
- gaps: whole hours missing, by the fixed rule of :func:`gap_mask` (about 1.8 % of hours);
- flags: ``M`` (maintenance: every factor of the hour but the flow) and ``D`` (instrument
  fault: one factor, with an erratic value) on a few random hours, ``N`` otherwise;
- exceedances: rare episodes of one to three hours above the limit (pH below or above its
  range), more than the limit even after conversion to the reference O2;
- Min/Max around each Avg, and for the flow the hour's volume (``Cou``);
- minute data: sixty values per hour that average to the hour's Avg; the hour's Min/Max
  are then the extremes of its minutes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from ecer.core import monitoring as core

HOUR_US = 3_600_000_000
MINUTE_US = 60_000_000
MINUTES_PER_HOUR = 60

# Gap rule: point i misses hour h (counted from the range's first hour) when
# (h + GAP_STRIDE * i) mod GAP_PERIOD < GAP_HOURS: a three-hour outage every 163 hours (a
# prime, so outages wander through the hours of the day and the days of the week), at a
# different time for each point.
GAP_PERIOD = 163
GAP_HOURS = 3
GAP_STRIDE = 41

MAINTENANCE_SHARE = 0.003  # hours flagged M (every factor of the point but the flow)
FAULT_SHARE = 0.002  # hours flagged D, per factor
EXCEEDANCE_START_SHARE = 0.0008  # hours starting an exceedance episode, per limited factor
EXCEEDANCE_MAX_HOURS = 3
LEVEL_SHARE_OF_LIMIT = (0.25, 0.65)  # mean converted concentration / upper limit
O2_SPREAD = 2.5  # O2 stays within its mean ± this [%]
MINUTE_CHUNK_HOURS = 7 * 24  # minute data are built a week at a time
DECIMALS = 3

# Streams of the random generator, one per kind of draw.
HOURLY_STREAM = 1
MINUTE_STREAM = 2

Shape = Literal["concentration", "ph", "o2", "flow"]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class FactorSpec:
    """One factor of a generated point.

    code: HJ 212-2017 code (``ecer.hj212.pollutants``). unit: Its unit (HJ 212-2017 Annex B).
    shape: ``concentration`` (varies by ratios; level from its upper limit), ``ph`` and
        ``o2`` (vary by amounts), ``flow`` (varies by ratios; has a Cou).
    level: (low, high) of the mean Avg, drawn per point [unit]; for a concentration with an
        upper limit, None (the level is a share of the limit).
    upper, lower: Emission limits [unit]; reference_o2: the O2 [%] the upper limit is at.
    """

    code: str
    unit: str
    shape: Shape
    level: tuple[float, float] | None = None
    upper: float | None = None
    lower: float | None = None
    reference_o2: float | None = None

    @property
    def kinds(self) -> tuple[str, ...]:
        """The value kinds of its hourly data: Avg/Min/Max, and Cou for a flow."""
        return ("Avg", "Min", "Max", "Cou") if self.shape == "flow" else ("Avg", "Min", "Max")


@dataclass(frozen=True)
class Series:
    """Values of one data command of one point at equally spaced data times.

    start_us: First data time [µs since 1970-01-01 UTC]; step_us: spacing [µs].
    present: Per data time, whether the point sent it (False in a gap).
    columns: (pollutant, kind) of each column; values, flags: [time, column].
    """

    start_us: int
    step_us: int
    present: BoolArray
    columns: tuple[tuple[str, str], ...]
    values: FloatArray
    flags: npt.NDArray[np.bytes_]

    @property
    def row_count(self) -> int:
        """Measurements this series stores: present times × columns."""
        return int(self.present.sum()) * len(self.columns)


def gap_mask(point_index: int, hours: int) -> BoolArray:
    """True for the hours (counted from the range's first hour) point ``point_index`` misses."""
    hour = np.arange(hours, dtype=np.int64)
    missing: BoolArray = (hour + GAP_STRIDE * point_index) % GAP_PERIOD < GAP_HOURS
    return missing


def hourly_columns(factors: tuple[FactorSpec, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((f.code, kind) for f in factors for kind in f.kinds)


def minute_columns(factors: tuple[FactorSpec, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((f.code, kind) for f in factors for kind in ("Avg", "Min", "Max"))


def _conversion(o2_percent: float, reference_o2: float | None) -> float:
    """Converted / measured concentration at this O2 (1 without a reference O2)."""
    if reference_o2 is None:
        return 1.0
    return core.converted_concentration(1.0, o2_percent, reference_o2)


def _episodes(rng: np.random.Generator, hours: int) -> BoolArray:
    """Hours inside rare episodes of 1 to EXCEEDANCE_MAX_HOURS hours."""
    starts = rng.random(hours) < EXCEEDANCE_START_SHARE
    lengths = rng.integers(1, EXCEEDANCE_MAX_HOURS + 1, hours)
    inside = np.zeros(hours, dtype=np.bool_)
    for offset in range(EXCEEDANCE_MAX_HOURS):
        started = starts & (lengths > offset)
        inside[offset:] |= started[: hours - offset]
    return inside


def _wave(rng: np.random.Generator, hours: int, daily: float, slow: float) -> FloatArray:
    """A daily cycle (peak at a random Beijing hour) plus a wave of 2.5 to 8 days."""
    hour = np.arange(hours, dtype=np.float64)  # the range starts at a Beijing midnight
    peak = rng.uniform(0.0, 24.0)
    period = rng.uniform(60.0, 200.0)
    phase = rng.uniform(0.0, 2 * np.pi)
    return np.asarray(
        daily * rng.uniform(0.3, 1.0) * np.sin(2 * np.pi * (hour - peak + 6.0) / 24.0)
        + slow * rng.uniform(0.3, 1.0) * np.sin(2 * np.pi * hour / period + phase),
        dtype=np.float64,
    )


@dataclass(frozen=True)
class _Averages:
    avg: dict[str, FloatArray]
    flags: dict[str, npt.NDArray[np.bytes_]]
    o2_bounds: tuple[float, float] | None


def _averages(rng: np.random.Generator, factors: tuple[FactorSpec, ...], hours: int) -> _Averages:
    """Hourly Avg of every factor, with the flags; O2 first (the others are converted by it)."""
    maintenance = rng.random(hours) < MAINTENANCE_SHARE
    o2_mean, o2_bounds = 0.0, None
    ordered = sorted(factors, key=lambda f: f.shape != "o2")
    avg: dict[str, FloatArray] = {}
    flags: dict[str, npt.NDArray[np.bytes_]] = {}
    for factor in ordered:
        if factor.shape == "o2":
            assert factor.level is not None
            o2_mean = rng.uniform(*factor.level)
            o2_bounds = (max(o2_mean - O2_SPREAD, 1.0), min(o2_mean + O2_SPREAD, 19.5))
            values = o2_mean + 3 * _wave(rng, hours, 0.25, 0.4) + rng.normal(0, 0.25, hours)
            values = np.clip(values, *o2_bounds)
        elif factor.shape == "ph":
            assert factor.level is not None
            mean = rng.uniform(*factor.level)
            values = mean + _wave(rng, hours, 0.2, 0.15) + rng.normal(0, 0.05, hours)
        else:
            if factor.level is not None:
                mean = rng.uniform(*factor.level)
            else:
                assert factor.upper is not None
                # Level: a share of the limit, as a converted concentration at the mean O2.
                share = rng.uniform(*LEVEL_SHARE_OF_LIMIT)
                mean = share * factor.upper / _conversion(o2_mean, factor.reference_o2)
            sigma = rng.uniform(0.03, 0.1)
            noise = np.exp(rng.normal(-sigma * sigma / 2, sigma, hours))
            values = mean * (1.0 + _wave(rng, hours, 0.2, 0.1)) * noise
        values = _exceed(rng, factor, np.asarray(values, dtype=np.float64), o2_bounds)
        flag = np.full(hours, b"N", dtype="S1")
        if factor.shape != "flow":
            flag[maintenance] = b"M"
        fault = rng.random(hours) < FAULT_SHARE
        flag[fault] = b"D"
        # A faulty analyser reports erratic values.
        values = np.where(fault, values * rng.uniform(0.2, 2.5, hours), values)
        if factor.shape == "o2":
            values = np.clip(values, 0.0, 20.9)
        elif factor.shape == "ph":
            values = np.clip(values, 0.0, 14.0)
        avg[factor.code] = np.round(np.maximum(values, 0.0), DECIMALS)
        flags[factor.code] = flag
    return _Averages(avg, flags, o2_bounds)


def _exceed(
    rng: np.random.Generator,
    factor: FactorSpec,
    values: FloatArray,
    o2_bounds: tuple[float, float] | None,
) -> FloatArray:
    """Values in rare episodes set beyond the limit (after conversion, at any O2 allowed)."""
    hours = len(values)
    inside = _episodes(rng, hours)
    if factor.shape == "ph" and factor.upper is not None and factor.lower is not None:
        high = rng.random(hours) < 0.5
        off = rng.uniform(0.1, 0.8, hours)
        beyond = np.where(high, factor.upper + off, factor.lower - off)
        return np.where(inside, beyond, values)
    if factor.shape != "concentration" or factor.upper is None:
        return values
    # Converted = measured × conversion(O2), which is smallest at the lowest O2 allowed.
    lowest = _conversion(o2_bounds[0], factor.reference_o2) if o2_bounds else 1.0
    beyond = factor.upper * rng.uniform(1.05, 1.8, hours) / lowest
    return np.where(inside, beyond, values)


def _spread(
    rng: np.random.Generator, factor: FactorSpec, avg: FloatArray, size: float
) -> tuple[FloatArray, FloatArray]:
    """Min and Max around the Avg: by ratios, or by amounts for pH and O2."""
    below = rng.uniform(0.0, size, avg.shape)
    above = rng.uniform(0.0, size, avg.shape)
    if factor.shape in ("ph", "o2"):
        scale = 1.5 if factor.shape == "o2" else 1.0
        low, high = avg - scale * below, avg + scale * above
        upper = 20.9 if factor.shape == "o2" else 14.0
        return np.maximum(low, 0.0), np.minimum(high, upper)
    return avg * (1.0 - below), avg * (1.0 + 1.5 * above)


def hourly_series(
    factors: tuple[FactorSpec, ...], point_index: int, start_us: int, hours: int, seed: int
) -> Series:
    """The hourly data (CN=2061) of a point over ``hours`` hours from ``start_us``.

    start_us: A Beijing midnight [µs since 1970-01-01 UTC] (the daily cycle counts from it).
    """
    rng = np.random.default_rng([seed, point_index, HOURLY_STREAM])
    averages = _averages(rng, factors, hours)
    columns = hourly_columns(factors)
    values = np.empty((hours, len(columns)), dtype=np.float64)
    flags = np.empty((hours, len(columns)), dtype="S1")
    column = 0
    for factor in factors:
        avg = averages.avg[factor.code]
        low, high = _spread(rng, factor, avg, 0.2)
        parts = [avg, np.round(low, DECIMALS), np.round(high, DECIMALS)]
        if factor.shape == "flow":
            # The hour's volume [m³] at the mean flow (HJ 212-2017 Annex B: Cou of a flow).
            parts.append(np.round(avg * core.volume_m3(1.0, factor.unit, 3600.0), DECIMALS))
        for part in parts:
            values[:, column] = part
            flags[:, column] = averages.flags[factor.code]
            column += 1
    present = ~gap_mask(point_index, hours)
    return Series(start_us, HOUR_US, present, columns, values, flags)


def minute_series(
    factors: tuple[FactorSpec, ...], point_index: int, hourly: Series, seed: int
) -> Iterator[Series]:
    """The minute data (CN=2051) of a point, a week at a time, from its hourly data.

    Sixty values per hour whose mean is the hour's Avg (before rounding), with the hour's
    flags and gaps. Before yielding a week, the hours' Min and Max in ``hourly`` are set to
    the extremes of their minutes: write the hourly rows after the minute rows.
    """
    hours = len(hourly.present)
    hourly_index = {column: i for i, column in enumerate(hourly.columns)}
    columns = minute_columns(factors)
    for chunk, first in enumerate(range(0, hours, MINUTE_CHUNK_HOURS)):
        last = min(first + MINUTE_CHUNK_HOURS, hours)
        count = last - first
        rng = np.random.default_rng([seed, point_index, MINUTE_STREAM, chunk])
        values = np.empty((count, MINUTES_PER_HOUR, len(columns)), dtype=np.float64)
        flags = np.empty((count, MINUTES_PER_HOUR, len(columns)), dtype="S1")
        for position, factor in enumerate(factors):
            avg_column = hourly_index[factor.code, "Avg"]
            avg = hourly.values[first:last, avg_column][:, None]
            noise = rng.normal(0.0, 1.0, (count, MINUTES_PER_HOUR))
            noise -= noise.mean(axis=1, keepdims=True)  # the minutes average to the hour
            if factor.shape in ("ph", "o2"):
                minute_avg = avg + 0.03 * noise
            else:
                minute_avg = avg * (1.0 + 0.04 * noise)
            minute_avg = np.round(np.maximum(minute_avg, 0.0), DECIMALS)
            low, high = _spread(rng, factor, minute_avg, 0.03)
            low, high = np.round(low, DECIMALS), np.round(high, DECIMALS)
            hourly.values[first:last, hourly_index[factor.code, "Min"]] = low.min(axis=1)
            hourly.values[first:last, hourly_index[factor.code, "Max"]] = high.max(axis=1)
            flag = hourly.flags[first:last, avg_column][:, None]
            for offset, part in enumerate((minute_avg, low, high)):
                values[:, :, 3 * position + offset] = part
                flags[:, :, 3 * position + offset] = flag
        yield Series(
            hourly.start_us + first * HOUR_US,
            MINUTE_US,
            np.repeat(hourly.present[first:last], MINUTES_PER_HOUR),
            columns,
            values.reshape(count * MINUTES_PER_HOUR, len(columns)),
            flags.reshape(count * MINUTES_PER_HOUR, len(columns)),
        )
