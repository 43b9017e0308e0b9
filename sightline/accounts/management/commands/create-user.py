from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline.accounts.actions import AccountError, create_user
from sightline.accounts.models import Role
from sightline.agencies.models import Agency, Team
from sightline.audit.actions import CLI


class Command(BaseCommand):
    help = "Create a user of an agency and print a generated password (shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--agency", required=True, help="agency code, e.g. CSC")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--email", required=True)
        parser.add_argument("--team", help="the name of a team of the agency")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--job-title", default="")
        parser.add_argument(
            "--home-postcode",
            default="",
            help="optional; access monitoring flags reads of records of the same surname there",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        code: str = options["agency"]
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            known = ", ".join(Agency.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(f"unknown agency {code!r}; known agencies: {known or 'none yet'}")
        team = None
        if options["team"]:
            team = Team.objects.filter(agency=agency, name=options["team"]).first()
            if team is None:
                names = ", ".join(repr(n) for n in agency.teams.values_list("name", flat=True))
                raise CommandError(
                    f"{code} has no team called {options['team']!r}; "
                    f"its teams: {names or 'none yet (sightline create-team)'}"
                )
        try:
            new = create_user(
                actor=None,
                username=options["username"],
                agency=agency,
                role=options["role"],
                email=options["email"],
                origin=CLI,
                team=team,
                first_name=options["first_name"],
                last_name=options["last_name"],
                job_title=options["job_title"],
                home_postcode=options["home_postcode"],
            )
        except AccountError as error:
            raise CommandError(str(error)) from error
        self.stderr.write(
            f"Created {new.user.username} ({agency.code}, {new.user.get_role_display()}). "
            "The password is shown only now:"
        )
        self.stdout.write(f"{new.user.username} / {new.password}")
