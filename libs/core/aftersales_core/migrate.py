"""Alembic, driven from code: each service keeps its migrations inside its package.

A service's `migrations/env.py` is one call, `run_env(metadata)`; its first
revision calls `create_plumbing_tables()` for the outbox and inbox.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import MetaData, engine_from_config, pool

from .tables import PLUMBING_METADATA


def alembic_config(migrations_dir: Path, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    # ConfigParser interpolates '%', which appears in URL-encoded passwords.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(migrations_dir: Path, database_url: str, revision: str = "head") -> None:
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(migrations_dir, database_url), revision)


def run_env(target_metadata: MetaData) -> None:
    """The body of every service's `env.py` (online mode only)."""
    config = context.config
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            # outbox and inbox come from create_plumbing_tables(), not autogenerate.
            include_object=lambda obj, name, type_, *_: (
                not (type_ == "table" and name in PLUMBING_METADATA.tables)
            ),
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


def create_plumbing_tables() -> None:
    PLUMBING_METADATA.create_all(bind=op.get_bind())


def create_missing_plumbing_tables() -> None:
    """For a later revision that adds a plumbing table (a database made by an earlier
    `create_plumbing_tables()` lacks it; a new one already has it)."""
    PLUMBING_METADATA.create_all(bind=op.get_bind(), checkfirst=True)


def drop_plumbing_tables() -> None:
    PLUMBING_METADATA.drop_all(bind=op.get_bind())
