"""The chronology categories the case adds to the starting vocabulary."""

from django.apps.registry import Apps

CASE_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("worker_allocated", "Worker allocated"),
    ("looked_after_changed", "Looked-after legal status or placement changed"),
    ("looked_after_review", "Looked-after review"),
    ("missing_from_care", "Missing or away from placement"),
    ("cp_plan_review", "Child protection plan reviewed"),
)
CSC = "childrens_social_care"


def install_case_categories(apps: Apps) -> None:
    """Add the categories that are missing (used by the migration and by the tests)."""
    category = apps.get_model("chronology", "Category")
    known = set(category.objects.values_list("code", flat=True))
    category.objects.bulk_create(
        [
            category(code=code, label=label, agency_kind=CSC)
            for code, label in CASE_CATEGORIES
            if code not in known
        ]
    )
