"""Record the adjacency indexes without INCLUDE in the models' state only.

Migration 0002 created them with INCLUDE (withdrawn_at): covering indexes on PostgreSQL,
plain ones on SQLite (which ignores INCLUDE). The database keeps what it has; only the
state changes, so that the models need not declare a PostgreSQL-only feature (Django's
check models.W040 warns about it on SQLite on every command).
"""

from django.db import migrations, models


def _index(field: str, name: str) -> models.Index:
    return models.Index(fields=[field, "id"], name=name)


class Migration(migrations.Migration):
    dependencies = [("networks", "0002_adjacency_indexes")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="association", name="assoc_person_idx"),
                migrations.RemoveIndex(model_name="association", name="assoc_other_person_idx"),
                migrations.RemoveIndex(model_name="association", name="assoc_context_idx"),
                migrations.AddIndex(
                    model_name="association", index=_index("person", "assoc_person_idx")
                ),
                migrations.AddIndex(
                    model_name="association",
                    index=_index("other_person", "assoc_other_person_idx"),
                ),
                migrations.AddIndex(
                    model_name="association", index=_index("context", "assoc_context_idx")
                ),
            ],
            database_operations=[],
        )
    ]
