import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sightline.audit.actions import CLI
from sightline.linkage import realtime
from sightline.linkage.actions import run_linkage
from sightline.linkage.management.commands._progress import reporter
from sightline.linkage.models import ModelVersion


class Command(BaseCommand):
    help = (
        "Re-resolve all source records into persons with the current linkage model "
        "(or --model-version). Decisions made in review hold; undecided pairs go to review."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--model-version", help="a registered model version")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        say = reporter(quiet=options["quiet"])
        try:
            if options["model_version"]:
                model = ModelVersion.objects.get(version=options["model_version"])
            else:
                model = realtime.current_model()
        except ModelVersion.DoesNotExist:
            raise CommandError(f"no model version {options['model_version']!r}") from None
        except realtime.NoModelError as error:
            raise CommandError(str(error)) from None
        run = run_linkage(actor=None, model=model, origin=CLI, progress=say)
        self.stdout.write(
            f"link run {run.pk} with model {run.model_version}: "
            + json.dumps(
                {
                    "records": run.records,
                    "records_moved": run.records_moved,
                    "persons_created": run.persons_created,
                    "persons_emptied": run.persons_emptied,
                    "reviews_proposed": run.reviews_proposed,
                    **run.summary,
                }
            )
        )
