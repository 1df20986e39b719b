"""The migrations build exactly the schema the models declare (on SQLite and PostgreSQL):
a model change without its migration, or a migration that drifts from its model, fails here."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal.extensions import Base, db


def test_migrated_schema_matches_the_models(app):
    with app.app_context():
        import portal.models  # noqa: F401 - every feature's tables on Base.metadata

        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
    # Search structures the migrations make by hand and no model declares: SQLite's FTS5
    # tables and PostgreSQL's trigram indexes (names ending in _trgm).
    def by_hand(d: object) -> bool:
        return isinstance(d, tuple) and (
            (d[0] == "remove_table" and d[1].name.startswith("notice_fts"))
            or (d[0] == "remove_index" and d[1].name.endswith("_trgm")))

    problems = [d for d in diff if not by_hand(d)]
    assert problems == [], "\n".join(map(str, problems))
