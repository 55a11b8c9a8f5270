# The customer search (sales.selectors.customers_matching) looks for part of a name, e-mail or
# VAT number with `icontains` (PostgreSQL: UPPER(col::text) LIKE UPPER('%term%')): trigram GIN
# indexes on those expressions serve it at thousands of customers instead of a full scan.
# pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
# SQLite (`make run`) has neither: it scans its few customers.
from django.db import migrations

COLUMNS = ("name", "email", "vat")


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm", params=None)
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS customer_{column}_trgm ON sales_customer "
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)',
            params=None,
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS customer_{column}_trgm", params=None)


class Migration(migrations.Migration):
    dependencies = [("sales", "0008_activity_moves_to_upsell")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
