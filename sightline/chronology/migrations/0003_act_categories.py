from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from sightline.chronology.vocabulary import install_starting_vocabulary


def add_act_categories(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    install_starting_vocabulary(apps)


class Migration(migrations.Migration):
    dependencies = [("chronology", "0002_starting_vocabulary")]

    operations = [migrations.RunPython(add_act_categories, migrations.RunPython.noop)]
