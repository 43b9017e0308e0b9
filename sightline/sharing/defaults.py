"""The starting list of lawful bases for sharing, and the chronology category a sharing
decision is recorded under. Seeded by migrations; administrators may change the bases.

Sources: HM Government, "Information sharing: advice for practitioners providing
safeguarding services" (2024); UK GDPR; Data Protection Act 2018.
"""

from django.apps.registry import Apps

SAFEGUARDING = "safeguarding"
POLICE_SAFEGUARDING = "police_safeguarding"

# code, label, source, for police processing under part 3 of the Act
STARTING_LAWFUL_BASES: list[tuple[str, str, str, bool]] = [
    (
        SAFEGUARDING,
        "Safeguarding of children and of individuals at risk",
        "UK GDPR article 6(1)(e) (public task) with article 9(2)(g) (substantial public "
        "interest) and the Data Protection Act 2018 schedule 1 part 2 paragraph 18 "
        '("safeguarding of children and of individuals at risk")',
        False,
    ),
    (
        POLICE_SAFEGUARDING,
        "Safeguarding of children and of individuals at risk (police, part 3)",
        "Data Protection Act 2018 part 3 (law enforcement processing), sensitive processing "
        'under schedule 8 paragraph 4 ("safeguarding of children and of individuals at risk")',
        True,
    ),
]

DECISION_CATEGORY = ("information_sharing_decision", "Information sharing decision")


def install_sharing_defaults(apps: Apps) -> None:
    """Add the starting lawful bases and the chronology category that are missing (used
    by the migrations and by the tests, whose live server flushes seeded rows)."""
    basis = apps.get_model("sharing", "LawfulBasis")
    known = set(basis.objects.values_list("code", flat=True))
    basis.objects.bulk_create(
        [
            basis(code=code, label=label, source=source, for_police=police)
            for code, label, source, police in STARTING_LAWFUL_BASES
            if code not in known
        ]
    )
    category = apps.get_model("chronology", "Category")
    code, label = DECISION_CATEGORY
    if not category.objects.filter(code=code).exists():
        category.objects.create(code=code, label=label, agency_kind="")
