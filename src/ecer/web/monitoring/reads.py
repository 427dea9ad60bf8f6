"""Reads of many monitoring points at once, in one query each (PostgreSQL only).

The pages judge thousands of points; one query per point costs a round trip each, and
psycopg parses every timestamp it returns one by one in Python (Django's time-zone
loader), which at 100,000 rows is most of a page's time. So these queries take their
points and windows as arrays (``unnest``) and return timestamps as integer microseconds
since the Unix epoch, which are turned back into the same aware UTC datetimes here, once
per distinct value (a period has few distinct data times). Exact: microseconds are the
resolution of both PostgreSQL's timestamps and Python's datetimes.

``services`` calls these on PostgreSQL and reads point by point (``point_data``) elsewhere.
The rollup reads fold the pending measurements first (``rollups.current``), as the ORM's
``Rollup.objects`` does.
The measurement windows are of hourly data only: they read the measurement table, not the
blocks that hold older real-time and minute data (``blocks``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection

from ecer.hj212 import storage
from ecer.web.monitoring import rollups

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ROLLUPS = rollups.TABLE
POLLUTANTS = "monitoring_pointpollutant"
MEASUREMENTS = storage.MEASUREMENT_TABLE


def _micros(column: str) -> str:
    return f"(EXTRACT(EPOCH FROM {column}) * 1000000)::bigint"


class _Times:
    """Integer microseconds since the epoch → aware UTC datetimes, each converted once."""

    def __init__(self) -> None:
        self._seen: dict[int, datetime] = {}

    def __call__(self, micros: int) -> datetime:
        found = self._seen.get(micros)
        if found is None:
            found = self._seen[micros] = EPOCH + timedelta(microseconds=micros)
        return found


RollupRow = tuple[int, str, datetime, int, int, float | None, float | None, datetime, int]


def day_rollup_rows(
    wanted: Sequence[tuple[int, str, str]], start: datetime, until: datetime
) -> Iterator[RollupRow]:
    """Day rollups starting in [start, until) of the given (point id, cn, kind).

    Yields (point id, pollutant, start, count, valid_count, valid_min, valid_max,
    last_time, off_hour) rows, one at a time (the caller keeps what it needs).
    """
    if not wanted:
        return
    rollups.current()  # the pending measurements folded first, as every rollup read
    ids, cns, kinds = zip(*wanted, strict=True)
    sql = f"""
        SELECT r.point_id, r.pollutant, {_micros("r.start")}, r.count, r.valid_count,
               r.valid_min, r.valid_max, {_micros("r.last_time")}, r.off_hour
        FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS w(point_id, cn, kind)
        CROSS JOIN LATERAL (
            SELECT * FROM {ROLLUPS} AS r
            WHERE r.point_id = w.point_id AND r.level = 'day' AND r.cn = w.cn
                AND r.kind = w.kind AND r.start >= %s AND r.start < %s
            OFFSET 0
        ) AS r
    """
    # Point by point, each one stretch of the rollups' unique index (point, level, cn,
    # kind, start, …); LATERAL … OFFSET 0 keeps that plan, where the planner, not knowing
    # how many points the arrays hold, scanned every rollup (1.3 s at 35 million rows).
    times = _Times()
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(ids), list(cns), list(kinds), start, until])
        rows = cursor.fetchall()  # at once: psycopg builds the rows in C, not one by one
    for point, code, day, count, valid, low, high, last, off_hour in rows:
        yield point, code, times(day), count, valid, low, high, times(last), off_hour


def valid_sums(
    wanted: Sequence[tuple[int, str, str, int]],
    expected: Sequence[tuple[int, datetime, int]],
    start: datetime,
    until: datetime,
) -> dict[int, int]:
    """Per point, Σ over its own pollutants and days of min(valid_count, records expected).

    wanted: (point id, cn, kind, interval [s]) of each point. expected: (interval [s], day
    start, records that day expects at that interval) for each day starting in
    [start, until); a day rollup of another start counts nothing.
    """
    if not wanted:
        return {}
    rollups.current()  # the pending measurements folded first, as every rollup read
    ids, cns, kinds, seconds = zip(*wanted, strict=True)
    steps, days, counts = zip(*expected, strict=True) if expected else ((), (), ())
    # Point by point, from its own pollutants (unique per point) to their day rollups,
    # each range found by the rollups' unique index. LATERAL … OFFSET 0 and MATERIALIZED
    # keep that order: the planner, not knowing how many rows the arrays hold, otherwise
    # picks plans that scan a point's rollups once per day, or every rollup per point.
    sql = f"""
        WITH days AS MATERIALIZED (
            SELECT w.point_id, w.seconds, r.start, r.valid_count
            FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::integer[])
                AS w(point_id, cn, kind, seconds)
            CROSS JOIN LATERAL (
                SELECT r.start, r.valid_count
                FROM {POLLUTANTS} AS p
                CROSS JOIN LATERAL (
                    SELECT r.start, r.valid_count FROM {ROLLUPS} AS r
                    WHERE r.point_id = p.point_id AND r.cn = w.cn
                        AND r.pollutant = p.pollutant AND r.kind = w.kind
                        AND r.level = 'day' AND r.start >= %s AND r.start < %s
                    OFFSET 0
                ) AS r
                WHERE p.point_id = w.point_id
                OFFSET 0
            ) AS r
        )
        SELECT d.point_id, sum(LEAST(d.valid_count, e.expected))
        FROM days AS d
        JOIN unnest(%s::integer[], %s::timestamptz[], %s::bigint[]) AS e(seconds, start, expected)
            ON e.seconds = d.seconds AND e.start = d.start
        GROUP BY d.point_id
    """
    params = [list(ids), list(cns), list(kinds), list(seconds), start, until]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, list(steps), list(days), list(counts)])
        return {point: int(total) for point, total in cursor.fetchall()}


@dataclass(frozen=True, slots=True)
class Window:
    """Values of one point's ``cn`` and ``kind`` with data time in [start, end).

    codes: Only these pollutants (None: all of them).
    """

    point_id: int
    cn: str
    kind: str
    start: datetime
    end: datetime
    codes: tuple[str, ...] | None = None


def _window_params(windows: Sequence[Window]) -> list[list[object]]:
    return [
        [w.point_id for w in windows],
        [w.cn for w in windows],
        [w.kind for w in windows],
        [w.start for w in windows],
        [w.end for w in windows],
        # The codes of each window as one text (unnest would flatten a 2-D array).
        [None if w.codes is None else "\t".join(w.codes) for w in windows],
    ]


# The windows numbered 1, 2, … (i); _WINDOWS joins them to their measurements.
_WINDOW_ROWS = """
    unnest(%s::bigint[], %s::text[], %s::text[], %s::timestamptz[], %s::timestamptz[],
           %s::text[]) WITH ORDINALITY AS w(point_id, cn, kind, start, stop, codes, i)
"""
_WINDOWS = f"""
    FROM {_WINDOW_ROWS}
    JOIN {MEASUREMENTS} AS m ON m.point_id = w.point_id AND m.cn = w.cn AND m.kind = w.kind
        AND m.data_time >= w.start AND m.data_time < w.stop
"""


def measurement_rows(windows: Sequence[Window]) -> list[list[tuple[str, datetime, float, str]]]:
    """Per window, its (pollutant, data time, value, flag) rows in data time order."""
    result: list[list[tuple[str, datetime, float, str]]] = [[] for _ in windows]
    if not windows:
        return result
    sql = f"""
        SELECT w.i, m.pollutant, {_micros("m.data_time")}, m.value, m.flag {_WINDOWS}
        WHERE w.codes IS NULL OR m.pollutant = ANY(string_to_array(w.codes, E'\\t'))
        ORDER BY w.i, m.data_time, m.pollutant
    """
    times = _Times()
    with connection.cursor() as cursor:
        cursor.execute(sql, _window_params(windows))
        for i, code, micros, value, flag in cursor.fetchall():
            result[i - 1].append((code, times(micros), value, flag))
    return result


def data_times(windows: Sequence[Window]) -> list[set[datetime]]:
    """Per window, the distinct data times of any pollutant (``codes`` is not used)."""
    result: list[set[datetime]] = [set() for _ in windows]
    if not windows:
        return result
    # DISTINCT window by window (LATERAL): small sorts in memory, where one DISTINCT over
    # every window's rows sorted ~170,000 rows on disk at 2,000 points.
    sql = f"""
        SELECT w.i, {_micros("d.data_time")}
        FROM {_WINDOW_ROWS}
        CROSS JOIN LATERAL (
            SELECT DISTINCT m.data_time FROM {MEASUREMENTS} AS m
            WHERE m.point_id = w.point_id AND m.cn = w.cn AND m.kind = w.kind
                AND m.data_time >= w.start AND m.data_time < w.stop
        ) AS d
    """
    times = _Times()
    with connection.cursor() as cursor:
        cursor.execute(sql, _window_params(windows))
        for i, micros in cursor.fetchall():
            result[i - 1].add(times(micros))
    return result
