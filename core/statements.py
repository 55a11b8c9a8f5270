"""Several SQL statements in one round trip to the database.

On PostgreSQL with client-side binding (psycopg's default in Django) statements joined by ";"
travel as one simple query: the server runs them in order and, under READ COMMITTED, each with
a fresh snapshot, exactly as separate `execute` calls would (a lock taken by one is held when
the next reads). Elsewhere (SQLite, server-side binding) they run one by one.
"""

from collections.abc import Sequence

from django.db import connection


def _batchable() -> bool:
    return connection.vendor == "postgresql" and not connection.settings_dict.get("OPTIONS", {}).get(
        "server_side_binding"
    )


def execute_all(statements: Sequence[tuple[str, Sequence]]) -> list | None:
    """Run `(sql, params)` statements in order (no result is read but the last one's rows,
    returned when it has any)."""
    with connection.cursor() as cursor:
        if _batchable() and len(statements) > 1:
            sql = ";\n".join(sql for sql, _ in statements)
            cursor.execute(sql, [value for _, params in statements for value in params])
            while cursor.cursor.nextset():  # to the last statement's result
                pass
        else:
            for sql, params in statements:
                cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None
