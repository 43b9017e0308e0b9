from sightline.importing.management.commands._import_file import ImportFileCommand
from sightline.importing.models import ImportKind


class Command(ImportFileCommand):
    help = (
        "Import a person-records CSV file (shared/formats/person-records.md). All or "
        "nothing: any problem is listed with its line and column and nothing is written."
    )
    kind = ImportKind.PEOPLE
