"""``sightline challenge-rules``: see and publish versions of the challenge rules.

    sightline challenge-rules list
    sightline challenge-rules show [VERSION] > rules.json
    sightline challenge-rules publish rules.json --as ada.admin --note "Why it changed"

An administrator exports the rules in use, edits the JSON (titles, questions, windows,
thresholds, which outcomes each rule applies to, active or not), and publishes it under a
new ``version``; decisions from then on are checked against it. Published versions are
never edited; every challenge keeps the version that raised it.
"""

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline import challenges
from sightline.accounts.models import User
from sightline.assessments import actions, queries
from sightline.assessments.models import ChallengeRuleSet
from sightline.audit.actions import CLI


class Command(BaseCommand):
    help = "List, show (as JSON) or publish versions of the challenge rules."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("list", help="published versions, newest first (the first is in use)")
        show = sub.add_parser("show", help="print a version as JSON (default: the one in use)")
        show.add_argument("version", nargs="?")
        publish = sub.add_parser("publish", help="publish a new version from a JSON file")
        publish.add_argument("file")
        publish.add_argument("--as", dest="actor", required=True, help="administrator's username")
        publish.add_argument("--note", required=True, help="what changed and why")

    def handle(self, *args: Any, **options: Any) -> None:
        verb = options["verb"]
        if verb == "list":
            in_use = queries.current_rule_set().version
            for published in ChallengeRuleSet.objects.select_related("published_by"):
                mark = "  (in use)" if published.version == in_use else ""
                self.stdout.write(
                    f"{published.version}  {published.published_at:%Y-%m-%d %H:%M}  "
                    f"{published.published_by.username}  {published.note}{mark}"
                )
            mark = "  (in use)" if challenges.SHIPPED.version == in_use else ""
            self.stdout.write(f"{challenges.SHIPPED.version}  shipped with Sightline{mark}")
        elif verb == "show":
            self.stdout.write(json.dumps(_show(options["version"]), indent=2))
        else:
            self._publish(options)

    def _publish(self, options: dict[str, Any]) -> None:
        actor = User.objects.filter(username=options["actor"]).first()
        if actor is None:
            raise CommandError(f"--as: no user {options['actor']!r}")
        try:
            data = json.loads(Path(options["file"]).read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"FILE: cannot read {options['file']}: {error}") from None
        except json.JSONDecodeError as error:
            raise CommandError(f"FILE: not JSON: {error}") from None
        if not isinstance(data, dict):
            raise CommandError("FILE: must hold a JSON object with version and rules")
        try:
            published = actions.publish_rule_set(
                actor=actor, origin=CLI, data=data, note=options["note"]
            )
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            ) from None
        self.stdout.write(f"Published challenge rules {published.version}; now in use.")


def _show(version: str | None) -> dict[str, Any]:
    if version is None:
        return challenges.rule_set_to_data(queries.current_rule_set())
    if version == challenges.SHIPPED.version:
        return challenges.rule_set_to_data(challenges.SHIPPED)
    published = ChallengeRuleSet.objects.filter(version=version).first()
    if published is None:
        raise CommandError(f"no published version {version!r}")
    return dict(published.rules)
