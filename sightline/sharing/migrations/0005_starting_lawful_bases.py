"""Seed the lawful bases with their sources, and the chronology category
"Information sharing decision"."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from sightline.sharing.defaults import install_sharing_defaults


def seed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    install_sharing_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0004_sharing_decisions"),
        ("chronology", "0002_starting_vocabulary"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
