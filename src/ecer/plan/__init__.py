"""The plan catalog: a schema and one YAML file per city plan."""
