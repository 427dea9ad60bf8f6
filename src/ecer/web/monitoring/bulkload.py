"""Bulk writes of measurements held in numpy arrays: PostgreSQL COPY, SQLite executemany.

PostgreSQL gets the rows through ``COPY … FROM STDIN (FORMAT BINARY)`` on Django's psycopg 3
connection. Every generated row has the same byte layout — fixed-width codes, kinds and
flags — so a whole block of rows is one numpy structured array in the binary COPY tuple
format, written with one ``tobytes()``: no Python code runs per row. SQLite gets them through
``executemany`` on the raw ``sqlite3`` connection, a block at a time.

Both write in the caller's transaction (``transaction.atomic``) and leave ``frame_id`` NULL
(the rows come from no received frame).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from ecer.hj212.storage import MEASUREMENT_TABLE
from ecer.web.monitoring.series import Series

COLUMNS = ("point_id", "data_time", "cn", "pollutant", "kind", "value", "flag")
# The column types the binary layout below is written for (Django's migration 0001).
POSTGRES_TYPES = {
    "point_id": "bigint",
    "data_time": "timestamp with time zone",
    "cn": "character varying(4)",
    "value": "double precision",
}
# Binary COPY (PostgreSQL docs, COPY "Binary Format"): an 11-byte signature, a 32-bit flags
# field and a 32-bit header-extension length; each tuple a 16-bit field count and per field
# a 32-bit length and the value in network byte order; a trailer of field count -1.
COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
COPY_TRAILER = struct.pack(">h", -1)
# timestamptz travels as microseconds since 2000-01-01 00:00 UTC.
POSTGRES_EPOCH_US = 946_684_800 * 1_000_000


@dataclass(frozen=True)
class MeasurementRows:
    """Measurements of one point and one data command, one array element per row.

    data_time_us: [µs since 1970-01-01 UTC]. pollutant, kind, flag: ASCII bytes.
    """

    point_id: int
    cn: str
    data_time_us: npt.NDArray[np.int64]
    pollutant: npt.NDArray[np.bytes_]
    kind: npt.NDArray[np.bytes_]
    value: npt.NDArray[np.float64]
    flag: npt.NDArray[np.bytes_]

    def __len__(self) -> int:
        return len(self.value)

    @classmethod
    def from_series(cls, point_id: int, cn: str, series: Series) -> MeasurementRows:
        """The present rows of a series, time by time, in the order of its columns."""
        kept = np.flatnonzero(series.present)
        width = len(series.columns)
        times = series.start_us + kept.astype(np.int64) * series.step_us
        return cls(
            point_id=point_id,
            cn=cn,
            data_time_us=np.repeat(times, width),
            pollutant=np.tile(np.array([p for p, _ in series.columns], dtype=np.bytes_), len(kept)),
            kind=np.tile(np.array([k for _, k in series.columns], dtype=np.bytes_), len(kept)),
            value=series.values[kept].reshape(-1),
            flag=series.flags[kept].reshape(-1),
        )


def _fixed_width(name: str, values: npt.NDArray[np.bytes_]) -> int:
    """The one length of every value of a text column (the layout has no room for two)."""
    width = values.dtype.itemsize
    if len(values) and not np.all(np.strings.str_len(values) == width):
        raise ValueError(f"{name}: values of different lengths cannot share one binary layout")
    return width


def copy_tuples(rows: MeasurementRows) -> bytes:
    """The rows as binary COPY tuples of COLUMNS (without signature and trailer)."""
    cn = rows.cn.encode("ascii")
    widths = {
        "pollutant": _fixed_width("pollutant", rows.pollutant),
        "kind": _fixed_width("kind", rows.kind),
        "flag": _fixed_width("flag", rows.flag),
    }
    layout = np.dtype(
        [
            ("fields", ">i2"),
            ("point_id_length", ">i4"),
            ("point_id", ">i8"),
            ("data_time_length", ">i4"),
            ("data_time", ">i8"),
            ("cn_length", ">i4"),
            ("cn", f"S{len(cn)}"),
            ("pollutant_length", ">i4"),
            ("pollutant", f"S{widths['pollutant']}"),
            ("kind_length", ">i4"),
            ("kind", f"S{widths['kind']}"),
            ("value_length", ">i4"),
            ("value", ">f8"),
            ("flag_length", ">i4"),
            ("flag", f"S{widths['flag']}"),
        ]
    )
    tuples = np.empty(len(rows), dtype=layout)
    tuples["fields"] = len(COLUMNS)
    tuples["point_id_length"] = 8
    tuples["point_id"] = rows.point_id
    tuples["data_time_length"] = 8
    tuples["data_time"] = rows.data_time_us - POSTGRES_EPOCH_US
    tuples["cn_length"] = len(cn)
    tuples["cn"] = cn
    tuples["pollutant_length"] = widths["pollutant"]
    tuples["pollutant"] = rows.pollutant
    tuples["kind_length"] = widths["kind"]
    tuples["kind"] = rows.kind
    tuples["value_length"] = 8
    tuples["value"] = rows.value
    tuples["flag_length"] = widths["flag"]
    tuples["flag"] = rows.flag
    return tuples.tobytes()


def check_postgres_columns(db: BaseDatabaseWrapper = connection) -> None:
    """Refuse to COPY when the table's column types are not those of the binary layout."""
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attname = ANY(%s)",
            [MEASUREMENT_TABLE, list(POSTGRES_TYPES)],
        )
        found = dict(cursor.fetchall())
    wrong = {name: found.get(name) for name in POSTGRES_TYPES}
    wrong = {name: kind for name, kind in wrong.items() if kind != POSTGRES_TYPES[name]}
    if wrong:
        raise RuntimeError(
            f"{MEASUREMENT_TABLE}: column types {wrong} differ from {POSTGRES_TYPES}; "
            "the binary COPY layout of ecer.web.monitoring.bulkload needs updating"
        )


def _write_postgres(blocks: Iterable[MeasurementRows], db: BaseDatabaseWrapper) -> int:
    written = 0
    statement = f"COPY {MEASUREMENT_TABLE} ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)"
    with db.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        copy.write(COPY_SIGNATURE)
        for rows in blocks:
            copy.write(copy_tuples(rows))
            written += len(rows)
        copy.write(COPY_TRAILER)
    return written


def sqlite_times(data_time_us: npt.NDArray[np.int64]) -> list[str]:
    """Times as Django's SQLite backend stores aware datetimes: naive UTC text.

    Each run of equal times (the columns of one data time) is formatted once.
    """
    if not len(data_time_us):
        return []
    starts = np.flatnonzero(np.r_[True, data_time_us[1:] != data_time_us[:-1]])
    runs = np.diff(np.r_[starts, len(data_time_us)])
    text = np.datetime_as_string(data_time_us[starts].astype("datetime64[us]"), unit="s")
    return list(np.repeat(np.strings.replace(text, "T", " "), runs).tolist())


def _write_sqlite(blocks: Iterable[MeasurementRows], db: BaseDatabaseWrapper) -> int:
    written = 0
    marks = ", ".join("?" * len(COLUMNS))
    statement = f"INSERT INTO {MEASUREMENT_TABLE} ({', '.join(COLUMNS)}) VALUES ({marks})"
    db.ensure_connection()
    for rows in blocks:
        count = len(rows)
        db.connection.executemany(
            statement,
            zip(
                [rows.point_id] * count,
                sqlite_times(rows.data_time_us),
                [rows.cn] * count,
                rows.pollutant.astype(np.str_).tolist(),
                rows.kind.astype(np.str_).tolist(),
                rows.value.tolist(),
                rows.flag.astype(np.str_).tolist(),
                strict=True,
            ),
        )
        written += count
    return written


def write_measurements(
    blocks: Iterable[MeasurementRows], db: BaseDatabaseWrapper = connection
) -> int:
    """Insert the rows of every block; returns how many. Call inside ``transaction.atomic``."""
    if db.vendor == "postgresql":
        return _write_postgres(blocks, db)
    if db.vendor == "sqlite":
        return _write_sqlite(blocks, db)
    raise NotImplementedError(f"bulk measurement writes on {db.vendor}")
