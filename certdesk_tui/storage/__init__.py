"""Persistence: models, the engine, migrations."""
