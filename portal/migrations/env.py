"""Alembic environment: the connection comes from the app (see ``portal.cli.migrate``)."""
from __future__ import annotations

from alembic import context

import portal.models  # noqa: F401 - registers every table on Base.metadata
from portal.db import Base

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copy
    compare_type=True,
    # The full-text index is maintained by hand-written SQL in the migrations.
    include_name=lambda name, type_, parent: not (type_ == "table" and (name or "").startswith("notice_fts")),
)
with context.begin_transaction():
    context.run_migrations()
