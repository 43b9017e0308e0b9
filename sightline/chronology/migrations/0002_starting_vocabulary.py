from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from sightline.chronology.vocabulary import STARTING_VOCABULARY


def add_vocabulary(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    category = apps.get_model("chronology", "Category")
    for agency_kind, codes in STARTING_VOCABULARY.items():
        for code, label in codes:
            category.objects.get_or_create(
                code=code, defaults={"label": label, "agency_kind": agency_kind}
            )


class Migration(migrations.Migration):
    dependencies = [("chronology", "0001_initial")]

    operations = [migrations.RunPython(add_vocabulary, migrations.RunPython.noop)]
