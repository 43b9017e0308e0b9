from sightline.importing.management.commands._import_file import ImportFileCommand
from sightline.importing.models import ImportKind


class Command(ImportFileCommand):
    help = (
        "Import a chronology-events file, CSV or JSON lines "
        "(shared/formats/chronology-events.md). All or nothing: any problem is listed with "
        "its line and column and nothing is written."
    )
    kind = ImportKind.EVENTS
