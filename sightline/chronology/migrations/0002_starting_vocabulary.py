from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from sightline.chronology.vocabulary import install_starting_vocabulary


def add_vocabulary(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    install_starting_vocabulary(apps)


class Migration(migrations.Migration):
    dependencies = [("chronology", "0001_initial")]

    operations = [migrations.RunPython(add_vocabulary, migrations.RunPython.noop)]
