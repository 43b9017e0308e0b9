"""Need to know by section: which chronology categories hold agency-restricted detail,
and what a practitioner who may not see that detail is shown instead. Pure: no Django.

An event in a restricted section still shows that it happened, when, which agency
recorded it and its category: the duty to share means a practitioner must know that
something is known, and whom to ask. Its summary, the practitioner's name and the other
people in it are shown only to those whose role and agency need them
(``record.rules.sections_visible``).

A referral or contact names who made it. That identity is withheld from everyone except
the front door, the allocated worker and the agency that recorded the event
(``record.rules.may_see_referrer``).
"""

import enum
from collections.abc import Mapping
from types import MappingProxyType


class Section(enum.StrEnum):
    POLICE_INTELLIGENCE = "police_intelligence"
    HEALTH_DETAIL = "health_detail"
    EDUCATION_DETAIL = "education_detail"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS: Mapping[Section, str] = MappingProxyType(
    {
        Section.POLICE_INTELLIGENCE: "Police intelligence",
        Section.HEALTH_DETAIL: "Health detail",
        Section.EDUCATION_DETAIL: "Education detail",
    }
)

# Category codes (chronology vocabulary) whose detail is restricted, by section.
CATEGORY_SECTIONS: Mapping[str, Section] = MappingProxyType(
    {
        "exploitation_intelligence": Section.POLICE_INTELLIGENCE,
        "suspect_in_crime": Section.POLICE_INTELLIGENCE,
        "arrest": Section.POLICE_INTELLIGENCE,
        "mental_health_contact": Section.HEALTH_DETAIL,
        "substance_misuse_contact": Section.HEALTH_DETAIL,
        "maternity_booking": Section.HEALTH_DETAIL,
        "behaviour_concern": Section.EDUCATION_DETAIL,
        "suspension": Section.EDUCATION_DETAIL,
    }
)

# The kind of agency whose own staff always see a section's detail.
OWNING_AGENCY_KIND: Mapping[Section, str] = MappingProxyType(
    {
        Section.POLICE_INTELLIGENCE: "police",
        Section.HEALTH_DETAIL: "health",
        Section.EDUCATION_DETAIL: "education",
    }
)

# Sections the allocated social worker (and their team manager) also see: they bring
# the agencies' information together. Police intelligence stays with the police and is
# shared through a strategy discussion.
ALLOCATED_WORKER_SECTIONS = frozenset({Section.HEALTH_DETAIL, Section.EDUCATION_DETAIL})

# Categories that name the person who made a referral or contact.
REFERRER_CATEGORIES = frozenset({"referral", "contact"})


def section_of(category_code: str) -> Section | None:
    return CATEGORY_SECTIONS.get(category_code)


def withheld_summary(section: Section, agency_name: str) -> str:
    return (
        f"{section.label} is shared only with those whose role needs it. "
        f"Ask {agency_name} if you need to know more."
    )


WITHHELD_REFERRER = "Withheld to protect the person who made the referral"
