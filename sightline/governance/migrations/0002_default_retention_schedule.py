"""The default retention schedule, with its sources (docs/governance.md). The administrator
may change any rule; this migration only seeds the defaults."""

from typing import Any

from django.db import migrations

DEFAULTS: list[dict[str, Any]] = [
    {
        "kind": "looked_after",
        "anchor": "date_of_birth",
        "years": 75,
        "years_after_last_activity": None,
        "years_after_death_under_18": 15,
        "source": (
            "The Care Planning, Placement and Case Review (England) Regulations 2010, "
            "regulation 50: the case record is kept until the 75th anniversary of the "
            "child's date of birth or, if the child dies before 18, for 15 years beginning "
            "with the date of death."
        ),
    },
    {
        "kind": "child_protection_or_in_need",
        "anchor": "last_activity",
        "years": 35,
        "years_after_last_activity": None,
        "years_after_death_under_18": None,
        "source": (
            "No statutory period. Local default: 35 years after the case closed (taken as "
            "the last activity on the record), the policy for child protection records held "
            "lawful in R (C) v Northumberland County Council [2015] EWHC 2134 (Admin). "
            "Applied to child in need records too, as the longer period; confirm with the "
            "authority's records manager."
        ),
    },
    {
        "kind": "child_without_case",
        "anchor": "date_of_birth",
        "years": 25,
        "years_after_last_activity": 6,
        "years_after_death_under_18": None,
        "source": (
            "No statutory period. Local default: until the 25th birthday, and at least six "
            "years after the last activity (Limitation Act 1980, sections 2 and 28: six "
            "years, which for a child run from the 18th birthday). "
            "Confirm with the authority's records manager."
        ),
    },
    {
        "kind": "adult",
        "anchor": "last_activity",
        "years": 6,
        "years_after_last_activity": None,
        "years_after_death_under_18": None,
        "source": (
            "No statutory period. Local default: six years after the last activity, the "
            "limitation period of the Limitation Act 1980, sections 2 and 5. Confirm with "
            "the authority's records manager."
        ),
    },
]


def seed(apps: Any, schema_editor: Any) -> None:
    rule = apps.get_model("governance", "RetentionRule")
    for values in DEFAULTS:
        rule.objects.get_or_create(kind=values["kind"], defaults=values)


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_retention_schedule_holds_disposal")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
