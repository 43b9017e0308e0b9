import datetime as dt

from django.db import migrations

from sightline.learning.themes import STARTING_THEMES


def add_starting_taxonomy(apps, schema_editor):  # type: ignore[no-untyped-def]
    Taxonomy = apps.get_model("learning", "Taxonomy")
    Theme = apps.get_model("learning", "Theme")
    if Taxonomy.objects.exists():
        return
    when = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
    taxonomy = Taxonomy.objects.create(
        version=1,
        status="published",
        notes="Starting set from the panel's published coding of reviews.",
        created_at=when,
        published_at=when,
    )
    Theme.objects.bulk_create(
        [
            Theme(taxonomy=taxonomy, group=group, code=code, label=label, order=order)
            for order, (group, code, label) in enumerate(STARTING_THEMES, start=1)
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_initial")]

    operations = [migrations.RunPython(add_starting_taxonomy, migrations.RunPython.noop)]
