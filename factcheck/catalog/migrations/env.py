"""Alembic environment for the catalog.

The application runs migrations programmatically (``factcheck.catalog.database.upgrade``) and
passes its engine in ``config.attributes["engine"]``; a URL in the ``sqlalchemy.url`` option works
too, for running Alembic by hand. There is no alembic.ini.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from factcheck.catalog.database import create_catalog_engine
from factcheck.catalog.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    """Emit SQL for the configured URL without connecting."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate through the engine the application passed in, or one made from the URL."""
    engine: Engine | None = config.attributes.get("engine")
    if engine is None:
        engine = create_catalog_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            # SQLite cannot ALTER most things; batch mode copies the table instead.
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
