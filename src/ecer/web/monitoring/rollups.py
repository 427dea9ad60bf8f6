"""Rollups of the measurements (hour → day → month), kept from every insert.

Every path that adds measurements — the gateway, the JetStream writers, the ORM, a COPY of
generated data — goes through an INSERT into the measurement table, so triggers on that
table are the one place that sees them all. Rows the unique constraint turns away (ON
CONFLICT DO NOTHING) are not inserted and are not counted.

PostgreSQL (the production database; issue #25): the write transaction does no rollup work
beyond setting its new rows aside. A statement trigger with a transition table appends them
to ``monitoring_rollup_pending`` (no index, no key: about 4 % of a bare COPY), and a *fold*
(``monitoring_rollup_fold()``, :func:`fold`) takes pending rows out and upserts their
buckets in ONE transaction — grouped by hour first, then by day and month, so ten minutes of
minute data cost one upsert per bucket, not ten. A fold killed halfway folded nothing (its
DELETE is rolled back with its upserts); a row is folded once however many folds run (the
DELETE takes each row once, and folds run one at a time: a writer finding one running skips
its own, a reader waits for it). Folds run in the JetStream writers (every
``PostgresFrameWriter.FOLD_INTERVAL`` seconds before a batch, and when idle), in the
gateway writing to the database itself (every ``GatewayConfig.fold_interval`` seconds, on
a connection and a thread of its own, so that no batch waits for one), in the scheduled job
``fold``, and before every read: :func:`current` is called by the ``Rollup``
manager and by ``reads`` before they read, so a page's figures always include every
measurement committed before it asked (the answer of a full fold, not of the last one).

SQLite (``make run``) keeps its row triggers, which upsert each row's buckets in the write
transaction: nothing is ever pending there, and a fold is a no-op.

Measurements are append-only: the gateway never changes or deletes one, the admin shows
them read-only. Whoever deletes measurements (``delete_measurements``) rebuilds the
rollups of those points, which is also how a bulk load may skip the triggers. Moving
sub-hourly rows into blocks (``blocks.compact``) leaves the rollups as they are (their
pending copies still fold); blocks written directly add theirs through ``add_hours``, and
``rebuild`` counts rows and blocks.

Buckets are Beijing periods (``storage.DATA_TIME_ZONE``); SQLite has no zone database, so
there the offset is the fixed UTC+8 (China has had no daylight saving time since 1991).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from ecer.hj212 import storage

TABLE = "monitoring_rollup"
MEASUREMENTS = storage.MEASUREMENT_TABLE
VALID_FLAG = "N"  # ecer.core.monitoring.VALID_FLAG: only N-flagged values are valid
# Hour rollups exist for the data finer than an hour: real-time (2011) and minute (2051).
SUB_HOURLY = ("2011", "2051")
KEY = ("point_id", "cn", "pollutant", "kind", "level", "start")
COLUMNS = (
    *KEY,
    "count",
    "valid_count",
    "valid_sum",
    "valid_min",
    "valid_max",
    "last_time",
    "off_hour",
)
# An hour rollup row without its level: what ``add_hours`` takes.
HOUR_ROW = tuple(c for c in COLUMNS if c != "level")
_KEY_SQL = ", ".join(KEY)
_COLUMNS_SQL = ", ".join(COLUMNS)
_SUB_HOURLY_SQL = ", ".join(f"'{cn}'" for cn in SUB_HOURLY)


def _merge(least: str, greatest: str) -> str:
    """The upsert's update: counts and sums add up, extremes take the more extreme."""

    def extreme(function: str, column: str) -> str:
        # COALESCE on both sides: SQLite's two-argument min/max return NULL for any NULL.
        return (
            f"{column} = {function}(COALESCE({TABLE}.{column}, excluded.{column}), "
            f"COALESCE(excluded.{column}, {TABLE}.{column}))"
        )

    return (
        f"ON CONFLICT ({_KEY_SQL}) DO UPDATE SET "
        f"count = {TABLE}.count + excluded.count, "
        f"valid_count = {TABLE}.valid_count + excluded.valid_count, "
        f"valid_sum = {TABLE}.valid_sum + excluded.valid_sum, "
        f"{extreme(least, 'valid_min')}, {extreme(greatest, 'valid_max')}, "
        f"{extreme(greatest, 'last_time')}, "
        f"off_hour = {TABLE}.off_hour + excluded.off_hour"
    )


# --- PostgreSQL -----------------------------------------------------------------------------

_PG_AGGREGATE = f"""
SELECT m.point_id, m.cn, m.pollutant, m.kind, b.level, b.start,
       count(*), count(*) FILTER (WHERE m.flag = '{VALID_FLAG}'),
       coalesce(sum(m.value) FILTER (WHERE m.flag = '{VALID_FLAG}'), 0),
       min(m.value) FILTER (WHERE m.flag = '{VALID_FLAG}'),
       max(m.value) FILTER (WHERE m.flag = '{VALID_FLAG}'),
       max(m.data_time),
       count(*) FILTER (WHERE date_trunc('hour', m.data_time, 'UTC') <> m.data_time)
FROM {{source}} AS m
CROSS JOIN LATERAL (VALUES
    ('hour', date_trunc('hour', m.data_time, 'UTC')),
    ('day', date_trunc('day', m.data_time, '{storage.DATA_TIME_ZONE}')),
    ('month', date_trunc('month', m.data_time, '{storage.DATA_TIME_ZONE}'))
) AS b(level, start)
WHERE (b.level <> 'hour' OR m.cn IN ({_SUB_HOURLY_SQL})) {{condition}}
GROUP BY m.point_id, m.cn, m.pollutant, m.kind, b.level, b.start
ORDER BY m.point_id, m.cn, m.pollutant, m.kind, b.level, b.start
"""


def _pg_fold(take: str) -> str:
    """One fold statement: the rows ``take`` (a DELETE … RETURNING) deletes, added to the
    rollups; their number into ``folded``. Grouped by hour first, then the hours by day and
    month (Beijing days and months begin on whole UTC hours), so an hour of minute data is
    one row before it meets the day and month buckets."""
    valid = f"FILTER (WHERE flag = '{VALID_FLAG}')"
    zone = storage.DATA_TIME_ZONE
    totals = (
        "sum(count), sum(valid_count), sum(valid_sum), min(valid_min), max(valid_max), "
        "max(last_time), sum(off_hour)"
    )
    return f"""
        WITH taken AS ({take}),
        hours AS (
            SELECT point_id, cn, pollutant, kind, date_trunc('hour', data_time, 'UTC') AS start,
                   count(*) AS count, count(*) {valid} AS valid_count,
                   coalesce(sum(value) {valid}, 0) AS valid_sum,
                   min(value) {valid} AS valid_min, max(value) {valid} AS valid_max,
                   max(data_time) AS last_time,
                   count(*) FILTER (WHERE date_trunc('hour', data_time, 'UTC') <> data_time)
                       AS off_hour
            FROM taken GROUP BY point_id, cn, pollutant, kind, 5
        ),
        buckets AS (
            SELECT point_id, cn, pollutant, kind, 'hour' AS level, start, count, valid_count,
                   valid_sum, valid_min, valid_max, last_time, off_hour
            FROM hours WHERE cn IN ({_SUB_HOURLY_SQL})
            UNION ALL
            SELECT point_id, cn, pollutant, kind, b.level, b.bucket, {totals}
            FROM hours CROSS JOIN LATERAL (VALUES
                ('day', date_trunc('day', start, '{zone}')),
                ('month', date_trunc('month', start, '{zone}'))
            ) AS b(level, bucket)
            GROUP BY point_id, cn, pollutant, kind, b.level, b.bucket
        ),
        added AS (
            INSERT INTO {TABLE} ({_COLUMNS_SQL})
            SELECT * FROM buckets
            -- One order for every fold (no deadlock between folds), the index's; "C": the
            -- cheapest comparison of text.
            ORDER BY point_id, level COLLATE "C", cn COLLATE "C", kind COLLATE "C", start,
                pollutant COLLATE "C"
            {_merge("LEAST", "GREATEST")}
        )
        SELECT count(*) INTO folded FROM taken;"""


# The measurements not folded yet: what each INSERT into the measurement table added,
# copied by the trigger (a plain append: no index, no key, no foreign key), taken by a
# fold. It holds the values, not references, so a fold needs no join back.
PENDING = "monitoring_rollup_pending"
# Advisory lock (transaction-level) held by every fold, ``rebuild`` and
# ``delete_measurements``: one at a time. Two folds side by side would only wait for each
# other's buckets; and a fold inside a longer transaction (a page's, holding the buckets it
# upserted) could otherwise deadlock with a writer's fold waiting on those buckets.
FOLD_LOCK = 2120250  # HJ 212, issue #25: any constant no other code uses
_PENDING_COLUMNS = ("point_id", "data_time", "cn", "pollutant", "kind", "value", "flag")
_PENDING_SQL = ", ".join(_PENDING_COLUMNS)

_PG_INSTALL = f"""
CREATE TABLE IF NOT EXISTS {PENDING} (
    point_id bigint NOT NULL,
    data_time timestamp with time zone NOT NULL,
    cn varchar(4) NOT NULL,
    pollutant varchar({storage.POLLUTANT_CODE_LENGTH}) NOT NULL,
    kind varchar(8) NOT NULL,
    value double precision NOT NULL,
    flag varchar({storage.FLAG_LENGTH}) NOT NULL
) WITH (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 100000);
CREATE OR REPLACE FUNCTION {TABLE}_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {PENDING} ({_PENDING_SQL}) SELECT {_PENDING_SQL} FROM new_rows;
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS {TABLE}_add ON {MEASUREMENTS};
CREATE TRIGGER {TABLE}_add AFTER INSERT ON {MEASUREMENTS}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_add();
-- Emptying the measurements (Django's flush, a reload) empties what waits for a fold.
CREATE OR REPLACE FUNCTION {TABLE}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE {PENDING};
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS {TABLE}_truncate ON {MEASUREMENTS};
CREATE TRIGGER {TABLE}_truncate AFTER TRUNCATE ON {MEASUREMENTS}
    FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_truncate();
CREATE OR REPLACE FUNCTION {TABLE}_fold(wait boolean DEFAULT true, most bigint DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    folded bigint;
BEGIN
    IF wait THEN
        PERFORM pg_advisory_xact_lock({FOLD_LOCK});  -- after the fold running now
    ELSIF NOT pg_try_advisory_xact_lock({FOLD_LOCK}) THEN
        RETURN 0;  -- a fold or a rebuild is running
    END IF;
    -- Every pending row this statement sees (or ``most`` of them): no other fold holds any.
    IF most IS NULL THEN
        {_pg_fold(f"DELETE FROM {PENDING} RETURNING {_PENDING_SQL}")}
    ELSE
        {
    _pg_fold(
        f"DELETE FROM {PENDING} WHERE ctid = ANY (ARRAY("
        f"SELECT ctid FROM {PENDING} LIMIT most)) RETURNING {_PENDING_SQL}"
    )
}
    END IF;
    RETURN folded;
END
$$;
"""

# --- SQLite ---------------------------------------------------------------------------------

# Bucket starts as Django stores aware datetimes on SQLite: naive UTC text.
_SQLITE_BUCKETS = {
    "hour": "strftime('%Y-%m-%d %H:00:00', {t})",
    "day": "datetime(date({t}, '+8 hours'), '-8 hours')",
    "month": "datetime(date({t}, '+8 hours', 'start of month'), '-8 hours')",
}


def _sqlite_row(level: str) -> str:
    """Upsert of one new row's contribution to its ``level`` bucket (trigger body)."""
    valid = f"new.flag = '{VALID_FLAG}'"
    values = ", ".join(
        (
            "new.point_id, new.cn, new.pollutant, new.kind",
            f"'{level}'",
            _SQLITE_BUCKETS[level].format(t="new.data_time"),
            "1",
            f"iif({valid}, 1, 0)",
            f"iif({valid}, new.value, 0)",
            f"iif({valid}, new.value, NULL)",
            f"iif({valid}, new.value, NULL)",
            "new.data_time",
            f"iif(new.data_time <> {_SQLITE_BUCKETS['hour'].format(t='new.data_time')}, 1, 0)",
        )
    )
    return f"INSERT INTO {TABLE} ({_COLUMNS_SQL}) VALUES ({values}) {_merge('min', 'max')};"


_SQLITE_INSTALL = (
    f"DROP TRIGGER IF EXISTS {TABLE}_add",
    f"DROP TRIGGER IF EXISTS {TABLE}_add_hour",
    f"CREATE TRIGGER {TABLE}_add AFTER INSERT ON {MEASUREMENTS} BEGIN "
    f"{_sqlite_row('day')} {_sqlite_row('month')} END",
    f"CREATE TRIGGER {TABLE}_add_hour AFTER INSERT ON {MEASUREMENTS} "
    f"WHEN new.cn IN ({_SUB_HOURLY_SQL}) BEGIN {_sqlite_row('hour')} END",
)


def _sqlite_aggregate(level: str, condition: str) -> str:
    bucket = _SQLITE_BUCKETS[level].format(t="data_time")
    valid = f"flag = '{VALID_FLAG}'"
    hour_only = f"AND cn IN ({_SUB_HOURLY_SQL})" if level == "hour" else ""
    return (
        f"SELECT point_id, cn, pollutant, kind, '{level}', {bucket}, count(*), "
        f"sum(iif({valid}, 1, 0)), total(iif({valid}, value, NULL)), "
        f"min(iif({valid}, value, NULL)), max(iif({valid}, value, NULL)), max(data_time), "
        f"sum(iif(data_time <> {_SQLITE_BUCKETS['hour'].format(t='data_time')}, 1, 0)) "
        f"FROM {MEASUREMENTS} WHERE 1 = 1 {hour_only} {condition} "
        f"GROUP BY point_id, cn, pollutant, kind, {bucket}"
    )


# --- both -----------------------------------------------------------------------------------


def install(db: BaseDatabaseWrapper = connection) -> None:
    """Create (or replace) the triggers that keep the rollups (PostgreSQL: also the pending
    table, if missing, and the fold function)."""
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute(_PG_INSTALL)
        elif db.vendor == "sqlite":
            for statement in _SQLITE_INSTALL:
                cursor.execute(statement)
        else:
            raise NotImplementedError(f"rollups: no triggers for {db.vendor}")


# Before the folds (migration 0009 reversed): the trigger upserted every bucket itself.
_PG_DIRECT = f"""
CREATE OR REPLACE FUNCTION {TABLE}_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {TABLE} ({_COLUMNS_SQL})
    {_PG_AGGREGATE.format(source="new_rows", condition="")}
    {_merge("LEAST", "GREATEST")};
    RETURN NULL;
END
$$;
"""


def install_direct(db: BaseDatabaseWrapper = connection) -> None:
    """The triggers as they were before the folds: every insert upserts its buckets in its
    own transaction (what migration 0009 reverses to)."""
    if db.vendor == "postgresql":
        with db.cursor() as cursor:
            cursor.execute(_PG_DIRECT)
    else:
        install(db)


def uninstall(db: BaseDatabaseWrapper = connection) -> None:
    """Drop the triggers (a migration that rebuilds the rollup table, a bulk load)."""
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_add ON {MEASUREMENTS}")
            cursor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_truncate ON {MEASUREMENTS}")
        else:
            cursor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_add")
            cursor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_add_hour")


def _point_condition(point_ids: Iterable[int] | None, prefix: str) -> tuple[str, list[int]]:
    if point_ids is None:
        return "", []
    ids = sorted({int(pk) for pk in point_ids})
    marks = ", ".join(["%s"] * len(ids)) or "NULL"
    return f"AND {prefix}point_id IN ({marks})", ids


_HOURS = "monitoring_rollup_hours"  # temporary: hour rows on their way in
_HOUR_COLUMN_TYPES = {
    "point_id": "bigint",
    "cn": "varchar(4)",
    "pollutant": "varchar(32)",
    "kind": "varchar(8)",
    "start": "timestamp with time zone",
    "count": "integer",
    "valid_count": "integer",
    "valid_sum": "double precision",
    "valid_min": "double precision",
    "valid_max": "double precision",
    "last_time": "timestamp with time zone",
    "off_hour": "integer",
}


def _roll_up_from_hours(level: str, vendor: str) -> str:
    """Upsert of the ``level`` rollups of the rows in the temporary hour table."""
    if vendor == "postgresql":
        bucket = {
            "hour": "start",
            "day": f"date_trunc('day', start, '{storage.DATA_TIME_ZONE}')",
            "month": f"date_trunc('month', start, '{storage.DATA_TIME_ZONE}')",
        }[level]
        merge = _merge("LEAST", "GREATEST")
    else:
        bucket = "start" if level == "hour" else _SQLITE_BUCKETS[level].format(t="start")
        merge = _merge("min", "max")
    sums = (
        "sum(count), sum(valid_count), sum(valid_sum), min(valid_min), max(valid_max), "
        "max(last_time), sum(off_hour)"
    )
    # WHERE true: SQLite needs it to tell the upsert's ON CONFLICT from a join's ON.
    return (
        f"INSERT INTO {TABLE} ({_COLUMNS_SQL}) SELECT point_id, cn, pollutant, kind, "
        f"'{level}', {bucket}, {sums} FROM {_HOURS} WHERE true "
        f"GROUP BY point_id, cn, pollutant, kind, {bucket} {merge}"
    )


def add_hours(rows: Iterable[Sequence[object]], db: BaseDatabaseWrapper = connection) -> int:
    """Add hour rollups (rows of ``HOUR_ROW``: the values of sub-hourly data not in the
    measurement table) to the hour, day and month rollups; returns the hour rows taken.

    Rows of the same key add up, as the triggers' would."""
    columns = ", ".join(HOUR_ROW)
    definition = ", ".join(f"{name} {kind}" for name, kind in _HOUR_COLUMN_TYPES.items())
    taken = 0
    with transaction.atomic(using=db.alias), db.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {_HOURS} ({definition})")
        cursor.execute(f"DELETE FROM {_HOURS}")
        if db.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {_HOURS} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    taken += 1
        else:
            adapt = db.ops.adapt_datetimefield_value
            marks = ", ".join(["%s"] * len(HOUR_ROW))
            batch = [(*r[:4], adapt(r[4]), *r[5:10], adapt(r[10]), r[11]) for r in rows]
            cursor.executemany(f"INSERT INTO {_HOURS} ({columns}) VALUES ({marks})", batch)
            taken = len(batch)
        for level in ("hour", "day", "month"):
            cursor.execute(_roll_up_from_hours(level, db.vendor))
        cursor.execute(f"DELETE FROM {_HOURS}")
    return taken


def rebuild(point_ids: Iterable[int] | None = None, db: BaseDatabaseWrapper = connection) -> int:
    """Recompute the rollups of these points (all when None) from the measurements.

    Returns the number of rollup rows written. Their pending measurements are dropped in
    the same statement as the recount reads the measurements (one snapshot: a row
    committed meanwhile is either counted and not pending, or pending and not counted),
    while no fold runs (the exclusive :data:`FOLD_LOCK`).
    """
    ids = None if point_ids is None else list(point_ids)
    written = 0
    with transaction.atomic(using=db.alias), db.cursor() as cursor:
        condition, params = _point_condition(ids, "")
        if db.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FOLD_LOCK])
        cursor.execute(f"DELETE FROM {TABLE} WHERE 1 = 1 {condition}", params)
        if db.vendor == "postgresql":
            dropped = f"WITH dropped AS (DELETE FROM {PENDING} WHERE 1 = 1 {condition}) "
            condition, point_params = _point_condition(ids, "m.")
            select = _PG_AGGREGATE.format(source=MEASUREMENTS, condition=condition)
            cursor.execute(
                f"{dropped}INSERT INTO {TABLE} ({_COLUMNS_SQL}) {select}", params + point_params
            )
            written = cursor.rowcount
        else:
            for level in ("hour", "day", "month"):
                select = _sqlite_aggregate(level, condition)
                cursor.execute(f"INSERT INTO {TABLE} ({_COLUMNS_SQL}) {select}", params)
                written += cursor.rowcount
        written += _rebuild_blocks(ids, db)
    return written


def _rebuild_blocks(point_ids: list[int] | None, db: BaseDatabaseWrapper) -> int:
    """Add the rollups of the blocks of these points (all when None), a point at a time."""
    from ecer.web.monitoring import blocks  # blocks builds on this module

    with db.cursor() as cursor:
        if blocks.TABLE not in db.introspection.table_names(cursor):
            return 0  # a migration before the blocks' (0004) rebuilds
        condition, params = _point_condition(point_ids, "")
        cursor.execute(
            f"SELECT DISTINCT point_id FROM {blocks.TABLE} WHERE 1 = 1 {condition}", params
        )
        with_blocks = [int(row[0]) for row in cursor.fetchall()]
    hours = 0
    for point_id in with_blocks:
        for cn in blocks.COMMANDS:
            found = blocks.read([point_id], cn, blocks.EARLIEST, blocks.LATEST, db)
            hours += blocks.add_rollups(found, db)
    return hours


def delete_measurements(point_ids: Iterable[int], db: BaseDatabaseWrapper = connection) -> int:
    """Delete every measurement of these points — rows and blocks — and their rollups;
    returns the rows deleted (a block counts as one)."""
    from ecer.web.monitoring import blocks  # blocks builds on this module

    ids = list(point_ids)
    condition, params = _point_condition(ids, "")
    with transaction.atomic(using=db.alias), db.cursor() as cursor:
        if db.vendor == "postgresql":
            # Their pending rows in the same statement (one snapshot), no fold meanwhile.
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FOLD_LOCK])
            cursor.execute(
                f"WITH dropped AS (DELETE FROM {PENDING} WHERE 1 = 1 {condition}) "
                f"DELETE FROM {MEASUREMENTS} WHERE 1 = 1 {condition}",
                params + params,
            )
        else:
            cursor.execute(f"DELETE FROM {MEASUREMENTS} WHERE 1 = 1 {condition}", params)
        deleted = cursor.rowcount + blocks.delete(ids, db)
        cursor.execute(f"DELETE FROM {TABLE} WHERE 1 = 1 {condition}", params)
    return int(deleted)


def fold(
    db: BaseDatabaseWrapper = connection, *, wait: bool = True, most: int | None = None
) -> int:
    """Fold the pending measurements into the hour, day and month rollups; returns how many.

    One transaction: the rows are taken from the pending table and their buckets upserted
    together, so a fold killed halfway folded nothing, and a row is folded once however
    many folds are asked for at once (they run one at a time: :data:`FOLD_LOCK`). wait:
    after the fold running now, if any (then every measurement committed before this one
    began is in the rollups); else nothing when another fold or a rebuild runs. most: at
    most this many rows (None: all).

    SQLite's row triggers keep the rollups themselves: nothing is ever pending there.
    """
    if db.vendor != "postgresql":
        return 0
    with transaction.atomic(using=db.alias), db.cursor() as cursor:
        cursor.execute(f"SELECT {TABLE}_fold(%s, %s)", [wait, most])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def pending(db: BaseDatabaseWrapper = connection) -> int:
    """How many measurements wait for a fold (a count of the pending table)."""
    if db.vendor != "postgresql":
        return 0
    with db.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {PENDING}")
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def current(db: BaseDatabaseWrapper = connection) -> None:
    """Make the rollups current before reading them: fold what is pending, if anything.

    Every read of the rollups goes through here (the ``Rollup`` manager, ``reads``), so a
    page's figures include every measurement committed before it asked — exactly what
    folding everything and then reading would give. When nothing is pending this is one
    index-free ``EXISTS`` on an empty table.
    """
    if db.vendor != "postgresql":
        return
    with db.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {PENDING})")
        row = cursor.fetchone()
    if row and row[0]:
        fold(db)
