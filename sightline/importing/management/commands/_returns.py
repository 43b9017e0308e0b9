"""What the national returns' commands share."""

from django.core.management.base import CommandError

from sightline.agencies.models import Agency
from sightline.importing.returns import ReturnImportReport, social_care_agency


def agency_of(code: str | None) -> Agency:
    try:
        return social_care_agency(code)
    except Agency.DoesNotExist:
        raise CommandError(
            f"no agency {code!r}" if code else "no children's social care agency"
        ) from None
    except Agency.MultipleObjectsReturned:
        raise CommandError(
            "several children's social care agencies: name one with --agency"
        ) from None


def summary(report: ReturnImportReport) -> str:
    verb = "would be" if report.dry_run else "were"
    lines = [
        f"{report.filename}: {report.children:,} children ({report.persons_created:,} new "
        f"persons); case rows {verb} created {report.created:,}, corrected "
        f"{report.corrected:,}, withdrawn {report.withdrawn:,}; {report.unchanged:,} unchanged"
        + (" (dry run: nothing written)" if report.dry_run else "")
    ]
    if report.unplaced:
        lines.append(f"{len(report.unplaced):,} not placed:")
        lines.extend(f"  {item}" for item in report.unplaced)
    if report.skipped:
        lines.append("Skipped:")
        lines.extend(f"  {item}" for item in report.skipped)
    return "\n".join(lines)
