"""Alembic environment: runs on the connection handed over by `tessera.db.migrate`."""

from alembic import context

from tessera.db.tables import Base, on_this_database

config = context.config
connection = config.attributes.get("connection")


def run() -> None:
    if connection is None:
        engine = config.attributes["engine"]
        with engine.begin() as conn:
            _run_on(conn)
    else:
        _run_on(connection)


def _run_on(conn) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=conn,
        target_metadata=Base.metadata,
        render_as_batch=conn.dialect.name == "sqlite",
        compare_type=True,
        include_object=on_this_database(conn.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()


run()
