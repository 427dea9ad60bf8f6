"""Frame writers: one transaction per batch, duplicates stored once, quarantine, points.

The schema is the monitoring app's, made by ``ecer manage migrate`` on a temporary SQLite
file (and on a temporary PostgreSQL database when DATABASE_URL names PostgreSQL). Helpers
here are shared by the other gateway tests.
"""

from __future__ import annotations

import atexit
import functools
import itertools
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import pytest

from ecer.hj212.codec import LENIENT, encode_frame, parse_frame
from ecer.hj212.storage import (
    DUPLICATE,
    MEASUREMENT_TABLE,
    POINT_TABLE,
    QUARANTINED,
    RAW_FRAME_TABLE,
    STORED,
    FrameStore,
    PointSpec,
    ReceivedFrame,
    SQLiteFrameWriter,
    default_database_url,
    frame_text,
    open_store,
    postgres_conninfo,
)

ECER = str(Path(sys.executable).parent / "ecer")
MN = "ECERTEST0000000001"
PW = "123456"
RECEIVED_AT = datetime(2024, 3, 1, 8, 0, 5, tzinfo=UTC)


def upload(
    qn: str | None = "20240301160000001",
    cn: str = "2051",
    data_time: str = "20240301155000",
    mn: str = MN,
    pw: str = PW,
    cp: str = "w01018-Avg=45.2,w01018-Max=50.1,w01018-Flag=N;w21003-Avg=2.31,w21003-Flag=N",
    flag: str | None = "5",
) -> bytes:
    """A data upload; QN and Flag left out for an HJ/T 212-2005 logger."""
    head = f"QN={qn};" if qn else ""
    tail = f"Flag={flag};" if flag is not None else ""
    return encode_frame(
        f"{head}ST=32;CN={cn};PW={pw};MN={mn};{tail}CP=&&DataTime={data_time};{cp}&&"
    )


def received(data: bytes, status: str = STORED, point_id: int | None = 1) -> ReceivedFrame:
    frame = parse_frame(data, LENIENT)
    reason = "" if status == STORED else "unknown MN"
    return ReceivedFrame(RECEIVED_AT, "10.0.0.7:40000", data, frame, status, reason, point_id)


def ecer_env(url: str, data_dir: Path) -> dict[str, str]:
    return {**os.environ, "ECER_DATA_DIR": str(data_dir), "DATABASE_URL": url}


def migrate(url: str, data_dir: Path) -> None:
    """``ecer manage migrate`` on the database ``url``."""
    subprocess.run(
        [ECER, "manage", "migrate", "--noinput", "-v", "0"],
        env=ecer_env(url, data_dir),
        check=True,
        timeout=120,
    )


@functools.cache
def _sqlite_template() -> Path:
    directory = Path(tempfile.mkdtemp(prefix="ecer-hj212-"))
    atexit.register(shutil.rmtree, directory, True)
    path = directory / "template.sqlite3"
    migrate(f"sqlite:///{path}", directory)
    return path


def fresh_sqlite(directory: Path) -> Path:
    """A migrated SQLite database in ``directory`` (copied from one migrated per process)."""
    path = directory / "ecer.sqlite3"
    shutil.copyfile(_sqlite_template(), path)
    return path


def postgres_base_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


_databases = itertools.count()


@functools.cache
def _postgres_template(base_url: str) -> str:
    """A migrated PostgreSQL database, created once per process, dropped at exit."""
    import psycopg

    name = f"ecer_gw_test_{os.getpid()}_tpl"
    with psycopg.connect(postgres_conninfo(base_url, "postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    atexit.register(drop_postgres, base_url, name)
    migrate(with_database(base_url, name), Path(tempfile.gettempdir()))
    return name


def with_database(url: str, name: str) -> str:
    head, _, _ = url.rpartition("/")
    return f"{head}/{name}"


def fresh_postgres(base_url: str) -> tuple[str, str]:
    """A migrated PostgreSQL database ``ecer_gw_test_<pid>_<n>``: (URL, name)."""
    import psycopg

    template = _postgres_template(base_url)
    name = f"ecer_gw_test_{os.getpid()}_{next(_databases)}"
    with psycopg.connect(postgres_conninfo(base_url, "postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return with_database(base_url, name), name


def drop_postgres(base_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(postgres_conninfo(base_url, "postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


BACKENDS = ["sqlite"] + (["postgresql"] if postgres_base_url() else [])


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a freshly migrated database on each backend under test."""
    if request.param == "sqlite":
        yield f"sqlite:///{fresh_sqlite(tmp_path)}"
        return
    base = postgres_base_url()
    assert base is not None
    url, name = fresh_postgres(base)
    yield url
    drop_postgres(base, name)


@pytest.fixture
def store(store_url: str) -> Iterator[FrameStore]:
    opened = open_store(store_url)
    opened.register_points([PointSpec(MN, PW, "测试排放口")])
    yield opened
    opened.close()


def rows(store: FrameStore, sql: str) -> list[tuple[Any, ...]]:
    """Query the store's own connection (committed data only is visible to a new batch)."""
    connection: Any = store.connection  # type: ignore[attr-defined]
    return [tuple(row) for row in connection.execute(sql).fetchall()]


def point_id(store: FrameStore) -> int:
    return store.load_points()[MN].point_id


def test_it_stores_a_frame_and_its_measurements(store):
    [result] = store.write_batch([received(upload(), point_id=point_id(store))])
    assert result.status == STORED
    # Two factors: COD with Avg and Max, NH3-N with Avg: three measurements.
    assert result.measurements == 3
    stored = rows(
        store,
        f"SELECT pollutant, kind, value, flag, cn FROM {MEASUREMENT_TABLE} "
        "ORDER BY pollutant, kind",
    )
    assert stored == [
        ("w01018", "Avg", 45.2, "N", "2051"),
        ("w01018", "Max", 50.1, "N", "2051"),
        ("w21003", "Avg", 2.31, "N", "2051"),
    ]


def test_data_time_is_beijing_time_stored_as_utc(store):
    store.write_batch([received(upload(data_time="20240301155000"), point_id=point_id(store))])
    [(value,)] = rows(store, f"SELECT data_time FROM {RAW_FRAME_TABLE}")
    # 2024-03-01 15:50:00 at UTC+8 (Asia/Shanghai, no DST) is 07:50:00 UTC.
    if isinstance(value, str):  # SQLite: Django's naive-UTC text
        assert value == "2024-03-01 07:50:00"
    else:
        assert value == datetime(2024, 3, 1, 7, 50, tzinfo=UTC)


def test_a_repeated_qn_is_logged_as_duplicate_and_stored_once(store):
    pid = point_id(store)
    first = store.write_batch([received(upload(), point_id=pid)] * 2)
    again = store.write_batch([received(upload(), point_id=pid)])
    assert [r.status for r in first + again] == [STORED, DUPLICATE, DUPLICATE]
    assert rows(store, f"SELECT status, count(*) FROM {RAW_FRAME_TABLE} GROUP BY status") in (
        [(DUPLICATE, 2), (STORED, 1)],
        [(STORED, 1), (DUPLICATE, 2)],
    )
    assert rows(store, f"SELECT count(*) FROM {MEASUREMENT_TABLE}") == [(3,)]


def test_a_data_upload_repeated_under_a_new_qn_is_a_duplicate(store):
    pid = point_id(store)
    results = store.write_batch(
        [
            received(upload(qn="20240301160000001"), point_id=pid),
            received(upload(qn="20240301160500002"), point_id=pid),
        ]
    )
    assert [r.status for r in results] == [STORED, DUPLICATE]


def test_a_2005_upload_repeated_without_qn_is_a_duplicate(store):
    pid = point_id(store)
    old = upload(qn=None, flag=None, cp="011-Avg=45.2,011-Flag=N")
    results = store.write_batch([received(old, point_id=pid), received(old, point_id=pid)])
    assert [r.status for r in results] == [STORED, DUPLICATE]


def test_2005_codes_are_stored_under_their_2017_codes(store):
    old = upload(qn=None, flag=None, cp="011-Avg=45.2,011-Flag=N;060-Avg=2.1,060-Flag=N")
    store.write_batch([received(old, point_id=point_id(store))])
    # HJ 212-2017 Annex B Table B.1: 011 COD -> w01018, 060 NH3-N -> w21003.
    assert rows(store, f"SELECT pollutant FROM {MEASUREMENT_TABLE} ORDER BY pollutant") == [
        ("w01018",),
        ("w21003",),
    ]


def test_heartbeats_are_logged_without_measurements(store):
    beat = encode_frame(f"ST=32;CN=8013;PW={PW};MN={MN};Flag=0;CP=&&HeartbeatTime=120&&")
    [result] = store.write_batch([received(beat, point_id=point_id(store))])
    assert (result.status, result.measurements) == (STORED, 0)


def test_quarantined_frames_keep_their_reason_and_give_no_measurements(store):
    [result] = store.write_batch([received(upload(mn="NOSUCHMN"), QUARANTINED, None)])
    assert (result.status, result.measurements) == (QUARANTINED, 0)
    assert rows(store, f"SELECT status, quarantine_reason, mn FROM {RAW_FRAME_TABLE}") == [
        (QUARANTINED, "unknown MN", "NOSUCHMN")
    ]
    assert rows(store, f"SELECT count(*) FROM {MEASUREMENT_TABLE}") == [(0,)]


def test_a_repeated_quarantined_frame_is_logged_each_time(store):
    bad = received(upload(mn="NOSUCHMN"), QUARANTINED, None)
    results = store.write_batch([bad, bad])
    assert [r.status for r in results] == [QUARANTINED, QUARANTINED]


def test_unparseable_bytes_are_logged_once_with_the_error(store):
    raw = b"##9ST=\x00\xff\r\n"  # NUL and a byte that is neither UTF-8 nor GBK text
    junk = ReceivedFrame(RECEIVED_AT, "10.0.0.7:1", raw, None, QUARANTINED, "bad")
    [result] = store.write_batch([junk])
    assert result.status == QUARANTINED
    # Quarantine keeps the bytes once (issue #19): no text copy; pages decode the bytes.
    assert rows(store, f"SELECT mn, qn, cn, quarantine_reason, text FROM {RAW_FRAME_TABLE}") == [
        ("", None, "", "bad", "")
    ]
    data = bytes(rows(store, f"SELECT data FROM {RAW_FRAME_TABLE}")[0][0])
    assert data == raw
    assert frame_text(data) == "##9ST=\ufffd\ufffd\r\n"


def test_old_quarantine_is_purged_and_nothing_else(store):
    old, recent = RECEIVED_AT - timedelta(days=31), RECEIVED_AT - timedelta(days=1)
    store.write_batch(
        [
            ReceivedFrame(old, "10.0.0.7:1", b"junk", None, QUARANTINED, "old junk"),
            ReceivedFrame(recent, "10.0.0.7:1", b"junk", None, QUARANTINED, "recent junk"),
            replace(received(upload()), received_at=old),
        ]
    )
    assert store.purge_quarantine(RECEIVED_AT - timedelta(days=30)) == 1
    # (Row ids follow each backend's insert order: compare without them.)
    assert sorted(rows(store, f"SELECT status, quarantine_reason FROM {RAW_FRAME_TABLE}")) == [
        (QUARANTINED, "recent junk"),
        (STORED, ""),
    ]


def test_points_are_registered_updated_and_loaded(store):
    store.register_points([PointSpec(MN, "654321", "测试排放口", active=False)])
    point = store.load_points()[MN]
    assert (point.password, point.active, point.policy) == ("654321", False, "strict")
    assert rows(store, f"SELECT count(*) FROM {POINT_TABLE}") == [(1,)]


def test_the_sqlite_writer_uses_wal_and_full_sync(tmp_path):
    writer = SQLiteFrameWriter(fresh_sqlite(tmp_path))
    try:
        assert writer.connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert writer.connection.execute("PRAGMA synchronous").fetchone() == (2,)  # 2 = FULL
    finally:
        writer.close()


def test_a_batch_is_committed_when_write_batch_returns(tmp_path):
    path = fresh_sqlite(tmp_path)
    writer = SQLiteFrameWriter(path)
    try:
        writer.register_points([PointSpec(MN, PW, "测试排放口")])
        writer.write_batch([received(upload())])
        # A second connection sees the rows: the transaction is committed, not pending.
        with sqlite3.connect(path) as other:
            assert other.execute(f"SELECT count(*) FROM {RAW_FRAME_TABLE}").fetchone() == (1,)
    finally:
        writer.close()


def test_a_database_without_the_schema_is_refused(tmp_path):
    path = tmp_path / "empty.sqlite3"
    sqlite3.connect(path).close()
    with pytest.raises(LookupError, match="ecer manage migrate"):
        SQLiteFrameWriter(path)


def test_the_writer_columns_are_the_django_models_columns():
    from ecer.hj212 import storage
    from ecer.web.monitoring import models

    def columns(model: Any) -> set[str]:
        return {f.column for f in model._meta.concrete_fields} - {"id"}

    assert models.RawFrame._meta.db_table == storage.RAW_FRAME_TABLE
    assert columns(models.RawFrame) == set(storage._RAW_COLUMNS)
    assert columns(models.Measurement) == set(storage._MEASUREMENT_COLUMNS)
    assert set(storage._POINT_COLUMNS) <= columns(models.MonitoringPoint)
    # The writer's INSERT of a point leaves the platform's own columns out: each needs a
    # database default or NULL.
    for field in models.MonitoringPoint._meta.concrete_fields:
        if field.column not in storage._POINT_COLUMNS and field.column != "id":
            assert field.null or field.has_db_default(), field.name


@pytest.mark.parametrize("database_url", [None, "postgres://postgres@127.0.0.1:5432/ecer"])
def test_the_default_database_is_the_django_settings_one(tmp_path, monkeypatch, database_url):
    monkeypatch.setenv("ECER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL_FILE", raising=False)
    if database_url is None:
        monkeypatch.delenv("DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("DATABASE_URL", database_url)
    django_name = subprocess.run(
        [
            sys.executable,
            "-c",
            "from ecer.web import settings; print(settings.DATABASES['default']['NAME'])",
        ],
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ),
    ).stdout.strip()
    assert dj_database_url.parse(default_database_url())["NAME"] == django_name
