"""Full-text search over shared items on PostgreSQL: a GIN index on exactly the expression the search
selector matches (`selectors.community_items_search`: `SearchVector("title", "body_markdown",
config="dutch")`, the `dutch` configuration like the knowledge site).

The index is built from the same Django expression (`Index(...).create_sql`), written out here so the
migration stays frozen; PostgreSQL only uses an expression index when the query's expression is
identical, which `tests/test_search.py` checks with EXPLAIN. It is not declared in `Item.Meta.indexes`
because SQLite cannot hold it (there the search falls back to `icontains`); on SQLite this migration
does nothing.
"""

from django.db import migrations

INDEX = "community_item_search_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    item = apps.get_model("community", "Item")
    index = GinIndex(SearchVector("title", "body_markdown", config="dutch"), name=INDEX)
    schema_editor.execute(index.create_sql(item, schema_editor))


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("community", "0002_items_extras_directory")]

    operations = [migrations.RunPython(create_index, drop_index)]
