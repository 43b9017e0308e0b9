"""The starting category vocabulary of the chronology-events format (shared/formats).

Administrators may add codes; this list seeds a new installation.
"""

from django.apps.registry import Apps

STARTING_VOCABULARY: dict[str, list[tuple[str, str]]] = {
    "childrens_social_care": [
        ("contact", "Contact"),
        ("referral", "Referral"),
        ("assessment_started", "Assessment started"),
        ("assessment_completed", "Assessment completed"),
        ("strategy_discussion", "Strategy discussion"),
        ("section47_started", "Section 47 enquiry started"),
        ("section47_outcome", "Section 47 enquiry outcome"),
        ("initial_conference", "Initial child protection conference"),
        ("review_conference", "Review child protection conference"),
        ("cp_plan_started", "Child protection plan started"),
        ("cp_plan_ended", "Child protection plan ended"),
        ("cin_plan_started", "Child in need plan started"),
        ("cin_plan_ended", "Child in need plan ended"),
        ("looked_after_started", "Became looked after"),
        ("looked_after_ended", "Stopped being looked after"),
        ("case_closed", "Case closed"),
        ("step_down_early_help", "Stepped down to early help"),
        ("home_visit", "Home visit"),
        ("child_seen_alone", "Child seen alone"),
    ],
    "police": [
        ("domestic_abuse_incident", "Domestic abuse incident"),
        ("missing_episode", "Missing episode"),
        ("found_after_missing", "Found after missing"),
        ("arrest", "Arrest"),
        ("police_protection", "Police protection"),
        ("victim_of_crime", "Victim of crime"),
        ("suspect_in_crime", "Suspect in crime"),
        ("concern_for_welfare", "Concern for welfare"),
        ("exploitation_intelligence", "Exploitation intelligence"),
    ],
    "health": [
        ("emergency_attendance", "Emergency department attendance"),
        ("injury", "Injury"),
        ("unexplained_injury", "Unexplained injury"),
        ("injury_non_mobile_infant", "Injury to a non-mobile infant"),
        ("was_not_brought", "Was not brought to appointment"),
        ("health_visitor_contact", "Health visitor contact"),
        ("maternity_booking", "Maternity booking"),
        ("mental_health_contact", "Mental health contact"),
        ("substance_misuse_contact", "Substance misuse contact"),
        ("self_harm", "Self-harm"),
    ],
    "education": [
        ("persistent_absence", "Persistent absence"),
        ("suspension", "Suspension"),
        ("permanent_exclusion", "Permanent exclusion"),
        ("missing_education", "Missing education"),
        ("disclosure", "Disclosure"),
        ("behaviour_concern", "Behaviour concern"),
        ("safeguarding_concern", "Safeguarding concern"),
    ],
    "housing": [
        ("eviction_notice", "Eviction notice"),
        ("temporary_accommodation", "Temporary accommodation"),
        ("disrepair", "Disrepair"),
        ("anti_social_behaviour", "Anti-social behaviour"),
    ],
    "": [("other", "Other")],
}

# What Sightline itself records in the chronology when a practitioner acts in it (a
# referral, an emergency access, a notification...): written by the actions, never chosen
# on the "Add to the chronology" form (``ACT_CODES``).
ACT_CATEGORIES: list[tuple[str, str]] = [
    ("referral_sent", "Referral sent"),
    ("referral_acknowledged", "Referral acknowledged"),
    ("referral_decided", "Referral outcome"),
    ("decision_recorded", "Decision recorded"),
    ("assessment_signed_off", "Assessment signed off"),
    ("emergency_access", "Emergency access to the record"),
    ("serious_incident_notified", "Serious incident notified"),
    ("association_recorded", "Association recorded"),
    ("association_withdrawn", "Association withdrawn"),
    ("exploitation_meeting", "Exploitation meeting"),
]
ACT_CODES = frozenset(code for code, _ in ACT_CATEGORIES)


def install_starting_vocabulary(apps: Apps) -> None:
    """Add the starting codes that are missing (used by a migration and by the tests)."""
    category = apps.get_model("chronology", "Category")
    existing = set(category.objects.values_list("code", flat=True))
    category.objects.bulk_create(
        [
            category(code=code, label=label, agency_kind=agency_kind)
            for agency_kind, codes in [*STARTING_VOCABULARY.items(), ("", ACT_CATEGORIES)]
            for code, label in codes
            if code not in existing
        ]
    )
