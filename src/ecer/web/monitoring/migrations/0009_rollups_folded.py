"""PostgreSQL: rollups folded out of the write path (issue #25). The trigger on the
measurements now only sets each statement's new rows aside in ``monitoring_rollup_pending``;
``monitoring_rollup_fold()`` folds them into the rollups (``rollups.fold``). SQLite keeps
its row triggers (installed again, unchanged)."""

from django.db import migrations


def install_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    from ecer.web.monitoring import rollups

    rollups.install(schema_editor.connection)


def restore_direct_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    from ecer.web.monitoring import rollups

    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        rollups.fold(connection)  # nothing left pending when the old trigger returns
        with connection.cursor() as cursor:
            cursor.execute(
                f"DROP TRIGGER IF EXISTS {rollups.TABLE}_truncate ON {rollups.MEASUREMENTS}"
            )
            cursor.execute(f"DROP FUNCTION IF EXISTS {rollups.TABLE}_truncate()")
            cursor.execute(f"DROP FUNCTION IF EXISTS {rollups.TABLE}_fold(boolean, bigint)")
            cursor.execute(f"DROP TABLE IF EXISTS {rollups.PENDING}")
    rollups.install_direct(connection)


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0008_site_coordinates"),
    ]

    operations = [
        migrations.RunPython(install_triggers, restore_direct_triggers),
    ]
