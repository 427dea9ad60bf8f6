"""Restore drill (docs/deploy.md, "Backups"): back up the demo, restore it into a fresh
database, and compare every table's row count and a checksum of the measurements, computed
here from both databases (not taken from the tool's own report), and the uploaded files."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest

from tests.deploy.stack import ECER, base_env, run


def _dsn(name: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def _fresh(name: str) -> None:
    with psycopg.connect(_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def _drop(name: str) -> None:
    with psycopg.connect(_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _facts(name: str) -> tuple[dict[str, int], str, int]:
    with psycopg.connect(_dsn(name)) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        counts = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        checksum, rows = db.execute(
            "SELECT md5(coalesce(string_agg(m::text, ',' ORDER BY m::text), '')), count(*) "
            "FROM monitoring_measurement m"
        ).fetchone()
    return counts, checksum, rows


def _files(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.mark.postgres
def test_backup_of_the_demo_restores_into_a_fresh_database(tmp_path: Path) -> None:
    base = urlparse(os.environ["DATABASE_URL"]).path.lstrip("/") or "ecer"
    source, target = f"{base}_drill_src", f"{base}_drill_dst"
    _fresh(source)
    _fresh(target)
    try:
        env = base_env(DATABASE_URL=_dsn(source), ECER_DATA_DIR=str(tmp_path / "source"))
        run(["setup", "--demo"], env)
        # Some online data too, so that the measurements' checksum covers rows.
        run(["demo", "generate", "--sources", "2", "--days", "2", "--end", "2025-06-30"], env)
        archive = tmp_path / "ecer.tar"
        run(["backup", "--output", str(archive)], env)

        restored = base_env(DATABASE_URL=_dsn(target), ECER_DATA_DIR=str(tmp_path / "target"))
        out = run(["restore", str(archive)], restored)
        assert "match" in out

        counts, checksum, rows = _facts(source)
        assert rows > 0
        assert _facts(target) == (counts, checksum, rows)
        assert sum(counts.values()) > 1000
        media = _files(tmp_path / "source" / "media")
        assert media and _files(tmp_path / "target" / "media") == media

        # Restoring over data is refused, never merged.
        again = base_env(DATABASE_URL=_dsn(target), ECER_DATA_DIR=str(tmp_path / "again"))
        done = subprocess.run(
            [*ECER, "restore", str(archive)], env=again, capture_output=True, text=True, check=False
        )
        assert done.returncode == 1 and "empty database" in done.stderr
    finally:
        _drop(source)
        _drop(target)


def test_the_embedded_database_is_backed_up_and_restored_too(tmp_path: Path) -> None:
    source = base_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'source.sqlite3'}",
        ECER_DATA_DIR=str(tmp_path / "source"),
    )
    run(["setup"], source)
    upload = tmp_path / "source" / "media" / "evidence" / "2025" / "证明.txt"
    upload.parent.mkdir(parents=True)
    upload.write_text("验收材料", encoding="utf-8")
    archive = tmp_path / "ecer.tar"
    run(["backup", "-o", str(archive)], source)
    target = base_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'target.sqlite3'}",
        ECER_DATA_DIR=str(tmp_path / "target"),
    )
    assert "match" in run(["restore", str(archive)], target)
    assert _files(tmp_path / "target" / "media") == _files(tmp_path / "source" / "media")
    with (
        sqlite3.connect(tmp_path / "source.sqlite3") as a,
        sqlite3.connect(tmp_path / "target.sqlite3") as b,
    ):
        query = "SELECT count(*) FROM catalog_target"
        assert a.execute(query).fetchone() == b.execute(query).fetchone() != (0,)
