"""The rollups' unique index in the order the pages read it (point, level, cn, kind, start,
pollutant). SQLite remakes the table to change a constraint, which its triggers on the
measurement table (they write into it) do not survive: they are dropped and installed again.
"""

from typing import Any

from django.db import migrations, models


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    from ecer.web.monitoring import rollups

    rollups.uninstall(schema_editor.connection)


def install_triggers(apps: Any, schema_editor: Any) -> None:
    from ecer.web.monitoring import rollups

    rollups.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0004_measurement_blocks"),
    ]

    operations = [
        migrations.RunPython(drop_triggers, install_triggers),
        migrations.RemoveConstraint(
            model_name="rollup",
            name="monitoring_rollup_once",
        ),
        migrations.AddConstraint(
            model_name="rollup",
            constraint=models.UniqueConstraint(
                fields=("point", "level", "cn", "kind", "start", "pollutant"),
                name="monitoring_rollup_once_by_level",
            ),
        ),
        migrations.RunPython(install_triggers, drop_triggers),
    ]
