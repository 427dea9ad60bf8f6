"""Durable storage of received HJ 212 frames behind a narrow writer interface.

The gateway hands batches of :class:`ReceivedFrame` to a :class:`FrameWriter`; the writer
stores each batch in ONE committed transaction and returns one :class:`WriteResult` per
frame, in order. Only then does the gateway answer the stations. SQLite (stdlib
``sqlite3``, WAL journal, ``synchronous=FULL``) and PostgreSQL (psycopg 3: binary COPY into
staging tables and one INSERT … SELECT per table and batch, commit with
``synchronous_commit=on``) writers are here; the JetStream forwarder
(``ecer.hj212.jetstream``) is a third with the same methods.

The tables belong to the Django app ``ecer.web.monitoring``, which creates them by
migrations and takes its ``db_table`` names from the constants below, so both sides name
the same tables. This module never imports Django.

Duplicates. A frame is stored once: the raw log has conditional unique indexes on
(MN, QN, PNO) and on (MN, CN, DataTime, PNO) for data uploads, both among ``stored`` rows
only. A retransmission hits one of them and is logged again as ``duplicate`` (and is still
answered); measurements are unique per (point, CN, DataTime, pollutant, kind).

Time. ``DataTime`` carries no zone (HJ 212-2017 6.3.2); data loggers run on Beijing time,
so it is read in :data:`DATA_TIME_ZONE` and stored as an aware (UTC) timestamp.

Quarantine. A quarantined row keeps its bytes once, in ``data`` (``text`` stays empty: the
raw log's pages decode ``data`` when shown), and quarantined rows older than the retention
are deleted by :meth:`FrameWriter.purge_quarantine`; how many may be written at all is the
gateway's decision (``ecer.hj212.gateway.QuarantineLimits``).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Protocol, TypeVar
from zoneinfo import ZoneInfo

import dj_database_url

from ecer.hj212.codec import LENIENT, STRICT, Frame, TolerancePolicy
from ecer.hj212.pollutants import to_2017_code

_T = TypeVar("_T")

# Table names; ecer.web.monitoring.models uses them as db_table.
POINT_TABLE: Final = "monitoring_point"
RAW_FRAME_TABLE: Final = "monitoring_raw_frame"
MEASUREMENT_TABLE: Final = "monitoring_measurement"

# Status of a raw-log row.
STORED: Final = "stored"
QUARANTINED: Final = "quarantined"
DUPLICATE: Final = "duplicate"
# Not a row status: what the gateway reports for quarantined input it did not write
# because the quarantine's caps were reached (counted, not stored).
DROPPED: Final = "dropped"
# Row statuses of frames the gateway accepted (authenticated, plausible): only these prove
# a point's link and carry its data.
ACCEPTED: Final = frozenset({STORED, DUPLICATE})

# Tolerance policies a monitoring point may be given, by the name stored in the table.
TOLERANCE_POLICIES: Final[Mapping[str, TolerancePolicy]] = MappingProxyType(
    {"strict": STRICT, "lenient": LENIENT}
)

# HJ 212-2017 Annex C data commands whose CP holds measurements: real-time (2011), minute
# (2051), hourly (2061) and daily (2031) data.
MEASUREMENT_COMMANDS: Final = frozenset({"2011", "2051", "2061", "2031"})
# CP value suffixes stored as measurements (value kinds); Zs = 折算 (converted) values.
MEASUREMENT_KINDS: Final = (
    "Rtd",
    "Avg",
    "Min",
    "Max",
    "Cou",
    "ZsRtd",
    "ZsAvg",
    "ZsMin",
    "ZsMax",
    "ZsCou",
)
_KINDS: Final = frozenset(MEASUREMENT_KINDS)
POLLUTANT_CODE_LENGTH: Final = 32
FLAG_LENGTH: Final = 16
# Beijing time: the zone of the data loggers' DataTime (see the module docstring).
DATA_TIME_ZONE: Final = "Asia/Shanghai"

_RAW_COLUMNS: Final = (
    "received_at",
    "peer",
    "mn",
    "qn",
    "cn",
    "pno",
    "data_time",
    "data",
    "text",
    "deviations",
    "status",
    "quarantine_reason",
)
_MEASUREMENT_COLUMNS: Final = (
    "point_id",
    "data_time",
    "cn",
    "pollutant",
    "kind",
    "value",
    "flag",
    "frame_id",
)
_POINT_COLUMNS: Final = (
    "mn",
    "name",
    "enterprise_name",
    "outlet",
    "medium",
    "password",
    "tolerance",
    "active",
)


@dataclass(frozen=True, slots=True)
class PointInfo:
    """What the gateway needs to know about a registered monitoring point.

    point_id: Primary key in the point table. mn: Device identifier (MN).
    password: Access password (PW). policy: Name in :data:`TOLERANCE_POLICIES`.
    active: False when the point is switched off (its frames are quarantined).
    """

    point_id: int
    mn: str
    password: str
    policy: str
    active: bool


@dataclass(frozen=True, slots=True)
class PointSpec:
    """A monitoring point to register (``ecer hj212 simulate --register``).

    medium: ``water`` or ``gas``. tolerance: Name in :data:`TOLERANCE_POLICIES`.
    """

    mn: str
    password: str
    name: str
    enterprise_name: str = ""
    outlet: str = ""
    medium: str = "water"
    tolerance: str = "strict"
    active: bool = True


@dataclass(frozen=True, slots=True)
class ReceivedFrame:
    """One frame (or piece of junk) as received, with the gateway's verdict.

    received_at: When the gateway received it (aware datetime).
    peer: The station's address, ``host:port``.
    data: The bytes received.
    frame: The parsed frame; None when the bytes could not be parsed.
    status: :data:`STORED` or :data:`QUARANTINED` (the writer turns a repeated upload into
        :data:`DUPLICATE`).
    reason: Why it is quarantined (English), else empty.
    point_id: The registered point, when the frame is accepted.
    refusal: HJ 212-2017 QnRtn code (Table 7, 请求命令返回表) the station is answered with
        when the gateway refuses the frame (3 wrong PW, 4 unknown MN, 2 refused); 0 when not
        refused, or refused without an answer (junk, unparseable bytes).
    """

    received_at: datetime
    peer: str
    data: bytes
    frame: Frame | None
    status: str
    reason: str = ""
    point_id: int | None = None
    refusal: int = 0


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What became of one frame: its raw-log status and row id, new measurement rows.

    status :data:`DROPPED` (row id 0): quarantine was over its caps, nothing was written.
    """

    status: str
    frame_id: int
    measurements: int


class StoreUnavailable(Exception):
    """The store cannot be reached now (connection lost or refused, server shutting down).

    Not the fault of the frames: the gateway keeps them unanswered, reconnects with
    backoff and stores them once the store is back (:class:`~ecer.hj212.gateway.Batcher`).
    """


class FrameWriter(Protocol):
    """Stores batches of frames; one committed transaction per call."""

    def write_batch(self, frames: Sequence[ReceivedFrame]) -> list[WriteResult]:
        """Store ``frames`` durably; return one result per frame, in order."""
        ...

    def purge_quarantine(self, before: datetime) -> int:
        """Delete quarantined rows received before ``before``; return how many."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


class PointSource(Protocol):
    """Reads the registered monitoring points."""

    def load_points(self) -> dict[str, PointInfo]:
        """Every registered point by MN."""
        ...


class FrameStore(FrameWriter, PointSource, Protocol):
    """A database the gateway writes frames to and reads points from."""

    def register_points(self, points: Iterable[PointSpec]) -> int:
        """Create or update points by MN (password, active); return how many."""
        ...


def measurement_rows(frame: Frame) -> list[tuple[str, str, float, str]]:
    """The measurements a data frame carries: (2017 pollutant code, kind, value, flag).

    HJ/T 212-2005 codes are translated to the HJ 212-2017 code (Annex B); unknown codes are
    kept as received. Non-data commands and frames without DataTime carry none.
    """
    if frame.cn not in MEASUREMENT_COMMANDS or frame.data_time is None:
        return []
    rows: list[tuple[str, str, float, str]] = []
    kinds = _KINDS
    for code, values in frame.pollutants.items():
        pollutant = to_2017_code(code) or code
        if len(pollutant) > POLLUTANT_CODE_LENGTH:
            continue  # kept in the raw log only
        flag = str(values.get("Flag", ""))[:FLAG_LENGTH]
        for kind, value in values.items():
            if kind in kinds and isinstance(value, float):
                if kind.startswith("Zs") and "ZsFlag" in values:
                    rows.append((pollutant, kind, value, str(values["ZsFlag"])[:FLAG_LENGTH]))
                else:
                    rows.append((pollutant, kind, value, flag))
    return rows


def frame_text(data: bytes) -> str:
    """The bytes as text for people (UTF-8, else GBK; undecodable bytes and NUL replaced).

    PostgreSQL text cannot hold NUL, and junk from field devices often does.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("gbk", errors="replace")
    return text.replace("\x00", "\ufffd")


class _Rows:
    """Turns received frames into column tuples; subclasses format times for their DB."""

    def __init__(self, data_time_zone: str) -> None:
        self.zone = ZoneInfo(data_time_zone)

    def timestamp(self, value: datetime) -> Any:
        return value

    def json(self, value: list[str]) -> Any:
        return json.dumps(value)

    def data_time(self, frame: Frame | None) -> datetime | None:
        if frame is None or frame.data_time is None:
            return None
        value = frame.data_time.replace(tzinfo=self.zone)
        try:
            value.astimezone(UTC)
        except OverflowError:  # year 1 east of UTC: kept in the bytes only (quarantined)
            return None
        return value

    def raw(self, item: ReceivedFrame, status: str) -> tuple[Any, ...]:
        frame = item.frame
        data_time = self.data_time(frame)
        return (
            self.timestamp(item.received_at),
            item.peer,
            frame.mn if frame else "",
            frame.qn if frame else None,
            frame.cn if frame else "",
            (frame.pno or 0) if frame else 0,
            None if data_time is None else self.timestamp(data_time),
            item.data,
            # Quarantined input is kept once, as bytes (see the module docstring).
            "" if status == QUARANTINED else frame_text(item.data),
            self.json(list(frame.deviations) if frame else []),
            status,
            item.reason,
        )

    def measurements(self, item: ReceivedFrame, frame_id: int) -> list[tuple[Any, ...]]:
        frame = item.frame
        data_time = self.data_time(frame)
        if frame is None or data_time is None or item.point_id is None:
            return []
        stamp = self.timestamp(data_time)
        return [
            (item.point_id, stamp, frame.cn, pollutant, kind, value, flag, frame_id)
            for pollutant, kind, value, flag in measurement_rows(frame)
        ]


class _SQLiteRows(_Rows):
    def timestamp(self, value: datetime) -> Any:
        # Django's SQLite backend stores aware datetimes as naive UTC text.
        return str(value.astimezone(UTC).replace(tzinfo=None))


def _insert(table: str, columns: Sequence[str], placeholder: str, suffix: str = "") -> str:
    marks = ", ".join([placeholder] * len(columns))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}){suffix}"


# sqlite3's message when another writer held the lock past busy_timeout.
_SQLITE_BUSY: Final = "database is locked"
_POINT_QUERY: Final = f"SELECT id, mn, password, tolerance, active FROM {POINT_TABLE}"
_PURGE: Final = f"DELETE FROM {RAW_FRAME_TABLE} WHERE status = '{QUARANTINED}' AND received_at < %s"


def _point_infos(rows: Iterable[Sequence[Any]]) -> dict[str, PointInfo]:
    return {
        str(mn): PointInfo(int(pk), str(mn), str(password), str(policy), bool(active))
        for pk, mn, password, policy, active in rows
    }


def _point_values(spec: PointSpec) -> tuple[Any, ...]:
    return (
        spec.mn,
        spec.name,
        spec.enterprise_name,
        spec.outlet,
        spec.medium,
        spec.password,
        spec.tolerance,
        spec.active,
    )


class SQLiteFrameWriter:
    """Writes to the SQLite database of the Django project (schema made by migrations).

    path: The database file. data_time_zone: Zone of the loggers' DataTime.
    busy_timeout: How long to wait for another writer's lock (the Django site) [s].
    connection: An open connection in autocommit mode (``isolation_level=None``) to use
        instead of opening ``path``, e.g. the Django test database's in-memory one.

    Durability: WAL journal and ``synchronous=FULL``, so a committed batch survives a
    crash of the process or of the machine.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        data_time_zone: str = DATA_TIME_ZONE,
        busy_timeout: float = 30.0,
        connection: sqlite3.Connection | None = None,
    ) -> None:
        self.path = Path(path)
        if connection is None:
            if not self.path.is_file():
                raise FileNotFoundError(
                    f"{self.path}: no database; run `ecer manage migrate` first"
                )
            connection = sqlite3.connect(
                self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
        self.connection = connection
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=FULL")
        # A larger page cache keeps the measurement indexes in memory [KiB when negative].
        self.connection.execute("PRAGMA cache_size=-65536")
        _require_tables(
            {
                row[0]
                for row in self.connection.execute("SELECT name FROM sqlite_master")
                if isinstance(row[0], str)
            },
            self.path,
        )
        self._rows = _SQLiteRows(data_time_zone)
        self._insert_raw = _insert(RAW_FRAME_TABLE, _RAW_COLUMNS, "?", " ON CONFLICT DO NOTHING")
        self._insert_logged = _insert(RAW_FRAME_TABLE, _RAW_COLUMNS, "?")
        self._insert_measurement = _insert(
            MEASUREMENT_TABLE, _MEASUREMENT_COLUMNS, "?", " ON CONFLICT DO NOTHING"
        )

    def write_batch(self, frames: Sequence[ReceivedFrame]) -> list[WriteResult]:
        db = self.connection
        rows = self._rows
        results: list[WriteResult] = []
        db.execute("BEGIN IMMEDIATE")
        try:
            for item in frames:
                status = item.status
                cursor = db.execute(
                    self._insert_raw if status == STORED else self._insert_logged,
                    rows.raw(item, status),
                )
                if cursor.rowcount == 0:  # a unique index among stored rows: a repeat
                    status = DUPLICATE
                    cursor = db.execute(self._insert_logged, rows.raw(item, status))
                frame_id = int(cursor.lastrowid or 0)
                added = 0
                if status == STORED:
                    values = rows.measurements(item, frame_id)
                    if values:
                        # rowcount: rows this statement inserted (sqlite3_changes), not the
                        # rollup rows its triggers wrote (which total_changes would count).
                        added = db.executemany(self._insert_measurement, values).rowcount
                results.append(WriteResult(status, frame_id, added))
            db.execute("COMMIT")
        except BaseException as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError) and _SQLITE_BUSY in str(exc):
                raise StoreUnavailable(f"{self.path}: {exc}") from exc
            raise
        return results

    def purge_quarantine(self, before: datetime) -> int:
        db = self.connection
        db.execute("BEGIN IMMEDIATE")
        try:
            cursor = db.execute(_PURGE.replace("%s", "?"), (self._rows.timestamp(before),))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return int(cursor.rowcount)

    def load_points(self) -> dict[str, PointInfo]:
        return _point_infos(self.connection.execute(_POINT_QUERY))

    def register_points(self, points: Iterable[PointSpec]) -> int:
        sql = _insert(POINT_TABLE, _POINT_COLUMNS, "?", _POINT_UPSERT)
        values = [_point_values(spec) for spec in points]
        db = self.connection
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany(sql, values)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return len(values)

    def close(self) -> None:
        self.connection.close()


_POINT_UPSERT: Final = (
    " ON CONFLICT (mn) DO UPDATE SET password = excluded.password, active = excluded.active"
)


def _require_tables(names: set[str], where: object) -> None:
    missing = {POINT_TABLE, RAW_FRAME_TABLE, MEASUREMENT_TABLE} - names
    if missing:
        raise LookupError(
            f"{where}: tables {', '.join(sorted(missing))} missing; run `ecer manage migrate` first"
        )


# Staging tables of the PostgreSQL writer: temporary (one per connection, not WAL-logged),
# emptied at every commit. Their columns are text where the target's are varchar: the
# INSERT … SELECT casts, and binary COPY needs the exact types of the staging columns.
RAW_STAGE: Final = "hj212_raw_stage"
# The database function that folds the measurements set aside by the measurement table's
# trigger into the rollups (``ecer.web.monitoring.rollups`` installs both).
FOLD: Final = "monitoring_rollup_fold"
MEASUREMENT_STAGE: Final = "hj212_measurement_stage"
_RAW_STAGE_TYPES: Final = (
    ("id", "int8"),
    ("received_at", "timestamptz"),
    ("peer", "text"),
    ("mn", "text"),
    ("qn", "text"),
    ("cn", "text"),
    ("pno", "int4"),
    ("data_time", "timestamptz"),
    ("data", "bytea"),
    ("text", "text"),
    ("deviations", "text"),
    ("status", "text"),
    ("quarantine_reason", "text"),
)
_MEASUREMENT_STAGE_TYPES: Final = (
    ("point_id", "int8"),
    ("data_time", "timestamptz"),
    ("cn", "text"),
    ("pollutant", "text"),
    ("kind", "text"),
    ("value", "float8"),
    ("flag", "text"),
    ("frame_id", "int8"),
    ("ordinal", "int4"),
)


def _stage_sql(table: str, types: Sequence[tuple[str, str]]) -> str:
    columns = ", ".join(f"{name} {kind}" for name, kind in types)
    return f"CREATE TEMPORARY TABLE IF NOT EXISTS {table} ({columns}) ON COMMIT DELETE ROWS"


def _copy_sql(table: str, types: Sequence[tuple[str, str]]) -> str:
    columns = ", ".join(name for name, _ in types)
    return f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)"


def _raw_select(status: str = "status") -> str:
    """The staged raw columns as the raw log's (``status``: the expression stored)."""
    casts = {"deviations": "deviations::jsonb", "status": status}
    return ", ".join(casts.get(name, name) for name in ("id", *_RAW_COLUMNS))


_RAW_TARGET: Final = f"{RAW_FRAME_TABLE} (id, {', '.join(_RAW_COLUMNS)})"
# 1. Frames the gateway accepted, in batch order: a unique index among stored rows (a
# repeat of a stored frame, or of an earlier frame of the same batch) skips the row.
_INSERT_STORED: Final = (
    f"INSERT INTO {_RAW_TARGET} SELECT {_raw_select()} FROM {RAW_STAGE} "
    f"WHERE status = '{STORED}' ORDER BY id ON CONFLICT DO NOTHING RETURNING id"
)
_REPEAT_STATUS: Final = f"CASE WHEN status = '{STORED}' THEN '{DUPLICATE}' ELSE status END"
# 2. The rest — quarantined input, and the repeats step 1 skipped — logged as they are.
_INSERT_LOGGED: Final = (
    f"INSERT INTO {_RAW_TARGET} SELECT "
    f"{_raw_select(_REPEAT_STATUS)} "
    f"FROM {RAW_STAGE} s WHERE NOT EXISTS "
    f"(SELECT 1 FROM {RAW_FRAME_TABLE} r WHERE r.id = s.id) ORDER BY id RETURNING id, status"
)
# 3. The measurements of the frames stored, straight into their table by one COPY (one
# statement: the trigger that sets them aside for the rollups' fold runs once per batch on
# its transition table) when none of them is stored yet, the usual case; else
# _INSERT_MEASUREMENTS: the same rows from the staging table, a value already stored (or
# earlier in the batch) skipped, counted per frame.
_MEASUREMENT_COPY: Final = _copy_sql(MEASUREMENT_TABLE, _MEASUREMENT_STAGE_TYPES[:-1])
_MEASUREMENT_COPY_TYPES: Final = [kind for _, kind in _MEASUREMENT_STAGE_TYPES[:-1]]
assert tuple(name for name, _ in _MEASUREMENT_STAGE_TYPES[:-1]) == _MEASUREMENT_COLUMNS
_INSERT_MEASUREMENTS: Final = (
    f"WITH added AS (INSERT INTO {MEASUREMENT_TABLE} ({', '.join(_MEASUREMENT_COLUMNS)}) "
    f"SELECT {', '.join(_MEASUREMENT_COLUMNS)} FROM {MEASUREMENT_STAGE} ORDER BY ordinal "
    "ON CONFLICT DO NOTHING RETURNING frame_id) "
    "SELECT frame_id, count(*) FROM added GROUP BY frame_id"
)


class PostgresFrameWriter:
    """Writes to the PostgreSQL database of the Django project (schema made by migrations).

    conninfo: libpq connection string. data_time_zone: Zone of the loggers' DataTime.

    A batch is one transaction of a few set-based statements, whatever its size:

    1. row ids for the batch from the raw log's sequence (so that rows can be told apart
       in the statements' results);
    2. ``COPY … (FORMAT BINARY)`` of the raw rows into a temporary staging table;
    3. ``INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING id`` of the accepted frames
       into the raw log: its conditional unique indexes skip a repeat, whether stored by an
       earlier batch, another writer (they wait for each other's uncommitted rows on the
       index) or earlier in this batch; then one INSERT of the rest (quarantined, and the
       repeats as ``duplicate``);
    4. binary COPY of the stored frames' measurements straight into the measurement table
       — one statement, so its trigger (a statement trigger with a transition table) sets
       the batch's new rows aside once for the rollups' fold; when one of them is stored
       already (rare: the frames are new), the same rows through a second staging table
       and one ``INSERT … SELECT … ON CONFLICT DO NOTHING`` (see ``_add_measurements``);
    5. the commit, which waits for the WAL flush (``synchronous_commit=on``). Only then does
       :meth:`write_batch` return, and only then are the stations (or JetStream) answered.

    Before a batch, when ``fold_interval`` seconds have passed since the last, the writer
    folds what is pending into the rollups (:meth:`fold`, its own transaction; a fold
    before the batch, not after its commit, so no answer waits for it). None: never (a
    separate job folds; pages fold what is left when they read).

    COPY cannot skip conflicting rows, hence the staging tables (temporary: not WAL-logged,
    emptied at each commit). A lost connection raises :class:`StoreUnavailable` (the batch
    was not committed, or its commit was not confirmed: written again, the unique indexes
    make it a repeat); the next call connects again.
    """

    # libpq options that turn a dead or black-holed server into an error within seconds
    # instead of a read that waits for ever: connect timeout [s], TCP keepalives [s] and
    # the longest unacknowledged write [ms].
    CONNECTION_OPTIONS: Final[Mapping[str, Any]] = MappingProxyType(
        {
            "connect_timeout": 5,
            "keepalives": 1,
            "keepalives_idle": 5,
            "keepalives_interval": 2,
            "keepalives_count": 3,
            "tcp_user_timeout": 10_000,
        }
    )
    # A batch rolled back by PostgreSQL's deadlock detector is written again this often.
    DEADLOCK_ATTEMPTS: Final = 5
    # Memory of a fold's aggregates and sort (a backlog after an outage: hundreds of
    # thousands of bucket rows): at PostgreSQL's default 4 MB they spill to disk.
    WORK_MEM: Final = "64MB"

    # Seconds between the folds a writer runs before a batch (see :meth:`fold`).
    FOLD_INTERVAL: Final = 5.0

    def __init__(
        self,
        conninfo: str,
        *,
        data_time_zone: str = DATA_TIME_ZONE,
        fold_interval: float | None = FOLD_INTERVAL,
    ) -> None:
        self.conninfo = conninfo
        self.reconnects = 0
        self.fold_interval = fold_interval
        self.folded = 0  # measurements this writer folded into the rollups
        self._folded_at = time.monotonic()
        self.connection = self._connect()
        names = {
            str(row[0])
            for row in self.connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
        }
        _require_tables(names, "PostgreSQL")
        [(sequence,)] = self.connection.execute(
            "SELECT pg_get_serial_sequence(%s, 'id')", (RAW_FRAME_TABLE,)
        ).fetchall()
        self._next_ids = f"SELECT nextval('{sequence}') FROM generate_series(1, %s)"
        self._rows = _Rows(data_time_zone)
        [(folds,)] = self.connection.execute("SELECT to_regproc(%s) IS NOT NULL", (FOLD,))
        self._folds = bool(folds)
        if not folds:  # a database migrated before the folds: its trigger keeps the rollups
            self.fold_interval = None

    def _connect(self) -> Any:
        import psycopg

        try:
            connection = psycopg.connect(self.conninfo, autocommit=True, **self.CONNECTION_OPTIONS)
            connection.execute("SET synchronous_commit = on")
            connection.execute(f"SET work_mem = '{self.WORK_MEM}'")
            connection.execute(_stage_sql(RAW_STAGE, _RAW_STAGE_TYPES))
            connection.execute(_stage_sql(MEASUREMENT_STAGE, _MEASUREMENT_STAGE_TYPES))
        except psycopg.OperationalError as exc:
            raise StoreUnavailable(f"PostgreSQL: cannot connect: {exc}".strip()) from exc
        return connection

    def _usable(self) -> Any:
        """The connection; a new one when the last was lost (:class:`StoreUnavailable` if
        the server cannot be reached)."""
        if self.connection.closed or self.connection.broken:
            self.connection.close()
            self.connection = self._connect()
            self.reconnects += 1
        return self.connection

    def _unavailable(self, exc: Exception) -> StoreUnavailable:
        """Whether ``exc`` lost the connection (StoreUnavailable) or is the statement's."""
        self.connection.close()  # whatever state the session was in, start a new one
        return StoreUnavailable(f"PostgreSQL: connection lost: {exc}".strip())

    def _guarded(self, operation: Callable[[Any], _T]) -> _T:
        """Run ``operation`` on a usable connection; a lost connection is StoreUnavailable."""
        import psycopg

        connection = self._usable()
        try:
            return operation(connection)
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
            if (
                connection.broken
                or connection.closed
                or isinstance(exc, psycopg.errors.AdminShutdown | psycopg.errors.CannotConnectNow)
            ):
                raise self._unavailable(exc) from exc
            raise

    def write_batch(self, frames: Sequence[ReceivedFrame]) -> list[WriteResult]:
        import psycopg

        if not frames:
            return []
        for attempt in range(self.DEADLOCK_ATTEMPTS):
            try:
                return self._guarded(lambda connection: self._write_batch(connection, frames))
            except psycopg.errors.DeadlockDetected:
                # Two writers inserting overlapping frames (a redelivery) in different
                # orders; PostgreSQL rolled this one back. Again: now the other committed.
                if attempt == self.DEADLOCK_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def fold(self, *, wait: bool = False) -> int:
        """Fold pending measurements into the rollups (the database's ``FOLD`` function, its
        own transaction); returns how many. wait: after the fold running now, if any;
        else nothing when another fold (another writer's, a page's) is running."""

        if not self._folds:
            return 0

        def run(connection: Any) -> int:
            [(folded,)] = connection.execute(f"SELECT {FOLD}(%s)", (wait,)).fetchall()
            return int(folded)

        folded = self._guarded(run)
        self.folded += folded
        self._folded_at = time.monotonic()
        return folded

    def folder(self) -> PostgresFrameWriter | None:
        """For a process that stores batches and answers after each (the gateway): a second
        writer, on a connection of its own, to call :meth:`fold` on from a thread of its
        own, so that no batch — no station's answer — waits for a fold; this writer then
        folds no more before its batches. None when the database has no folds."""
        if not self._folds:
            return None
        folder = PostgresFrameWriter(self.conninfo, fold_interval=None)
        self.fold_interval = None
        return folder

    def _write_batch(self, connection: Any, frames: Sequence[ReceivedFrame]) -> list[WriteResult]:
        interval = self.fold_interval
        if interval is not None and time.monotonic() - self._folded_at >= interval:
            # Before the batch, not after its commit: no answer waits for a fold.
            self.fold()
        rows = self._rows
        with connection.transaction(), connection.cursor() as cursor:
            ids = [int(row[0]) for row in cursor.execute(self._next_ids, (len(frames),))]
            with cursor.copy(_copy_sql(RAW_STAGE, _RAW_STAGE_TYPES)) as copy:
                copy.set_types([kind for _, kind in _RAW_STAGE_TYPES])
                for row_id, item in zip(ids, frames, strict=True):
                    copy.write_row((row_id, *rows.raw(item, item.status)))
            stored = {int(row[0]) for row in cursor.execute(_INSERT_STORED).fetchall()}
            statuses = {row_id: STORED for row_id in stored}
            if len(stored) < len(frames):
                statuses.update(
                    (int(row_id), str(status))
                    for row_id, status in cursor.execute(_INSERT_LOGGED).fetchall()
                )
            measurements = [
                values
                for row_id, item in zip(ids, frames, strict=True)
                if row_id in stored
                for values in rows.measurements(item, row_id)
            ]
            added = self._add_measurements(connection, cursor, measurements)
        return [WriteResult(statuses[row_id], row_id, added.get(row_id, 0)) for row_id in ids]

    @staticmethod
    def _add_measurements(
        connection: Any, cursor: Any, measurements: list[tuple[Any, ...]]
    ) -> Mapping[int, int]:
        """Store the measurements of the batch's stored frames; how many per frame.

        Straight into the table by one binary COPY (one statement: its trigger sets the
        batch's rows aside once), in a savepoint: a value already stored — two subpackets
        of one frame carrying the same value — fails the COPY whole, and the same rows then
        go through the staging table and one ``INSERT … ON CONFLICT DO NOTHING``, which
        skips it. The stored frames are new (the raw log's unique indexes turned every
        repeat away), so that is rare.
        """
        import psycopg

        if not measurements:
            return {}
        try:
            with connection.transaction(), cursor.copy(_MEASUREMENT_COPY) as copy:
                copy.set_types(_MEASUREMENT_COPY_TYPES)
                for values in measurements:
                    copy.write_row(values)
        except psycopg.errors.UniqueViolation:
            with cursor.copy(_copy_sql(MEASUREMENT_STAGE, _MEASUREMENT_STAGE_TYPES)) as copy:
                copy.set_types([kind for _, kind in _MEASUREMENT_STAGE_TYPES])
                for ordinal, values in enumerate(measurements):
                    copy.write_row((*values, ordinal))
            cursor.execute(_INSERT_MEASUREMENTS)
            return {int(frame_id): int(count) for frame_id, count in cursor.fetchall()}
        return Counter(values[-1] for values in measurements)  # frame_id: the last column

    def purge_quarantine(self, before: datetime) -> int:
        def purge(connection: Any) -> int:
            with connection.transaction():
                cursor = connection.execute(_PURGE, (before,))
            return int(cursor.rowcount)

        return self._guarded(purge)

    def load_points(self) -> dict[str, PointInfo]:
        return self._guarded(
            lambda connection: _point_infos(connection.execute(_POINT_QUERY).fetchall())
        )

    def register_points(self, points: Iterable[PointSpec]) -> int:
        values = [_point_values(spec) for spec in points]

        def register(connection: Any) -> int:
            with connection.transaction(), connection.cursor() as cursor:
                sql = _insert(POINT_TABLE, _POINT_COLUMNS, "%s", _POINT_UPSERT)
                cursor.executemany(sql, values)
            return len(values)

        return self._guarded(register)

    def close(self) -> None:
        self.connection.close()


def default_database_url() -> str:
    """The database the Django settings use: DATABASE_URL, else ECER_DATA_DIR/ecer.sqlite3.

    Same rule as ``ecer.web.settings`` (which this layer may not import): a variable may
    also be given as a file named by ``<NAME>_FILE``; ECER_DATA_DIR defaults to ``./var``.
    """

    def env(name: str, default: str) -> str:
        file_name = os.environ.get(f"{name}_FILE")
        if file_name:
            return Path(file_name).read_text(encoding="utf-8").strip()
        return os.environ.get(name, default)

    data_dir = Path(env("ECER_DATA_DIR", str(Path.cwd() / "var"))).resolve()
    return env("DATABASE_URL", f"sqlite:///{data_dir / 'ecer.sqlite3'}")


def open_store(database_url: str, *, data_time_zone: str = DATA_TIME_ZONE) -> FrameStore:
    """The writer for a Django-style ``DATABASE_URL`` (``sqlite:///…``, ``postgres://…``)."""
    config = dj_database_url.parse(database_url)
    engine = config.get("ENGINE", "")
    if engine.endswith("sqlite3"):
        return SQLiteFrameWriter(str(config.get("NAME", "")), data_time_zone=data_time_zone)
    if "postgresql" in engine:
        return PostgresFrameWriter(postgres_conninfo(database_url), data_time_zone=data_time_zone)
    raise ValueError(f"{database_url}: HJ 212 storage supports SQLite and PostgreSQL only")


def postgres_conninfo(database_url: str, dbname: str | None = None) -> str:
    """libpq connection string for a ``postgres://`` URL (optionally another database)."""
    from psycopg.conninfo import make_conninfo

    config = dj_database_url.parse(database_url)
    params = {
        "dbname": dbname or config.get("NAME") or "postgres",
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "host": config.get("HOST") or None,
        "port": str(config.get("PORT") or "") or None,
    }
    return make_conninfo("", **{key: value for key, value in params.items() if value})
