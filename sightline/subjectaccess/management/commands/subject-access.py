"""``sightline subject-access PERSON_REF --out DIR``: answer a subject access request from
the command line.

PERSON_REF is the person's public id, or an agency's record reference AGENCY:RECORD_ID.
The command logs a request, records the identity as verified by the operator of the
command line (stated in the audit row), gathers the records through the read side and
writes the pack (PDF and zip) to DIR. Every other person's name found is redacted: on
the command line no suggestion is reviewed (the request's page can review them and
produce the pack again).
"""

import datetime as dt
import os
import uuid
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sightline.agencies.models import Agency, AgencyKind
from sightline.audit.actions import CLI
from sightline.people.models import Person, SourceRecord
from sightline.subjectaccess import actions
from sightline.subjectaccess.models import Relationship, VerificationMethod


def find_person(reference: str) -> Person:
    """The person a PERSON_REF names (a merged person's survivor), or CommandError."""
    person: Person | None = None
    try:
        person = Person.objects.filter(public_id=uuid.UUID(reference.strip())).first()
    except ValueError:
        agency, sep, record_id = reference.partition(":")
        if sep and agency and record_id:
            record = (
                SourceRecord.objects.filter(
                    agency__code=agency.strip(), record_id=record_id.strip()
                )
                .select_related("person")
                .first()
            )
            person = record.person if record is not None else None
    while person is not None and person.merged_into_id is not None:
        person = person.merged_into
    if person is None:
        raise CommandError(f"no person found for {reference!r} (a public id or AGENCY:RECORD_ID)")
    return person


def _answering_agency(code: str | None) -> Agency:
    if code:
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            raise CommandError(f"no agency with code {code!r}")
        return agency
    local_authorities = list(Agency.objects.filter(kind=AgencyKind.CHILDRENS_SOCIAL_CARE)[:2])
    if len(local_authorities) != 1:
        raise CommandError("say which agency answers the request: --agency CODE")
    return local_authorities[0]


def _write(path: Path, data: bytes) -> None:
    # Personal data: readable by the operator only, and never over an existing file.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)


class Command(BaseCommand):
    help = (
        "Answer a subject access request: log it (identity verified by you, the operator), "
        "gather the person's records from every agency and write the pack (PDF and zip, "
        "other people's names redacted) to DIR."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("person", help="the person's public id, or AGENCY:RECORD_ID")
        parser.add_argument("--out", required=True, help="directory to write the pack to")
        parser.add_argument("--requester", help="the requester's name (default: the person)")
        parser.add_argument(
            "--relationship",
            choices=list(Relationship.values),
            default=Relationship.SELF.value,
            help="who is asking (default: self)",
        )
        parser.add_argument("--received", help="date received, YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--agency", help="code of the agency answering (default: the local authority)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        person = find_person(options["person"])
        agency = _answering_agency(options["agency"])
        out = Path(options["out"])
        try:
            received = (
                dt.date.fromisoformat(options["received"])
                if options["received"]
                else timezone.localdate()
            )
        except ValueError:
            raise CommandError("--received must be a date as YYYY-MM-DD") from None
        out.mkdir(parents=True, exist_ok=True)
        try:
            request = actions.record_request(
                actor=None,
                person=person,
                agency_id=agency.pk,
                requester_name=options["requester"] or person.full_name or "The person",
                relationship=Relationship(options["relationship"]),
                received_on=received,
                origin=CLI,
            )
            actions.verify_identity(
                actor=None, request=request, method=VerificationMethod.CLI_OPERATOR, origin=CLI
            )
            actions.gather(actor=None, request=request, origin=CLI)
            produced = actions.produce_pack(actor=None, request=request, origin=CLI)
        except actions.SubjectAccessError as error:
            raise CommandError(str(error)) from None
        try:
            _write(out / f"{produced.reference}.pdf", produced.pdf)
            _write(out / f"{produced.reference}.zip", produced.zip)
        except FileExistsError as error:
            raise CommandError(f"{error.filename} exists already") from None
        request.refresh_from_db()
        self.stdout.write(
            f"{produced.reference}: pack written to {out} ({produced.reference}.pdf, "
            f"{produced.reference}.zip); due {request.due_on.isoformat()}; "
            f"{request.suggestions.count()} other people's names redacted"
        )
