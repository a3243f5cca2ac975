"""Database upkeep that runs beside the requests: on PostgreSQL, a vacuum after a big import."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

log = logging.getLogger("tessera.db")


def vacuum_in_background(engine: Engine, table: str) -> threading.Thread:
    """`VACUUM (ANALYZE) <table>` on its own connection in a daemon thread (VACUUM cannot run in a
    transaction); it takes no lock that writers wait for. Failures are logged, never raised."""

    def run() -> None:
        try:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql(f"VACUUM (ANALYZE) {table}")
        except Exception:  # noqa: BLE001 - upkeep only; the import it follows has committed
            log.warning("background vacuum of %s failed", table, exc_info=True)

    thread = threading.Thread(target=run, name=f"vacuum-{table}", daemon=True)
    thread.start()
    return thread
