"""`ecer demo generate`: monitoring, energy and enterprise data at a chosen scale (issue #10).

For N sources over a range of Beijing days: ⌈N/2⌉ enterprises with a report per year
(``enterprises.generate``), N monitoring points — two per enterprise — with their limits,
hourly data for every point and minute data for the first M (``monitoring.generate``).
Earlier generated data are deleted first, and only they: real data and the demo data of
``ecer setup --demo`` are never touched. Same arguments, same rows (``--end`` included; the
hours after the last complete one are not generated).

Enterprises and points are created in one transaction; the measurements are then written a
batch of points at a time, one transaction each, with a progress line per batch.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from django.db import connection, transaction

from ecer.hj212.storage import DATA_TIME_ZONE, MEASUREMENT_TABLE
from ecer.web.catalog.models import Area
from ecer.web.enterprises import generate as enterprises
from ecer.web.monitoring import blocks, journal, rollups
from ecer.web.monitoring import generate as monitoring
from ecer.web.monitoring.bulkload import check_postgres_columns, write_measurements
from ecer.web.monitoring.series import MINUTES_PER_HOUR

ZONE = ZoneInfo(DATA_TIME_ZONE)
ROWS_PER_BATCH = 1_000_000  # measurements per transaction (about)
SOURCES_PER_ENTERPRISE = 2
MAX_SOURCES = 100_000
MAX_JOBS = 4  # parallel writers by default (at most one per CPU)


@dataclass(frozen=True)
class Options:
    """sources: points to generate; minute_sources: how many of them (the first) also get
    minute data; first_day, last_day: the Beijing days of the range, both included."""

    sources: int
    first_day: date
    last_day: date
    minute_sources: int = 0
    seed: int = 0
    jobs: int = 0  # parallel writers on PostgreSQL; 0: one per CPU, at most MAX_JOBS

    def __post_init__(self) -> None:
        if not 0 <= self.sources <= MAX_SOURCES:
            raise ValueError(f"sources must be between 0 and {MAX_SOURCES}")
        if not 0 <= self.minute_sources <= self.sources:
            raise ValueError("minute sources must be between 0 and the number of sources")
        if self.seed < 0:
            raise ValueError("the seed must not be negative")
        if self.jobs < 0:
            raise ValueError("jobs must not be negative")
        if self.first_day > self.last_day:
            raise ValueError("the range is empty")

    @property
    def enterprises(self) -> int:
        return math.ceil(self.sources / SOURCES_PER_ENTERPRISE)

    @property
    def years(self) -> list[int]:
        return list(range(self.first_day.year, self.last_day.year + 1))


def days_back(last_day: date, days: int) -> date:
    """First day of a range of ``days`` days ending on ``last_day``."""
    if days < 1:
        raise ValueError("days must be at least 1")
    return last_day - timedelta(days=days - 1)


def years_back(last_day: date, years: int) -> date:
    """First day of a range of ``years`` years ending on ``last_day`` (29 Feb → 28 Feb)."""
    if years < 1:
        raise ValueError("years must be at least 1")
    day = min(last_day.day, 28) if last_day.month == 2 else last_day.day
    return last_day.replace(year=last_day.year - years, day=day) + timedelta(days=1)


@dataclass(frozen=True)
class HourAxis:
    """The generated hours: ``hours`` whole hours from ``start`` (a Beijing midnight)."""

    start: datetime
    hours: int

    @property
    def end(self) -> datetime:
        return self.start + timedelta(hours=self.hours)

    @property
    def start_us(self) -> int:
        return round(self.start.timestamp()) * 1_000_000


def hour_axis(first_day: date, last_day: date, now: datetime) -> HourAxis:
    """The hours of the days, up to the last complete hour before ``now``."""
    start = datetime.combine(first_day, clock.min, ZONE).astimezone(UTC)
    end = datetime.combine(last_day + timedelta(days=1), clock.min, ZONE).astimezone(UTC)
    complete = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    hours = max(0, int((min(end, complete) - start) / timedelta(hours=1)))
    return HourAxis(start, hours)


@dataclass
class Summary:
    removed_points: int = 0
    removed_measurements: int = 0
    removed_enterprises: int = 0
    enterprises: int = 0
    reports: int = 0
    points: int = 0
    measurements: int = 0
    seconds: float = 0.0  # the whole run
    load_seconds: float = 0.0  # generating and writing the measurements

    @property
    def rows_per_second(self) -> float:
        """Measurements generated and written per second of loading."""
        return self.measurements / self.load_seconds if self.load_seconds > 0 else 0.0

    def __str__(self) -> str:
        return (
            f"generated {self.enterprises} enterprises, {self.reports} reports, "
            f"{self.points} points and {self.measurements:,} measurements in "
            f"{self.seconds:.1f} s; measurements written at {self.rows_per_second:,.0f} rows/s"
        )


def _district_areas() -> dict[str, Area]:
    areas = {a.code: a for a in Area.objects.filter(code__in=enterprises.DIVISIONS)}
    missing = sorted(set(enterprises.DIVISIONS) - set(areas))
    if missing:
        raise LookupError(f"areas {', '.join(missing)} not found: run `ecer setup` first")
    return areas


def _estimated_rows(point: monitoring.GeneratedPoint, hours: int, minutes: bool) -> int:
    per_hour = sum(len(f.kinds) for f in point.profile.factors)
    if minutes:
        per_hour += MINUTES_PER_HOUR * 3 * len(point.profile.factors)
    return per_hour * hours


def _batches(
    points: list[monitoring.GeneratedPoint], hours: int, minute_sources: int
) -> Iterator[list[monitoring.GeneratedPoint]]:
    """Consecutive points holding about ROWS_PER_BATCH measurements (at least one point)."""
    batch: list[monitoring.GeneratedPoint] = []
    rows = 0
    for point in points:
        batch.append(point)
        rows += _estimated_rows(point, hours, point.index < minute_sources)
        if rows >= ROWS_PER_BATCH:
            yield batch
            batch, rows = [], 0
    if batch:
        yield batch


def remove_generated() -> Summary:
    """Delete every generated point, measurement, enterprise and report."""
    points = monitoring.delete_generated()
    firms = enterprises.delete_generated()
    return Summary(
        removed_points=points.points,
        removed_measurements=points.measurements,
        removed_enterprises=firms.enterprises,
    )


def generate(options: Options, now: datetime, progress: Callable[[str], None]) -> Summary:
    """Replace the generated data by those of ``options``; report progress line by line."""
    started = time.perf_counter()
    summary = remove_generated()
    if summary.removed_points or summary.removed_enterprises:
        progress(
            f"removed earlier generated data: {summary.removed_enterprises} enterprises, "
            f"{summary.removed_points} points, {summary.removed_measurements:,} measurements "
            f"({time.perf_counter() - started:.1f} s)"
        )
    axis = hour_axis(options.first_day, options.last_day, now)
    with transaction.atomic():
        firms, summary.reports = enterprises.create(
            options.enterprises, options.years, options.seed, _district_areas(), axis.end
        )
        owners = [
            monitoring.Owner(f.credit_code, f.name, f.short_name, f.area, f.industry.outlets)
            for f in firms
        ]
        points = monitoring.create_points(
            owners, options.sources, options.seed, SOURCES_PER_ENTERPRISE
        )
    summary.enterprises, summary.points = len(firms), len(points)
    progress(
        f"created {summary.enterprises} enterprises, {summary.reports} reports, "
        f"{summary.points} points; writing {axis.hours} hours from {axis.start:%Y-%m-%d %H:%M} UTC"
    )
    if points and axis.hours:
        loading = time.perf_counter()
        summary.measurements = _load(points, axis, options, progress)
        summary.load_seconds = time.perf_counter() - loading
        _analyze(progress)
        # Judge the alarms of the whole span, as the journal's job would have done meanwhile.
        progress(f"alarm journal: {journal.refresh(now, since=options.first_day)}")
    summary.seconds = time.perf_counter() - started
    return summary


def _load(
    points: list[monitoring.GeneratedPoint],
    axis: HourAxis,
    options: Options,
    progress: Callable[[str], None],
) -> int:
    if connection.vendor == "postgresql":
        check_postgres_columns()
    monitoring.before_load(axis.start, axis.end)
    jobs = parallel_jobs(options.jobs)
    started = time.perf_counter()
    written = done = 0

    def load(batch: list[monitoring.GeneratedPoint]) -> int:
        data = [
            monitoring.point_data(
                point,
                axis.start_us,
                axis.hours,
                options.seed,
                minutes=point.index < options.minute_sources,
            )
            for point in batch
        ]
        with transaction.atomic():
            write_measurements(rows for item in data for rows in item.rows)
            blocks.write(block for item in data for block in item.blocks)
            rollups.add_hours(row for item in data for row in item.hour_rollups)
        rollups.fold(wait=False)  # PostgreSQL: the rows just set aside, before the next batch
        return sum(item.values for item in data)

    def load_and_close(batch: list[monitoring.GeneratedPoint]) -> int:
        try:
            return load(batch)
        finally:
            connection.close()  # the worker thread's own connection

    batches = list(_batches(points, axis.hours, options.minute_sources))
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = pool.map(load_and_close, batches) if jobs > 1 else map(load, batches)
        for batch, count in zip(batches, results, strict=True):
            written += count
            done += len(batch)
            seconds = time.perf_counter() - started
            progress(
                f"sources {done}/{len(points)}: {written:,} rows written, "
                f"{written / seconds if seconds else 0:,.0f} rows/s"
            )
    rollups.fold()  # what a batch's fold skipped because another held it
    return written


def _analyze(progress: Callable[[str], None]) -> None:
    """PostgreSQL: fresh planner statistics of the loaded tables (PostgreSQL's advice after a
    bulk load, "Populating a Database"; autovacuum may be off or not yet have run)."""
    if connection.vendor != "postgresql":
        return
    began = time.perf_counter()
    with connection.cursor() as cursor:
        for table in (MEASUREMENT_TABLE, blocks.TABLE, rollups.TABLE):
            cursor.execute(f"ANALYZE {table}")
    progress(f"analyzed the loaded tables ({time.perf_counter() - began:.1f} s)")


def parallel_jobs(requested: int) -> int:
    """Connections writing at once: PostgreSQL's backends work in parallel, and every batch
    is its own transaction. One on SQLite (one writer at a time) and inside a transaction
    (other connections would not see the new points)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return requested or min(MAX_JOBS, os.cpu_count() or 1)
