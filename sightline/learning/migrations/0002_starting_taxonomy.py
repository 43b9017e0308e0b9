from django.db import migrations

from sightline.learning.themes import install_starting_taxonomy


def add_starting_taxonomy(apps, schema_editor):  # type: ignore[no-untyped-def]
    install_starting_taxonomy(apps)


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_initial")]

    operations = [migrations.RunPython(add_starting_taxonomy, migrations.RunPython.noop)]
