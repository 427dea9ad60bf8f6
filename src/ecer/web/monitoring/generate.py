"""Generated monitoring points (生成数据) and the loading of their measurements, at scale.

Points get MNs ``ECERGEN`` + a 17-digit index (``ECERGEN00000000000000001`` …): a prefix no
data logger and no demo point (``ECERDEMO…``) uses, so the generated points — and through
them their limits and measurements — are found again and replaced by the next run, and
nothing else is. Each point follows an emission profile (:data:`PROFILES`): its medium, its
factors with the limits of a real emission standard, and the typical levels of the factors
without limits. Their hourly and minute data come from ``series`` and are written by
``bulkload``.

The calls into the measurement partitions and rollups (written on main for issue #10) are
the merge hooks at the end of this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from django.db import transaction

from ecer.hj212 import pollutants as catalogue
from ecer.web.catalog.models import Area
from ecer.web.monitoring import partitions, rollups
from ecer.web.monitoring.blocks import Block
from ecer.web.monitoring.bulkload import MeasurementRows
from ecer.web.monitoring.models import Command, Medium, MonitoringPoint, PointPollutant
from ecer.web.monitoring.series import (
    HOUR_US,
    MINUTES_PER_HOUR,
    FactorSpec,
    Series,
    hourly_series,
    minute_series,
)

MN_PREFIX = "ECERGEN"
MN_LENGTH = 24  # MonitoringPoint.mn
MARKER = "生成数据"
POINT_STREAM = 3  # random stream of the points' passwords (series.py has 1 and 2)


def mn(index: int) -> str:
    """The MN of generated point ``index`` (0-based; the MN counts from 1)."""
    return f"{MN_PREFIX}{index + 1:0{MN_LENGTH - len(MN_PREFIX)}d}"


def _unit(code: str) -> str:
    info = catalogue.lookup(code)
    assert info is not None, code
    return info.unit


def _concentration(code: str, upper: float, reference_o2: float | None = None) -> FactorSpec:
    return FactorSpec(code, _unit(code), "concentration", upper=upper, reference_o2=reference_o2)


def _water(cod: float, ammonia: float, flow: tuple[float, float]) -> tuple[FactorSpec, ...]:
    """COD, NH3-N, pH 6–9 and the wastewater flow [L/s]."""
    return (
        _concentration("w01018", cod),
        _concentration("w21003", ammonia),
        FactorSpec("w01001", _unit("w01001"), "ph", level=(6.8, 7.8), upper=9.0, lower=6.0),
        FactorSpec("w00000", _unit("w00000"), "flow", level=flow),
    )


def _gas(
    nox: float,
    so2: float,
    dust: float,
    reference_o2: float,
    o2: tuple[float, float],
    flow: tuple[float, float],
) -> tuple[FactorSpec, ...]:
    """NOx, SO2 and dust (limits at the reference O2), O2 [%] and the flue gas flow [m³/s]."""
    return (
        _concentration("a21002", nox, reference_o2),
        _concentration("a21026", so2, reference_o2),
        _concentration("a34013", dust, reference_o2),
        FactorSpec("a19001", _unit("a19001"), "o2", level=o2),
        FactorSpec("a00000", _unit("a00000"), "flow", level=flow),
    )


@dataclass(frozen=True)
class Profile:
    """An outlet kind: its medium, name, emission standard and factors (with limits)."""

    medium: str
    outlet_name: str
    standard: str
    factors: tuple[FactorSpec, ...]


# Limits of the standards named (mg/L, mg/m³ at the reference O2; pH 6–9).
PROFILES: dict[str, Profile] = {
    "municipal_wastewater": Profile(
        Medium.WATER, "污水总排口", "GB 18918-2002 一级A", _water(50.0, 5.0, (30.0, 400.0))
    ),
    "industrial_wastewater": Profile(
        Medium.WATER, "废水总排口", "GB 8978-1996 一级", _water(100.0, 15.0, (3.0, 60.0))
    ),
    "petrochemical_wastewater": Profile(
        Medium.WATER, "废水总排口", "GB 31570-2015 直接排放", _water(60.0, 8.0, (20.0, 150.0))
    ),
    "coal_boiler": Profile(
        Medium.GAS,
        "燃煤锅炉烟囱",
        "燃煤电厂超低排放（环发〔2015〕164号）",
        _gas(50.0, 35.0, 10.0, 6.0, (6.0, 9.0), (80.0, 500.0)),
    ),
    "gas_boiler": Profile(
        Medium.GAS,
        "燃气锅炉烟囱",
        "GB 13271-2014 燃气锅炉",
        _gas(200.0, 50.0, 20.0, 3.5, (3.5, 6.0), (3.0, 30.0)),
    ),
    "cement_kiln": Profile(
        Medium.GAS,
        "窑尾排放口",
        "GB 4915-2013 水泥窑",
        _gas(400.0, 200.0, 30.0, 10.0, (9.0, 12.0), (60.0, 180.0)),
    ),
    "glass_furnace": Profile(
        Medium.GAS,
        "玻璃熔窑烟囱",
        "GB 26453-2011 玻璃熔窑",
        _gas(700.0, 400.0, 50.0, 8.0, (8.0, 11.0), (20.0, 80.0)),
    ),
}


@dataclass(frozen=True)
class Owner:
    """The enterprise whose outlets the points are: what a point copies from it."""

    credit_code: str
    name: str
    short_name: str
    area: Area
    profiles: tuple[str, ...]  # keys of PROFILES, one per outlet, used in turn


@dataclass(frozen=True)
class GeneratedPoint:
    index: int
    pk: int
    profile: Profile


def create_points(
    owners: Sequence[Owner], count: int, seed: int, points_per_owner: int
) -> list[GeneratedPoint]:
    """Create ``count`` points and their factors; point i is an outlet of owner
    i // points_per_owner, with the owner's profiles in turn."""
    rows, profiles = [], []
    outlets: dict[tuple[str, str], int] = {}
    for index in range(count):
        owner = owners[index // points_per_owner]
        profile = PROFILES[owner.profiles[index % points_per_owner % len(owner.profiles)]]
        number = outlets[owner.credit_code, profile.medium] = (
            outlets.get((owner.credit_code, profile.medium), 0) + 1
        )
        outlet = f"{'DW' if profile.medium == Medium.WATER else 'DA'}{number:03d}"
        rng = np.random.default_rng([seed, index, POINT_STREAM])
        rows.append(
            MonitoringPoint(
                mn=mn(index),
                name=f"{owner.short_name} {number}#{profile.outlet_name}（{MARKER}）",
                enterprise_name=owner.name,
                enterprise_code=owner.credit_code,
                area=owner.area,
                outlet=outlet,
                medium=profile.medium,
                password=f"{int(rng.integers(0, 1_000_000)):06d}",
                data_cn=Command.HOURLY,
                interval_seconds=3600,
                is_demo=True,
            )
        )
        profiles.append(profile)
    created = MonitoringPoint.objects.bulk_create(rows, batch_size=1000)
    PointPollutant.objects.bulk_create(
        (
            PointPollutant(
                point=point,
                pollutant=factor.code,
                upper_limit=factor.upper,
                lower_limit=factor.lower,
                reference_o2=factor.reference_o2,
                standard=f"{profile.standard}（{MARKER}）" if factor.upper is not None else "",
            )
            for point, profile in zip(created, profiles, strict=True)
            for factor in profile.factors
        ),
        batch_size=1000,
    )
    return [
        GeneratedPoint(index, point.pk, profile)
        for index, (point, profile) in enumerate(zip(created, profiles, strict=True))
    ]


@dataclass
class PointData:
    """What a point's load writes: hourly rows, minute blocks and the blocks' hour rollups."""

    rows: list[MeasurementRows]
    blocks: list[Block]
    hour_rollups: list[tuple[object, ...]]  # rows of rollups.HOUR_ROW

    @property
    def values(self) -> int:
        return sum(len(r) for r in self.rows) + sum(b.values.size for b in self.blocks)


MINUTE_OFFSETS = (np.arange(MINUTES_PER_HOUR) * 60).astype(np.uint16)


def point_data(
    point: GeneratedPoint, start_us: int, hours: int, seed: int, *, minutes: bool
) -> PointData:
    """A point's measurements: hourly rows, and its minute data (when asked) as blocks."""
    factors = point.profile.factors
    hourly: Series = hourly_series(factors, point.index, start_us, hours, seed)
    data = PointData([], [], [])
    if minutes:
        # Before the hourly rows: building the minutes sets the hours' Min and Max.
        for week in minute_series(factors, point.index, hourly, seed):
            _add_minute_blocks(data, point.pk, week)
    data.rows.append(MeasurementRows.from_series(point.pk, Command.HOURLY, hourly))
    return data


def _add_minute_blocks(data: PointData, point_id: int, week: Series) -> None:
    """The week's present hours as blocks, and their hour rollups (computed at once, as
    ``Block.hour_rows`` would one by one: every minute of a present hour has a value)."""
    width = len(week.columns)
    values = week.values.reshape(-1, MINUTES_PER_HOUR, width)
    flags = week.flags.reshape(-1, MINUTES_PER_HOUR, width)
    valid = flags == rollups.VALID_FLAG.encode()
    valid_count = valid.sum(axis=1)
    valid_sum = np.where(valid, values, 0.0).sum(axis=1)
    lows = np.where(valid, values, np.inf).min(axis=1)
    highs = np.where(valid, values, -np.inf).max(axis=1)
    present = week.present[::MINUTES_PER_HOUR]
    last = timedelta(seconds=int(MINUTE_OFFSETS[-1]))
    off_hour = MINUTES_PER_HOUR - 1  # every minute but the first is off the whole hour
    for hour in np.flatnonzero(present):
        start = datetime.fromtimestamp((week.start_us + int(hour) * HOUR_US) / 1e6, UTC)
        data.blocks.append(
            Block(
                point_id,
                Command.MINUTE,
                start,
                week.columns,
                MINUTE_OFFSETS,
                values[hour],
                tuple(flags[hour].reshape(-1).astype(np.str_).tolist()),
            )
        )
        for j, (pollutant, kind) in enumerate(week.columns):
            count = int(valid_count[hour, j])
            data.hour_rollups.append(
                (
                    point_id,
                    Command.MINUTE,
                    pollutant,
                    kind,
                    start,
                    MINUTES_PER_HOUR,
                    count,
                    float(valid_sum[hour, j]),
                    float(lows[hour, j]) if count else None,
                    float(highs[hour, j]) if count else None,
                    start + last,
                    off_hour,
                )
            )


def generated_point_ids() -> list[int]:
    return list(
        MonitoringPoint.objects.filter(mn__startswith=MN_PREFIX)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@dataclass(frozen=True)
class Removed:
    points: int
    measurements: int


def delete_generated() -> Removed:
    """Delete the generated points, their measurements, limits and history; nothing else."""
    ids = generated_point_ids()
    if not ids:
        return Removed(0, 0)
    with transaction.atomic():
        # First, by point: the measurements are most of the rows and PROTECT their point.
        measurements = rollups.delete_measurements(ids)
        MonitoringPoint.objects.filter(mn__startswith=MN_PREFIX).delete()
        # Deleting wrote a history row per point and limit; no history of generated data is
        # kept. By subqueries: there may be more points than a query takes parameters.
        old_points = MonitoringPoint.history.filter(mn__startswith=MN_PREFIX)
        PointPollutant.history.filter(point_id__in=old_points.values("id")).delete()
        old_points.delete()
    return Removed(len(ids), measurements)


# --- Merge hooks -------------------------------------------------------------------------------
# ecer.web.monitoring.partitions (monthly partitions on PostgreSQL) and
# ecer.web.monitoring.rollups (hour/day/month rollups) are being written on main. Until they
# are merged the hooks below do the plain thing; once they are, they call them.


def before_load(start: datetime, end: datetime) -> None:
    """The monthly partitions that will hold [start, end) (PostgreSQL; nothing on SQLite).

    The rollups need no step of their own: the measurement table's triggers keep them while
    the rows are copied in (``ecer.web.monitoring.rollups``).
    """
    partitions.ensure_partitions(start, end)
