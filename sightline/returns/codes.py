"""Code lists of the CIN census and the SSDA903 return, 2025/26.

Source: the DfE's CIN census and SSDA903 guidance for 2025/26, as summarised in the
project's shared domain notes (``shared/domain/csc-data-standards.md``). The DfE's own
validators (``csc-validator-be-cin``, ``csc-validator-be-903``) check our exports against
the same lists in ``make test``, so a list that drifts from the DfE's fails there.

Each list maps a code to the plain-English label shown on screen. Pure: no Django.
"""

from collections.abc import Mapping
from types import MappingProxyType


def _frozen(pairs: dict[str, str]) -> Mapping[str, str]:
    return MappingProxyType(pairs)


#: Child protection plan category of abuse (CIN census InitialCategoryOfAbuse,
#: LatestCategoryOfAbuse).
CP_CATEGORY = _frozen(
    {
        "NEG": "Neglect",
        "PHY": "Physical abuse",
        "SAB": "Sexual abuse",
        "EMO": "Emotional abuse",
        "MUL": "Multiple categories",
    }
)

#: Primary need code (CIN census PrimaryNeedCode; the 903 CIN column accepts N1-N8).
PRIMARY_NEED = _frozen(
    {
        "N0": "Not stated",
        "N1": "Abuse or neglect",
        "N2": "Child's disability",
        "N3": "Parental disability or illness",
        "N4": "Family in acute stress",
        "N5": "Family dysfunction",
        "N6": "Socially unacceptable behaviour",
        "N7": "Low income",
        "N8": "Absent parenting",
        "N9": "Cases other than children in need",
    }
)
PRIMARY_NEED_903 = frozenset({"N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"})

#: Source of referral (CIN census ReferralSource).
REFERRAL_SOURCE = _frozen(
    {
        "1A": "Individual: family member, relative or carer",
        "1B": "Individual: acquaintance",
        "1C": "Individual: self",
        "1D": "Individual: other",
        "2A": "Schools",
        "2B": "Education services",
        "3A": "Health services: GP",
        "3B": "Health services: health visitor",
        "3C": "Health services: school nurse",
        "3D": "Health services: other primary health services",
        "3E": "Health services: A&E",
        "3F": "Health services: other",
        "4": "Housing",
        "5A": "Local authority services: social care",
        "5B": "Local authority services: other internal",
        "5C": "Local authority services: another local authority",
        "5D": "Local authority services: early help",
        "6": "Police",
        "7": "Other legal agency",
        "8": "Other",
        "9": "Anonymous",
        "10": "Unknown",
    }
)

#: Reason for closure of an episode of need (CIN census ReasonForClosure).
CLOSURE_REASON = _frozen(
    {
        "RC1": "Adopted",
        "RC2": "Died",
        "RC3": "Child arrangements order",
        "RC4": "Special guardianship order",
        "RC5": "Transferred to another local authority",
        "RC6": "Transferred to adult social care",
        "RC7": "Services ceased for any other reason",
        "RC8": "Case closed after assessment, no further action",
        "RC9": "Case closed after assessment, referred to early help",
    }
)

#: Factors identified at assessment (CIN census AssessmentFactors).
ASSESSMENT_FACTOR = _frozen(
    {
        "1A": "Alcohol misuse: child",
        "1B": "Alcohol misuse: parent",
        "1C": "Alcohol misuse: other person",
        "2A": "Drug misuse: child",
        "2B": "Drug misuse: parent",
        "2C": "Drug misuse: other person",
        "3A": "Domestic abuse: child",
        "3B": "Domestic abuse: parent",
        "3C": "Domestic abuse: other person",
        "4A": "Mental health: child",
        "4B": "Mental health: parent",
        "4C": "Mental health: other person",
        "5A": "Learning disability: child",
        "5B": "Learning disability: parent",
        "5C": "Learning disability: other person",
        "6A": "Physical disability or illness: child",
        "6B": "Physical disability or illness: parent",
        "6C": "Physical disability or illness: other person",
        "7A": "Young carer",
        "8B": "Privately fostered: overseas, intending to return",
        "8C": "Privately fostered: overseas, intending to stay",
        "8D": "Privately fostered: UK family, intending to stay",
        "8E": "Privately fostered: UK, other",
        "8F": "Privately fostered: other",
        "9A": "Unaccompanied asylum-seeking child",
        "10A": "Going missing",
        "11A": "Child sexual exploitation",
        "12A": "Trafficking",
        "13A": "Gangs",
        "14A": "Socially unacceptable behaviour",
        "15A": "Self-harm",
        "16A": "Neglect",
        "17A": "Emotional abuse",
        "18B": "Physical abuse: by another child",
        "18C": "Physical abuse: by an adult",
        "19B": "Sexual abuse: by another child",
        "19C": "Sexual abuse: by an adult",
        "20": "Other",
        "21": "No factors identified",
        "22A": "Female genital mutilation",
        "23A": "Abuse linked to faith or belief",
        "24A": "Child criminal exploitation",
    }
)

#: SSDA903 legal status (LS).
LEGAL_STATUS = _frozen(
    {
        "C1": "Interim care order",
        "C2": "Full care order",
        "D1": "Freeing order granted",
        "E1": "Placement order granted",
        "V2": "Accommodated under section 20 (single period)",
        "V3": "Short breaks: single placement",
        "V4": "Short breaks: series of placements",
        "L1": "Police protection",
        "L2": "Emergency protection order",
        "L3": "Child assessment order",
        "J1": "Remanded to local authority accommodation",
        "J2": "Placed under PACE",
        "J3": "Youth rehabilitation order with residence requirement",
    }
)

#: SSDA903 reason for new episode (RNE).
REASON_NEW_EPISODE = _frozen(
    {
        "S": "Started to be looked after",
        "L": "Change of legal status only",
        "P": "Change of placement and carer",
        "T": "Change of placement, same carer",
        "B": "Change of legal status, placement and carer",
        "U": "Change of legal status and placement, same carer",
    }
)

#: SSDA903 reason episode ceased (REC).
REASON_EPISODE_CEASED = _frozen(
    {
        "X1": "Episode ceased, new episode follows",
        "E11": "Adopted: application unopposed",
        "E12": "Adopted: consent dispensed with",
        "E2": "Died",
        "E3": "Care taken over by another local authority",
        "E4A": "Returned home as part of the care plan",
        "E4B": "Returned home, not part of the care plan",
        "E13": "Left care to live with relatives or friends",
        "E41": "Child arrangements order",
        "E45": "Special guardianship order: former foster carers",
        "E46": "Special guardianship order: carers other than former foster carers",
        "E47": "Special guardianship order: relatives or friends, not foster carers",
        "E48": "Special guardianship order: other",
        "E5": "Moved to independent living with supportive accommodation",
        "E6": "Moved to independent living with no formalised support",
        "E7": "Transferred to adult social care",
        "E9": "Sentenced to custody",
        "E14": "Accommodation on remand ended",
        "E15": "Age assessed as 18 or over",
        "E16": "Child moved abroad",
        "E17": "Aged 18 or over, remained with current carers (staying put)",
        "E8": "Period of being looked after ceased for any other reason",
    }
)

#: SSDA903 placement type (PLACE), 2025/26.
PLACEMENT = _frozen(
    {
        "A3": "Placed for adoption with parental consent, with current foster carers",
        "A4": "Placed for adoption with parental consent, not with current foster carers",
        "A5": "Placed for adoption under a placement order, with current foster carers",
        "A6": "Placed for adoption under a placement order, not with current foster carers",
        "K1": "Secure children's home",
        "K2": "Children's home",
        "K3": "Supported accommodation",
        "P1": "Placed with own parents",
        "P3": "Residential employment",
        "R1": "Residential care home",
        "R2": "NHS or health trust provision",
        "R3": "Family centre or mother and baby unit",
        "R5": "Young offender institution or prison",
        "S1": "Residential school",
        "T0": "Temporary: all types",
        "T1": "Temporary: hospital",
        "T2": "Temporary: holiday",
        "T3": "Temporary: other",
        "T4": "Temporary: other (over 7 days)",
        "U1": "Foster placement with relative or friend, long term",
        "U2": "Foster placement with relative or friend, not long term",
        "U3": "Foster placement with relative or friend, temporary approval",
        "U4": "Other foster placement, long term",
        "U5": "Other foster placement, not long term",
        "U6": "Other foster placement, placed with prospective adopters",
        "Z11": "Other placement: children's home not registered",
        "Z12": "Other placement: supported accommodation not registered",
        "Z13": "Other placement: other unregulated",
        "Z14": "Other placement: other",
    }
)

#: SSDA903 placement provider (PLACE_PROVIDER).
PLACEMENT_PROVIDER = _frozen(
    {
        "PR0": "Parents or other person with parental responsibility",
        "PR1": "Own provision (by the council)",
        "PR2": "Other local authority provision",
        "PR3": "Other public provision",
        "PR4": "Private provision",
        "PR5": "Voluntary or third sector provision",
    }
)

#: SSDA903 looked-after review participation (REVIEW_CODE).
REVIEW_PARTICIPATION = _frozen(
    {
        "PN0": "Child aged under 4 at the time of the review",
        "PN1": "Child physically attended and spoke for themselves",
        "PN2": "Child physically attended, an advocate spoke for them",
        "PN3": "Child attended, conveyed views symbolically (non-verbally)",
        "PN4": "Child physically attended but did not speak or convey views",
        "PN5": "Child did not attend, briefed an advocate to speak for them",
        "PN6": "Child did not attend, views conveyed by another method",
        "PN7": "Child did not attend or convey their views",
    }
)

#: SSDA903 missing episode (MISSING).
MISSING_KIND = _frozen({"M": "Missing", "A": "Away from placement without authorisation"})

#: Sex from 2024/25 (CIN census Sex; 903 SEX).
SEX = _frozen({"M": "Male", "F": "Female", "U": "Unknown"})


#: Ethnicity (CIN census Ethnicity; 903 ETHNIC).
ETHNICITY = _frozen(
    {
        "WBRI": "White: British",
        "WIRI": "White: Irish",
        "WIRT": "White: Traveller of Irish heritage",
        "WOTH": "White: any other White background",
        "WROM": "White: Gypsy or Roma",
        "MWBC": "Mixed: White and Black Caribbean",
        "MWBA": "Mixed: White and Black African",
        "MWAS": "Mixed: White and Asian",
        "MOTH": "Mixed: any other mixed background",
        "AIND": "Asian or Asian British: Indian",
        "APKN": "Asian or Asian British: Pakistani",
        "ABAN": "Asian or Asian British: Bangladeshi",
        "AOTH": "Asian or Asian British: any other Asian background",
        "BCRB": "Black or Black British: Caribbean",
        "BAFR": "Black or Black British: African",
        "BOTH": "Black or Black British: any other Black background",
        "CHNE": "Chinese",
        "OOTH": "Any other ethnic group",
        "REFU": "Refused",
        "NOBT": "Information not yet obtained",
    }
)

#: Disability (CIN census Disability).
DISABILITY = _frozen(
    {
        "NONE": "No disability",
        "MOB": "Mobility",
        "HAND": "Hand function",
        "PC": "Personal care",
        "INC": "Incontinence",
        "COMM": "Communication",
        "LD": "Learning",
        "HEAR": "Hearing",
        "VIS": "Vision",
        "BEH": "Behaviour",
        "CON": "Consciousness",
        "AUT": "Autism or Asperger syndrome",
        "DDA": "Other disability",
    }
)

#: Reason a child has no UPN (CIN census UPNunknown).
UPN_UNKNOWN = _frozen(
    {
        "UN1": "Child is aged under 6 and has not yet been assigned a UPN",
        "UN2": "Child has never attended a state school in England",
        "UN3": "Child is educated outside England",
        "UN4": "Child is newly arrived in England and not yet assigned a UPN",
        "UN5": "Sources collating UPNs reflect an incorrect UPN",
        "UN6": "Child is an unaccompanied asylum-seeking child",
        "UN7": "Referral with no further action",
    }
)

#: SSDA903 reason for a change of placement (REASON_PLACE_CHANGE).
REASON_PLACE_CHANGE = _frozen(
    {
        "CARPL": "Change to or implementation of the care plan",
        "CLOSE": "Resignation or closure of the provision",
        "ALLEG": "Allegation of abuse against the carer",
        "STAND": "Standards of care concern",
        "APPRR": "Approval removed",
        "CREQB": "Carer's request: the child's behaviour",
        "CREQO": "Carer's request: other reasons",
        "CHILD": "Child's wishes",
        "LAREQ": "Responsible authority's request: other reasons",
        "PLACE": "Change in the status of the placement only",
        "CUSTOD": "Custody arrangement",
        "OTHER": "Other",
    }
)

#: SSDA903 reason for a change of social worker (SW_REASON).
SW_REASON = _frozen(
    {
        "MANAGE": "Management decision",
        "FCONTA": "Worker's fixed-term contract ended",
        "LEFTRL": "Worker left the role",
        "ORGRST": "Organisational restructure",
        "TSPROC": "Transfer to another team or service",
        "ABSENC": "Worker's long-term absence",
        "CHCHAN": "Child's request for a change of worker",
        "PCCHAN": "Parent's or carer's request for a change of worker",
        "SWDIED": "Worker died",
        "OTHERS": "Other",
    }
)


def label(codes: Mapping[str, str], code: str) -> str:
    """The plain-English label for ``code``, or the code itself if it is not in the list."""
    return codes.get(code, code)


def choices(codes: Mapping[str, str]) -> list[tuple[str, str]]:
    """``(code, label)`` pairs for a form or a model field's choices."""
    return list(codes.items())
