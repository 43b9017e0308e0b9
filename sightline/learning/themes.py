"""The starting theme taxonomy (version 1), from the panel's published coding of reviews.

Pure data. The taxonomy in the database is what counts: administrators and panel
analysts change it by drafting a new version. Codes are stable across versions, so a
theme's figures can be followed from one version to the next.
"""

import datetime as dt

from django.apps.registry import Apps

# (group, code, label)
STARTING_THEMES: list[tuple[str, str, str]] = [
    ("harm_type", "physical_abuse", "Physical abuse"),
    ("harm_type", "neglect", "Neglect"),
    ("harm_type", "sexual_abuse", "Sexual abuse"),
    ("harm_type", "emotional_abuse", "Emotional abuse"),
    ("harm_type", "infant_nai", "Non-accidental injury in an infant"),
    ("harm_type", "sudi", "Sudden unexpected death in infancy"),
    ("harm_type", "suicide", "Suicide"),
    ("harm_type", "homicide", "Homicide"),
    ("harm_type", "criminal_exploitation", "Criminal exploitation"),
    ("harm_type", "sexual_exploitation", "Sexual exploitation"),
    ("harm_type", "serious_youth_violence", "Serious youth violence"),
    ("harm_type", "online_harm", "Online harm"),
    ("child", "child_mental_health", "Child's mental health need"),
    ("child", "not_in_school", "Not in school or persistently absent"),
    ("child", "young_carer", "Young carer"),
    ("family", "domestic_abuse", "Domestic abuse"),
    ("family", "parental_mental_health", "Parental mental ill-health"),
    ("family", "parental_substance_misuse", "Parental substance misuse"),
    ("family", "parental_criminality", "Parental criminality"),
    ("family", "men_and_fathers", "Involvement of men and fathers"),
    ("family", "poverty_and_housing", "Poverty and housing"),
    ("family", "extra_familial_relationships", "Relationships outside the family"),
    ("practice", "risk_assessment", "Weak risk assessment and decision making"),
    ("practice", "information_sharing", "Poor information sharing"),
    ("practice", "optimism_bias", "Optimism bias"),
    ("practice", "critical_thinking", "Critical thinking and challenge"),
    ("practice", "voice_of_child", "The child's voice and daily lived experience"),
    ("practice", "reluctant_engagement", "Families reluctant or resistant to engage"),
    ("practice", "changing_risk", "Responding to changing risk"),
    ("practice", "multi_agency_working", "Multi-agency working"),
    ("practice", "escalation", "Escalation"),
    ("practice", "supervision", "Supervision"),
    ("practice", "leadership_culture", "Leadership and culture"),
    ("practice", "workload", "Workload"),
]


def install_starting_taxonomy(apps: Apps) -> None:
    """Publish the starting set as version 1 unless a taxonomy exists (migration and tests)."""
    taxonomy_model = apps.get_model("learning", "Taxonomy")
    theme_model = apps.get_model("learning", "Theme")
    if taxonomy_model.objects.exists():
        return
    when = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
    taxonomy = taxonomy_model.objects.create(
        version=1,
        status="published",
        notes="Starting set from the panel's published coding of reviews.",
        created_at=when,
        published_at=when,
    )
    theme_model.objects.bulk_create(
        [
            theme_model(taxonomy=taxonomy, group=group, code=code, label=label, order=order)
            for order, (group, code, label) in enumerate(STARTING_THEMES, start=1)
        ]
    )
