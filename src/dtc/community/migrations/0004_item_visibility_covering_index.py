"""A covering index for the visibility rule on PostgreSQL: every column the rule table and the feed's
order read from an item (`core.visibility._item_visible_condition`), so deciding and ordering a
community's items is an index-only scan that never reads the (wide) item rows; only the page's 20
rows are read afterwards (`community.views._page_of_items`). Measured in bench/README.md
(`community`). SQLite has no INCLUDE; there this migration does nothing.
"""

from django.db import migrations

INDEX = "community_item_visibility_cover"
COLUMNS = "status, tlp, public_approved, author_id, published_at, created_at"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON community_item (id) INCLUDE ({COLUMNS})")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("community", "0003_item_search")]

    operations = [migrations.RunPython(create_index, drop_index)]
