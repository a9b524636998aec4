"""Persistence: models, engine, unit of work, vault and migrations."""
