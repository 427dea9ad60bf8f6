"""Real-time and minute data (CN 2011/2051) in blocks: one row per point, command and hour.

One value per row costs about 200 bytes on PostgreSQL with its indexes (measured: 9.3
million hourly rows took 1.9 GB). Minute data at provincial scale — 200 sources × 525,600
minutes × 15 values a year, 1.6 billion values — would need some 300 GB that way. A block
holds an hour of one point's sub-hourly data as arrays: the data times (seconds after the
hour, uint16), the columns (pollutant and kind), the values (float64, row-major: one row
per data time, one column per pollutant and kind) and the flags (JSON, ``null`` where a
column has no value at a data time). An hour of minute data with 15 columns is about 8 KB,
which PostgreSQL keeps compressed out of line (TOAST).

Where blocks come from:

* the gateway keeps writing one row per value (its duplicate checks and the rollup triggers
  work on rows); ``compact`` later moves the whole hours of sub-hourly rows older than a
  cutoff into blocks (``ecer monitoring compact``), in one transaction per point;
* ``ecer demo generate`` writes its minute data as blocks directly (``write``).

The rollups are not changed by compacting (the rows were counted when they were inserted);
blocks written directly add their own (``add_rollups``), and ``rollups.rebuild`` counts
both. Readers take rows and blocks together (``readings``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from ecer.hj212 import storage
from ecer.web.monitoring import rollups

TABLE = "monitoring_measurement_block"
COMMANDS = rollups.SUB_HOURLY  # real-time and minute data
COMPACT_WINDOW = timedelta(days=1)
MAX_OFFSET = 3599  # seconds after the hour: fits uint16
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)  # bounds of "every block" (rebuilds)
LATEST = datetime(9999, 1, 1, tzinfo=UTC)
COLUMNS = ("point_id", "cn", "start", "count", "fields", "offsets", "samples", "flags")

Column = tuple[str, str]  # (pollutant, kind)


@dataclass(frozen=True)
class Block:
    """One hour of one point's data of one command.

    start: The whole hour (aware UTC; Beijing hours are whole UTC hours).
    offsets: [n] seconds after ``start`` of each data time, ascending, unique.
    values: [n, len(columns)]; NaN where ``flags`` is None.
    flags: n × len(columns) flags, row-major; None: no value.
    """

    point_id: int
    cn: str
    start: datetime
    columns: tuple[Column, ...]
    offsets: npt.NDArray[np.uint16]
    values: npt.NDArray[np.float64]
    flags: tuple[str | None, ...]

    def __post_init__(self) -> None:
        n, width = len(self.offsets), len(self.columns)
        if self.values.shape != (n, width) or len(self.flags) != n * width:
            raise ValueError("block: offsets, columns, values and flags do not agree")
        if n and (
            int(self.offsets.max()) > MAX_OFFSET
            or np.any(np.diff(self.offsets.astype(np.int64)) <= 0)
        ):
            raise ValueError("block: offsets must ascend within the hour")

    def times(self) -> list[datetime]:
        return [self.start + timedelta(seconds=int(s)) for s in self.offsets]

    def encode(self) -> tuple[object, ...]:
        """The row of COLUMNS."""
        return (
            self.point_id,
            self.cn,
            self.start,
            len(self.offsets),
            json.dumps([list(c) for c in self.columns], separators=(",", ":")),
            self.offsets.astype("<u2").tobytes(),
            self.values.astype("<f8").tobytes(),
            json.dumps(self.flags, separators=(",", ":")),
        )

    @classmethod
    def decode(cls, row: Sequence[object]) -> Block:
        point_id, cn, start, count, columns, offsets, values, flags = row
        assert isinstance(start, datetime)
        names = tuple((str(p), str(k)) for p, k in json.loads(str(columns)))
        n = int(count)  # type: ignore[call-overload]
        return cls(
            int(point_id),  # type: ignore[call-overload]
            str(cn),
            start.astimezone(UTC),
            names,
            np.frombuffer(bytes(offsets), dtype="<u2").astype(np.uint16),  # type: ignore[call-overload]
            np.frombuffer(bytes(values), dtype="<f8").reshape(n, len(names)),  # type: ignore[call-overload]
            tuple(json.loads(str(flags))),
        )

    def hour_rows(self) -> list[tuple[object, ...]]:
        """Per column with a value, its hour rollup row (``rollups.HOUR_ROW``)."""
        n, width = self.values.shape
        flags = np.array(self.flags, dtype=object).reshape(n, width)
        present = flags != None  # noqa: E711 (element-wise)
        valid = flags == rollups.VALID_FLAG
        valid_values = np.where(valid, self.values, 0.0)
        lows = np.where(valid, self.values, np.inf).min(axis=0, initial=np.inf)
        highs = np.where(valid, self.values, -np.inf).max(axis=0, initial=-np.inf)
        off_hour = (present & (self.offsets != 0)[:, None]).sum(axis=0)
        rows = []
        for j, (pollutant, kind) in enumerate(self.columns):
            times = np.flatnonzero(present[:, j])
            if not len(times):
                continue
            valid_count = int(valid[:, j].sum())
            rows.append(
                (
                    self.point_id,
                    self.cn,
                    pollutant,
                    kind,
                    self.start,
                    len(times),
                    valid_count,
                    float(valid_values[:, j].sum()),
                    float(lows[j]) if valid_count else None,
                    float(highs[j]) if valid_count else None,
                    self.start + timedelta(seconds=int(self.offsets[times[-1]])),
                    int(off_hour[j]),
                )
            )
        return rows


def from_values(
    point_id: int, cn: str, start: datetime, values: Iterable[tuple[datetime, str, str, float, str]]
) -> Block:
    """A block from (data time, pollutant, kind, value, flag) in the hour from ``start``."""
    cells: dict[tuple[int, Column], tuple[float, str]] = {}
    for data_time, pollutant, kind, value, flag in values:
        offset = round((data_time - start).total_seconds())
        if not 0 <= offset <= MAX_OFFSET:
            raise ValueError(f"{data_time.isoformat()} is not in the hour from {start.isoformat()}")
        cells.setdefault((offset, (pollutant, kind)), (value, flag))
    offsets = sorted({offset for offset, _ in cells})
    columns = tuple(sorted({column for _, column in cells}))
    array = np.full((len(offsets), len(columns)), np.nan)
    flags: list[str | None] = [None] * (len(offsets) * len(columns))
    row_of = {offset: i for i, offset in enumerate(offsets)}
    column_of = {column: j for j, column in enumerate(columns)}
    for (offset, column), (value, flag) in cells.items():
        i, j = row_of[offset], column_of[column]
        array[i, j] = value
        flags[i * len(columns) + j] = flag
    return Block(
        point_id, cn, start, columns, np.array(offsets, dtype=np.uint16), array, tuple(flags)
    )


def merged(old: Block, new: Block) -> Block:
    """One block of both; where both hold a value for the same time and column, ``old``'s
    stays (the first stored value wins, as in the measurement table)."""
    return from_values(old.point_id, old.cn, old.start, [*_cells(old), *_cells(new)])


def _cells(block: Block) -> Iterator[tuple[datetime, str, str, float, str]]:
    width = len(block.columns)
    times = block.times()
    for i, data_time in enumerate(times):
        for j, (pollutant, kind) in enumerate(block.columns):
            flag = block.flags[i * width + j]
            if flag is not None:
                yield data_time, pollutant, kind, float(block.values[i, j]), flag


# --- database ---------------------------------------------------------------------------------


def _time(value: datetime, db: BaseDatabaseWrapper) -> object:
    """A datetime parameter as the database stores it (SQLite: naive UTC text)."""
    return db.ops.adapt_datetimefield_value(value)


def write(blocks: Iterable[Block], db: BaseDatabaseWrapper = connection) -> int:
    """Insert new blocks (none may exist yet for its point, command and hour); returns how
    many. Their rollups are not added: see :func:`add_rollups`."""
    rows = [block.encode() for block in blocks]
    if not rows:
        return 0
    marks = ", ".join(["%s"] * len(COLUMNS))
    if db.vendor == "postgresql":
        with (
            db.cursor() as cursor,
            cursor.cursor.copy(f"COPY {TABLE} ({', '.join(COLUMNS)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        with db.cursor() as cursor:
            rows = [(*row[:2], _time(row[2], db), *row[3:]) for row in rows]  # type: ignore[arg-type]
            cursor.executemany(f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({marks})", rows)
    return len(rows)


def add_rollups(blocks: Iterable[Block], db: BaseDatabaseWrapper = connection) -> int:
    """Add the blocks' values to their hour, day and month rollups; returns the hour rows."""
    return rollups.add_hours((row for block in blocks for row in block.hour_rows()), db)


def read(
    point_ids: Sequence[int],
    cn: str,
    start: datetime,
    end: datetime,
    db: BaseDatabaseWrapper = connection,
) -> list[Block]:
    """The blocks of these points and command that hold data times in [start, end)."""
    if cn not in COMMANDS or not point_ids:
        return []
    first = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    marks = ", ".join(["%s"] * len(point_ids))
    with db.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(COLUMNS)} FROM {TABLE} WHERE point_id IN ({marks}) "
            "AND cn = %s AND start >= %s AND start < %s ORDER BY point_id, start",
            [*point_ids, cn, _time(first, db), _time(end, db)],
        )
        return [Block.decode((*row[:2], _utc(row[2]), *row[3:])) for row in cursor.fetchall()]


def _utc(value: object) -> datetime:
    """A datetime read back: SQLite gives naive UTC (or its text), PostgreSQL aware."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def readings(
    point_id: int, cn: str, kind: str, start: datetime, end: datetime
) -> Iterator[tuple[str, datetime, float, str]]:
    """(pollutant, data time, value, flag) of ``kind`` in [start, end), by block and time."""
    for block in read([point_id], cn, start, end):
        wanted = [j for j, (_, k) in enumerate(block.columns) if k == kind]
        if not wanted:
            continue
        width = len(block.columns)
        for i, data_time in enumerate(block.times()):
            if not start <= data_time < end:
                continue
            for j in wanted:
                flag = block.flags[i * width + j]
                if flag is not None:
                    yield block.columns[j][0], data_time, float(block.values[i, j]), flag


def delete(point_ids: Sequence[int], db: BaseDatabaseWrapper = connection) -> int:
    """Delete every block of these points; returns how many."""
    if not point_ids:
        return 0
    marks = ", ".join(["%s"] * len(point_ids))
    with db.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE point_id IN ({marks})", list(point_ids))
        return int(cursor.rowcount)


# --- compaction -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Compacted:
    points: int
    blocks: int
    rows: int


def compact(before: datetime, db: BaseDatabaseWrapper = connection) -> Compacted:
    """Move the real-time and minute rows of data times before ``before`` (cut to a whole
    hour) into blocks, one point per transaction; returns what was moved.

    An hour that already has a block is merged into it. The rollups stay as they are.
    """
    cut = before.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    with db.cursor() as cursor:
        # Point by point: each looks its rows up by the unique index (point, cn, time, …),
        # where one query for "which points have old rows" would scan the whole table.
        cursor.execute(f"SELECT id FROM {storage.POINT_TABLE} ORDER BY id")
        point_ids = [int(row[0]) for row in cursor.fetchall()]
    points = made = moved = 0
    for point_id in point_ids:
        first = _earliest(point_id, cut, db)
        if first is None:
            continue
        points += 1
        while first < cut:  # a day per transaction: memory stays bounded on a first run
            last = min(first + COMPACT_WINDOW, cut)
            with transaction.atomic(using=db.alias):
                blocks, rows = _compact_window(point_id, first, last, db)
            made += blocks
            moved += rows
            first = last
    return Compacted(points, made, moved)


def _earliest(point_id: int, cut: datetime, db: BaseDatabaseWrapper) -> datetime | None:
    """The whole hour of the point's earliest sub-hourly row before ``cut``."""
    with db.cursor() as cursor:
        cursor.execute(
            f"SELECT min(data_time) FROM {storage.MEASUREMENT_TABLE} "
            "WHERE point_id = %s AND cn IN (%s, %s) AND data_time < %s",
            [point_id, *COMMANDS, _time(cut, db)],
        )
        (found,) = cursor.fetchone()
    if found is None:
        return None
    return _utc(found).replace(minute=0, second=0, microsecond=0)


def _compact_window(
    point_id: int, start: datetime, cut: datetime, db: BaseDatabaseWrapper
) -> tuple[int, int]:
    """Move the point's sub-hourly rows in [start, cut) (whole hours) into blocks."""
    where = "point_id = %s AND cn IN (%s, %s) AND data_time >= %s AND data_time < %s"
    params = [point_id, *COMMANDS, _time(start, db), _time(cut, db)]
    hours: dict[tuple[str, datetime], list[tuple[datetime, str, str, float, str]]]
    hours = defaultdict(list)
    with db.cursor() as cursor:
        cursor.execute(
            f"SELECT cn, data_time, pollutant, kind, value, flag FROM "
            f"{storage.MEASUREMENT_TABLE} WHERE {where} ORDER BY data_time",
            params,
        )
        rows = cursor.fetchall()
        if not rows:
            return 0, 0
        for cn, data_time, pollutant, kind, value, flag in rows:
            data_time = _utc(data_time)
            hour = data_time.replace(minute=0, second=0, microsecond=0)
            hours[cn, hour].append((data_time, pollutant, kind, value, flag))
        new = [from_values(point_id, cn, hour, values) for (cn, hour), values in hours.items()]
        existing = {
            (b.cn, b.start): b for cn in COMMANDS for b in read([point_id], cn, start, cut, db)
        }
        fresh = []
        for block in new:
            old = existing.get((block.cn, block.start))
            if old is None:
                fresh.append(block)
                continue
            _, _, _, *content = merged(old, block).encode()
            assignments = ", ".join(f"{name} = %s" for name in COLUMNS[3:])
            cursor.execute(
                f"UPDATE {TABLE} SET {assignments} WHERE point_id = %s AND cn = %s AND start = %s",
                [*content, point_id, block.cn, _time(block.start, db)],
            )
        write(fresh, db)
        cursor.execute(f"DELETE FROM {storage.MEASUREMENT_TABLE} WHERE {where}", params)
    return len(new), len(rows)
