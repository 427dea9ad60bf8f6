"""`ecer backup` and `ecer restore`: the database, the uploaded files and the plan, in one
archive that says what it holds.

The archive (a tar file) holds ``database.dump`` (PostgreSQL custom format, ``pg_dump
-Fc``; ``pg_restore`` reads it) or ``database.sqlite3`` (SQLite's online backup), the
files under MEDIA_ROOT in ``media/``, the plan file in ``plan/``, and ``manifest.json``:
every table's row count and a SHA-256 of the measurements, read in the same snapshot as the
dump where the database allows. ``ecer restore`` loads it into an empty database, puts the
files back and compares the restored counts and checksum with the manifest.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FORMAT = 1
MEASUREMENT_ORDER = ("point_id", "data_time", "pollutant", "kind")


class BackupError(RuntimeError):
    pass


def register(subparsers: Any) -> None:
    backup = subparsers.add_parser(
        "backup",
        help="write the database, uploaded files and plan to one archive (docs/deploy.md)",
    )
    backup.add_argument(
        "--output",
        "-o",
        help="the archive to write (default: ECER_DATA_DIR/backups/ecer-DATE-TIME.tar)",
    )
    backup.set_defaults(func=_backup)
    restore = subparsers.add_parser(
        "restore",
        help="load an archive of `ecer backup` into an empty database and check it",
    )
    restore.add_argument("archive")
    restore.set_defaults(func=_restore)


# --- what a database holds ----------------------------------------------------------------


def table_counts() -> dict[str, int]:
    """Rows of every table of the Django database (partitions counted on their own too)."""
    from django.db import connection

    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for name in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(name)}")
            counts[name] = int(cursor.fetchone()[0])
    return counts


def measurement_checksum() -> str:
    """SHA-256 over every measurement row in a fixed order (values as PostgreSQL or SQLite
    give them back, so equal data gives equal sums on the same engine)."""
    from django.db import connection

    from ecer.web.monitoring.models import Measurement

    table = connection.ops.quote_name(Measurement._meta.db_table)
    columns = [f.column for f in Measurement._meta.concrete_fields]
    order = ", ".join(c for c in MEASUREMENT_ORDER if c in columns) or columns[0]
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(connection.ops.quote_name(c) for c in columns)} FROM {table} "
            f"ORDER BY {order}, {connection.ops.quote_name(columns[0])}"
        )
        while rows := cursor.fetchmany(4096):
            for row in rows:
                digest.update(repr(tuple(row)).encode())
                digest.update(b"\n")
    return digest.hexdigest()


def describe() -> dict[str, Any]:
    return {"tables": table_counts(), "measurements_sha256": measurement_checksum()}


# --- backup ---------------------------------------------------------------------------------


def _pg_env(database: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, name in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if database.get(key):
            env[name] = str(database[key])
    return env


def _run(argv: list[str], env: dict[str, str]) -> None:
    if shutil.which(argv[0]) is None:
        raise BackupError(f"{argv[0]} is not installed (Debian: apt-get install postgresql-client)")
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{argv[0]} failed: {done.stderr.strip() or done.stdout.strip()}")


def write_backup(output: Path) -> dict[str, Any]:
    """Write the archive; return its manifest."""
    from django.conf import settings
    from django.db import connection

    from ecer.plan.loader import default_plan_path

    database = settings.DATABASES["default"]
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ecer-backup-") as work:
        dump_dir = Path(work)
        if connection.vendor == "postgresql":
            # Counts and checksum first, in a repeatable-read snapshot the dump then shares.
            with connection.cursor() as cursor:
                cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                try:
                    facts = describe()
                    db_file = dump_dir / "database.dump"
                    _run(
                        [
                            "pg_dump",
                            "--format=custom",
                            f"--snapshot={snapshot}",
                            "--no-owner",
                            f"--file={db_file}",
                        ],
                        _pg_env(database),
                    )
                finally:
                    cursor.execute("COMMIT")
        elif connection.vendor == "sqlite":
            facts = describe()
            db_file = dump_dir / "database.sqlite3"
            source = sqlite3.connect(str(database["NAME"]))
            target = sqlite3.connect(str(db_file))
            with target:
                source.backup(target)
            source.close()
            target.close()
        else:
            raise BackupError(f"{connection.vendor}: only PostgreSQL and SQLite are backed up")
        plan = default_plan_path()
        manifest = {
            "format": FORMAT,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "engine": connection.vendor,
            "database": db_file.name,
            "plan": f"plan/{plan.name}",
            "plan_sha256": hashlib.sha256(plan.read_bytes()).hexdigest(),
            **facts,
        }
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(db_file, arcname=db_file.name)
            tar.add(plan, arcname=f"plan/{plan.name}")
            media = Path(settings.MEDIA_ROOT)
            if media.is_dir():
                tar.add(media, arcname="media")
        partial.replace(output)  # a crash never leaves a half archive under the final name
    return manifest


# --- restore --------------------------------------------------------------------------------


def restore_backup(archive: Path) -> list[str]:
    """Load the archive into the (empty) database and MEDIA_ROOT; return the differences
    between what was restored and the manifest (empty: the restore is complete)."""
    from django.conf import settings
    from django.db import connection

    with tempfile.TemporaryDirectory(prefix="ecer-restore-") as work:
        folder = Path(work)
        with tarfile.open(archive) as tar:
            tar.extractall(folder, filter="data")  # no absolute paths, links or devices
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{archive}: archive format {manifest.get('format')} unknown")
        if manifest["engine"] != connection.vendor:
            raise BackupError(
                f"{archive} holds a {manifest['engine']} database; DATABASE_URL is "
                f"{connection.vendor}"
            )
        with connection.cursor() as cursor:
            existing = connection.introspection.table_names(cursor)
        if existing:
            raise BackupError(
                f"the database already has {len(existing)} tables: restore into a new, empty "
                "database (createdb), then point DATABASE_URL at it"
            )
        database = settings.DATABASES["default"]
        if connection.vendor == "postgresql":
            connection.close()
            _run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={database['NAME']}",
                    str(folder / manifest["database"]),
                ],
                _pg_env(database),
            )
        else:
            connection.close()
            shutil.copyfile(folder / manifest["database"], database["NAME"])
        media = folder / "media"
        if media.is_dir():
            shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
        restored = describe()
    differences = []
    for table, count in manifest["tables"].items():
        now = restored["tables"].get(table)
        if now != count:
            differences.append(f"{table}: {count} rows backed up, {now} restored")
    if restored["measurements_sha256"] != manifest["measurements_sha256"]:
        differences.append("measurements: the checksum differs")
    return differences


def _backup(args: argparse.Namespace) -> int:
    from ecer.web.cli import setup_django

    setup_django()
    from django.conf import settings

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    output = Path(args.output or Path(settings.DATA_DIR) / "backups" / f"ecer-{stamp}.tar")
    try:
        manifest = write_backup(output)
    except BackupError as exc:
        print(f"ecer backup: {exc}", file=sys.stderr)
        return 1
    rows = sum(manifest["tables"].values())
    print(f"wrote {output}: {len(manifest['tables'])} tables, {rows} rows")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from ecer.web.cli import setup_django

    setup_django()
    archive = Path(args.archive)
    if not archive.is_file():
        print(f"ecer restore: {archive}: no such file", file=sys.stderr)
        return 1
    try:
        differences = restore_backup(archive)
    except (BackupError, tarfile.TarError, KeyError, json.JSONDecodeError) as exc:
        print(f"ecer restore: {exc}", file=sys.stderr)
        return 1
    if differences:
        print("ecer restore: the restored data differs from the backup:", file=sys.stderr)
        for line in differences:
            print(f"  - {line}", file=sys.stderr)
        return 1
    print(f"restored {archive}: every table's row count and the measurements' checksum match")
    return 0
