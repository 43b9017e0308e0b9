"""``sightline load-review-corpus [FILE]``: import coded reviews with their final themes.

Without FILE it loads the shipped synthetic corpus. With ``--for-coding`` the reviews
come in without their themes, for analysts to code and adjudicate. All or nothing: a bad line, an
unknown theme or a reference already recorded stops the import before any row is
written.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline.audit.actions import CLI
from sightline.learning.actions import LearningError, import_review_corpus
from sightline.learning.corpus import SHIPPED_CORPUS, CorpusError, read_corpus
from sightline.learning.models import ReviewDocument


class Command(BaseCommand):
    help = "Import a coded review corpus (the shipped synthetic one by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", type=Path, default=SHIPPED_CORPUS)
        parser.add_argument(
            "--for-coding",
            action="store_true",
            help="import the reviews without their themes, to be coded here",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing if any review is already recorded (for `make demo`)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if options["if_empty"] and ReviewDocument.objects.exists():
            self.stdout.write("Reviews are already recorded; nothing imported")
            return
        try:
            with path.open(encoding="utf-8") as stream:
                header, records = read_corpus(stream)
            result = import_review_corpus(
                actor=None, origin=CLI, records=records, coded=not options["for_coding"]
            )
        except OSError as error:
            raise CommandError(f"file: cannot read {path}: {error.strerror}") from None
        except (CorpusError, LearningError) as error:
            raise CommandError(f"{path}: {error}") from None
        kind = "synthetic " if header["synthetic"] else ""
        if options["for_coding"]:
            self.stdout.write(f"Imported {result.documents} {kind}reviews to be coded")
            return
        self.stdout.write(
            f"Imported {result.documents} {kind}reviews with {result.theme_links} themes "
            f"(taxonomy version {result.taxonomy_version})"
        )
