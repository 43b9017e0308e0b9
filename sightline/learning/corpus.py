"""Coded review corpora: the file format, its parser and a synthetic generator.

A corpus file is JSON lines. The first line is a header that says what the file is
and whether it is synthetic; each further line is one review with its final themes::

    {"format": "sightline-review-corpus", "version": 1, "synthetic": true, "note": "..."}
    {"reference": "SYN-2023-0001", "kind": "rapid", "title": "...", "text": "...", ...}

The shipped corpus (``data/synthetic_reviews.jsonl``) is made by ``generate_corpus``:
every review in it is invented, assembled from stock sentences, and marked synthetic
three times over (header, ``is_synthetic``, ``SYN-`` reference). It exists so that the
coding pages, the suggestions and the reports can be tried and tested; its figures say
nothing about real children.
"""

import datetime as dt
import json
import random
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import IO, Any

from sightline.learning.models import (
    AgeBand,
    Disability,
    Ethnicity,
    Nature,
    Region,
    ReviewKind,
    Sex,
)
from sightline.learning.themes import STARTING_THEMES

FORMAT = "sightline-review-corpus"
FORMAT_VERSION = 1
SHIPPED_CORPUS = Path(__file__).parent / "data" / "synthetic_reviews.jsonl"


class CorpusError(ValueError):
    """A corpus line that cannot be read; the message names the line and the field."""


@dataclass(frozen=True)
class ReviewRecord:
    reference: str
    kind: str
    title: str
    text: str
    notified_on: dt.date
    completed_on: dt.date | None
    local_authority: str
    region: str
    nature: str
    age_band: str
    sex: str
    ethnicity: str
    disability: str
    known_to_social_care: bool
    child_protection_plan: bool
    child_in_need_plan: bool
    looked_after: bool
    known_to_police: bool
    known_to_health: bool
    known_to_education: bool
    is_synthetic: bool
    themes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["notified_on"] = self.notified_on.isoformat()
        data["completed_on"] = self.completed_on.isoformat() if self.completed_on else None
        data["themes"] = list(self.themes)
        return data


_CHOICES: dict[str, list[str]] = {
    "kind": ReviewKind.values,
    "region": Region.values,
    "nature": Nature.values,
    "age_band": AgeBand.values,
    "sex": Sex.values,
    "ethnicity": Ethnicity.values,
    "disability": Disability.values,
}
_FLAGS = [
    "known_to_social_care",
    "child_protection_plan",
    "child_in_need_plan",
    "looked_after",
    "known_to_police",
    "known_to_health",
    "known_to_education",
    "is_synthetic",
]
_TEXTS = {"reference": 40, "title": 300, "text": 200_000, "local_authority": 120}


def parse_review_record(data: Mapping[str, Any], *, line: int) -> ReviewRecord:
    """One review from a decoded JSON object; ``CorpusError`` names the line and field."""

    def fail(field: str, message: str) -> CorpusError:
        return CorpusError(f"line {line}: {field}: {message}")

    known = {f.name for f in fields(ReviewRecord)}
    extra = sorted(set(data) - known)
    if extra:
        raise fail(extra[0], "is not a field of a review record")
    values: dict[str, Any] = {}
    for name, limit in _TEXTS.items():
        value = data.get(name)
        if not isinstance(value, str) or not value.strip():
            raise fail(name, "is required text")
        if len(value) > limit:
            raise fail(name, f"is longer than {limit} characters")
        values[name] = value.strip()
    for name, allowed in _CHOICES.items():
        value = data.get(name)
        if value not in allowed:
            raise fail(name, f"{value!r} is not one of {', '.join(allowed)}")
        values[name] = value
    for name in _FLAGS:
        value = data.get(name)
        if not isinstance(value, bool):
            raise fail(name, f"must be true or false, not {value!r}")
        values[name] = value
    for name in ("notified_on", "completed_on"):
        value = data.get(name)
        if value is None and name == "completed_on":
            values[name] = None
            continue
        try:
            values[name] = dt.date.fromisoformat(str(value))
        except ValueError:
            raise fail(name, f"{value!r} is not a date (YYYY-MM-DD)") from None
    if values["completed_on"] is not None and values["completed_on"] < values["notified_on"]:
        raise fail("completed_on", "is before notified_on")
    themes = data.get("themes", [])
    if not isinstance(themes, list) or not all(isinstance(t, str) and t for t in themes):
        raise fail("themes", "must be a list of theme codes")
    if len(set(themes)) != len(themes):
        raise fail("themes", "a theme is listed twice")
    values["themes"] = tuple(themes)
    return ReviewRecord(**values)


def read_corpus(stream: IO[str]) -> tuple[dict[str, Any], list[ReviewRecord]]:
    """The header and every review, or ``CorpusError`` for the first bad line."""
    header: dict[str, Any] | None = None
    records: list[ReviewRecord] = []
    for number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as error:
            raise CorpusError(f"line {number}: not valid JSON ({error.msg})") from None
        if not isinstance(data, dict):
            raise CorpusError(f"line {number}: expected a JSON object")
        if header is None:
            if data.get("format") != FORMAT or data.get("version") != FORMAT_VERSION:
                raise CorpusError(
                    f"line {number}: format: the first line must be the header "
                    f'{{"format": "{FORMAT}", "version": {FORMAT_VERSION}, "synthetic": ...}}'
                )
            if not isinstance(data.get("synthetic"), bool):
                raise CorpusError(f"line {number}: synthetic: the header must say true or false")
            header = data
            continue
        record = parse_review_record(data, line=number)
        if header["synthetic"] and not record.is_synthetic:
            raise CorpusError(f"line {number}: is_synthetic: the header says the file is synthetic")
        records.append(record)
    if header is None:
        raise CorpusError("line 1: format: the file is empty")
    return header, records


def write_corpus(stream: IO[str], records: Iterable[ReviewRecord], *, note: str) -> int:
    records = list(records)
    synthetic = all(record.is_synthetic for record in records)
    header = {"format": FORMAT, "version": FORMAT_VERSION, "synthetic": synthetic, "note": note}
    stream.write(json.dumps(header) + "\n")
    for record in records:
        stream.write(json.dumps(record.to_json(), ensure_ascii=False) + "\n")
    return len(records)


# --- the synthetic generator ---------------------------------------------------------

SYNTHETIC_NOTE = (
    "SYNTHETIC. Every review in this file is invented by sightline.learning.corpus."
    "generate_corpus from stock sentences; no real child, family, place or review is "
    "described and the figures mean nothing about real cases."
)

# Invented local authority names, a few per region.
LOCAL_AUTHORITIES: dict[str, list[str]] = {
    "north_east": ["Tynebury", "Wearmouth Vale"],
    "north_west": ["Mersefield", "Irwell Borough", "Fylde Moor"],
    "yorkshire": ["Airedale Cross", "Calderbridge", "Humberholt"],
    "east_midlands": ["Trentham Shire", "Soar Valley"],
    "west_midlands": ["Tamebury", "Severnside", "Blackcountry Heath"],
    "east": ["Fenmere", "Stourbridge Marsh"],
    "london": ["Riverside North", "Lea Marshes", "Thamesmead West", "Wandlebury"],
    "south_east": ["Medway Downs", "Solent Reach", "Weald Valley"],
    "south_west": ["Exmoor Coast", "Avonford"],
}

# Sentences that show a theme. Several per theme, so no single word decides it.
EVIDENCE: dict[str, list[str]] = {
    "physical_abuse": [
        "Bruising to the child's arms was explained by the parent as rough play and accepted.",
        "A teacher noticed marks on the child's face that the child said came from being hit.",
        "The child had been slapped and kicked by a carer over several months.",
    ],
    "neglect": [
        "The home conditions were poor, with little food and the child often hungry and unwashed.",
        "Health appointments were repeatedly missed and the child's dental decay went untreated.",
        "Professionals described chronic neglect that had become normalised over years.",
    ],
    "sexual_abuse": [
        "The child disclosed sexual abuse by a family friend to a school nurse.",
        "Concerns about sexualised behaviour were noted but not linked to possible abuse.",
        "An adult in the household was later convicted of sexual offences against the child.",
    ],
    "emotional_abuse": [
        "The child was belittled and frightened by a parent in front of others.",
        "Records describe persistent rejection and hostility towards the child at home.",
        "The child's low mood was linked to constant criticism and threats at home.",
    ],
    "infant_nai": [
        "The baby was admitted with a skull fracture and rib fractures of different ages.",
        "A bruise on the non-mobile infant was not referred for a child protection medical.",
        "The infant suffered a head injury that doctors considered non-accidental.",
    ],
    "sudi": [
        "The baby died unexpectedly while sleeping on a sofa with a parent.",
        "Safer sleep advice had been given but co-sleeping continued after alcohol use.",
        "The infant was found unresponsive in an unsafe sleeping arrangement.",
    ],
    "suicide": [
        "The young person took their own life after a period of escalating self-harm.",
        "Previous suicidal statements had been recorded by several services.",
        "The young person died by suicide shortly after a crisis assessment.",
    ],
    "homicide": [
        "The child was killed by a parent during an episode of violence at home.",
        "A murder investigation followed the child's death at the hands of a household member.",
    ],
    "criminal_exploitation": [
        "The young person was going missing and found in another county carrying drugs.",
        "Police identified the young person as exploited by a county lines network.",
        "Older males were using the child to hold and move drugs and cash.",
    ],
    "sexual_exploitation": [
        "The young person was groomed by older men who gave her alcohol and lifts.",
        "Intelligence showed the child was being sexually exploited at parties.",
    ],
    "serious_youth_violence": [
        "The young person was stabbed in a park after a dispute between groups.",
        "There had been earlier incidents of knife crime involving the young person's peers.",
        "The young person was a victim of a serious assault by other teenagers.",
    ],
    "online_harm": [
        "The child was being contacted and blackmailed through social media.",
        "Harmful content about self-harm was found on the child's phone.",
        "An adult stranger had groomed the child online over several weeks.",
    ],
    "child_mental_health": [
        "The young person had been waiting many months for a mental health service.",
        "Anxiety, low mood and self-harm were known to the GP and the school.",
        "A referral to child and adolescent mental health services was declined.",
    ],
    "not_in_school": [
        "The child had been out of education for most of the year.",
        "Attendance fell below fifty per cent and the child was later electively home educated.",
        "Persistent absence from school was not treated as a safeguarding concern.",
    ],
    "young_carer": [
        "The child was caring for a disabled parent and younger siblings.",
        "The young person's caring responsibilities were never assessed.",
    ],
    "domestic_abuse": [
        "There were repeated police call-outs to domestic abuse between the parents.",
        "The mother had been assessed as at high risk at a domestic abuse risk conference.",
        "Coercive control by the father limited the mother's contact with services.",
    ],
    "parental_mental_health": [
        "The mother had a long history of depression and a recent psychiatric admission.",
        "A parent's mental health deteriorated and adult services did not consider the children.",
        "Postnatal mental ill-health was noted by the health visitor but not followed up.",
    ],
    "parental_substance_misuse": [
        "Both parents were using heroin and the substance misuse service was involved.",
        "The father's heavy drinking was known to the GP and to the police.",
        "Parental cannabis and cocaine use affected the care given to the children.",
    ],
    "parental_criminality": [
        "The father had recently been released from prison for violent offences.",
        "A parent's offending history was not shared with children's services.",
    ],
    "men_and_fathers": [
        "The mother's new partner was not known to services and was never assessed.",
        "Professionals worked with the mother and overlooked the role of the father.",
        "Little was known about the men living in or visiting the household.",
    ],
    "poverty_and_housing": [
        "The family had moved between temporary accommodation several times.",
        "Debt, overcrowding and poor housing added to the pressure on the family.",
        "The family had no recourse to public funds and were living in one room.",
    ],
    "extra_familial_relationships": [
        "The young person's friendships with older peers placed them at risk outside the home.",
        "Risks in the community and in peer groups were not understood by the network.",
    ],
    "risk_assessment": [
        "Assessments did not weigh the cumulative risk and were closed too early.",
        "Decisions about the level of risk were not based on the full history.",
        "The strategy discussion concluded the threshold was not met despite clear indicators.",
        "Risk assessment focused on the single incident rather than the pattern of harm.",
    ],
    "information_sharing": [
        "Important information held by health was not shared with children's social care.",
        "The police did not pass on the domestic incident notification to the school.",
        "Agencies each held a piece of the picture but nobody put it together.",
        "Records were not shared when the family moved between local authorities.",
    ],
    "optimism_bias": [
        "Professionals were reassured by the parents' promises that things would improve.",
        "Small improvements were given too much weight and concerns were downplayed.",
        "There was an over-optimistic view of the parents' capacity to change.",
    ],
    "critical_thinking": [
        "Practitioners did not question the parents' accounts or test alternative explanations.",
        "Professional curiosity was lacking and inconsistencies went unchallenged.",
        "No one stepped back to challenge the agreed view of the family.",
    ],
    "voice_of_child": [
        "The child was rarely seen alone and their wishes and feelings were not recorded.",
        "The daily lived experience of the child was not understood by professionals.",
        "What the child said about home life was not acted upon.",
    ],
    "reluctant_engagement": [
        "The family repeatedly cancelled visits and did not engage with services.",
        "Disguised compliance by the parents meant professionals were kept at a distance.",
        "The parents were hostile to professionals and avoided contact.",
    ],
    "changing_risk": [
        "When circumstances changed, for example a new partner moving in, plans were not revisited.",
        "The plan was not updated after the escalation in incidents.",
        "Services did not respond when the risk to the child increased rapidly.",
    ],
    "multi_agency_working": [
        "Partners did not attend the core group and the plan was not owned by all agencies.",
        "Multi-agency meetings were poorly coordinated and actions were not followed up.",
        "There was no shared multi-agency plan for the family.",
    ],
    "escalation": [
        "Practitioners who disagreed with decisions did not use the escalation policy.",
        "Concerns were not escalated to managers when the referral was not accepted.",
    ],
    "supervision": [
        "Supervision was infrequent and did not reflect on the case.",
        "The practitioner had little management oversight or reflective supervision.",
    ],
    "leadership_culture": [
        "Senior leaders had not addressed known weaknesses in the front door service.",
        "An organisational culture of closing cases quickly shaped decisions.",
    ],
    "workload": [
        "The social worker held a very high caseload and visits were delayed.",
        "Staff turnover and vacancies meant the family had four social workers in a year.",
    ],
}

# Sentences that mention a theme's words without the theme being present.
DISTRACTORS: dict[str, str] = {
    "domestic_abuse": "There was no record of domestic abuse in the household.",
    "parental_substance_misuse": "Neither parent was known to drink heavily or use drugs.",
    "information_sharing": "Information was shared promptly once the incident was reported.",
    "neglect": "The home was clean and the child appeared well cared for.",
    "child_mental_health": "The young person had no known mental health difficulties.",
    "risk_assessment": "The risk assessment completed by the hospital was thorough.",
    "voice_of_child": "The child was seen alone on every visit.",
}

FILLER = [
    "This review was carried out by the local safeguarding partnership.",
    "Agencies provided chronologies and attended a learning event.",
    "The review considered the period from the child's birth to the incident.",
    "The family agreed to contribute to the review.",
    "Practitioners were open and reflective during the review process.",
    "The partnership has agreed an action plan in response to the findings.",
    "Some good practice was identified, particularly by the health visiting service.",
    "The review was completed within the expected timescale.",
]

_RATES: dict[str, float] = {
    "domestic_abuse": 0.42,
    "parental_mental_health": 0.3,
    "parental_substance_misuse": 0.26,
    "parental_criminality": 0.12,
    "men_and_fathers": 0.2,
    "poverty_and_housing": 0.22,
    "risk_assessment": 0.41,
    "information_sharing": 0.4,
    "optimism_bias": 0.32,
    "critical_thinking": 0.25,
    "voice_of_child": 0.3,
    "reluctant_engagement": 0.22,
    "changing_risk": 0.18,
    "multi_agency_working": 0.3,
    "escalation": 0.12,
    "supervision": 0.12,
    "leadership_culture": 0.07,
    "workload": 0.1,
    "young_carer": 0.03,
    "online_harm": 0.06,
}
_OLDER_RATES = {
    "child_mental_health": 0.45,
    "not_in_school": 0.35,
    "extra_familial_relationships": 0.3,
}
_AGE_WEIGHTS = [("under_1", 30), ("1_4", 14), ("5_9", 10), ("10_15", 28), ("16_17", 18)]
_ETHNICITY_WEIGHTS = [
    ("white", 70),
    ("mixed", 8),
    ("asian", 8),
    ("black", 7),
    ("other", 3),
    ("unknown", 4),
]
_AGE_TEXT = {
    "under_1": "a baby under one year old",
    "1_4": "a child aged between one and four",
    "5_9": "a child aged between five and nine",
    "10_15": "a young person aged between ten and fifteen",
    "16_17": "a young person aged sixteen or seventeen",
}


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([value for value, _ in weighted], [w for _, w in weighted])[0]


def _harm(rng: random.Random, nature: str, age: str) -> list[str]:
    if age == "under_1":
        if nature == "death":
            return [rng.choice(["sudi", "sudi", "infant_nai", "neglect"])]
        return [rng.choice(["infant_nai", "infant_nai", "physical_abuse", "neglect"])]
    if age in {"10_15", "16_17"}:
        options = (
            ["suicide", "suicide", "serious_youth_violence", "homicide", "criminal_exploitation"]
            if nature == "death"
            else [
                "criminal_exploitation",
                "sexual_exploitation",
                "serious_youth_violence",
                "sexual_abuse",
                "neglect",
                "physical_abuse",
            ]
        )
        return [rng.choice(options)]
    if nature == "death":
        return [rng.choice(["homicide", "neglect", "physical_abuse"])]
    return [rng.choice(["neglect", "neglect", "physical_abuse", "sexual_abuse", "emotional_abuse"])]


def generate_review(
    rng: random.Random, number: int, *, first_year: int, years: int
) -> ReviewRecord:
    """One invented review; its themes come first, its text is written from them."""
    nature = _pick(rng, [("death", 45), ("serious_harm", 51), ("other", 4)])
    age = _pick(rng, _AGE_WEIGHTS)
    older = age in {"10_15", "16_17"}
    themes = _harm(rng, nature, age)
    for code, rate in _RATES.items():
        if rng.random() < rate:
            themes.append(code)
    if older:
        themes += [code for code, rate in _OLDER_RATES.items() if rng.random() < rate]
    if not any(code in themes for code, _ in _RATES.items() if code in _PRACTICE):
        themes.append(rng.choice(sorted(_PRACTICE)))
    region = rng.choice(sorted(LOCAL_AUTHORITIES))
    authority = rng.choice(LOCAL_AUTHORITIES[region])
    year = first_year + rng.randrange(years)
    notified = dt.date(year, 4, 1) + dt.timedelta(days=rng.randrange(365))
    kind = "local" if rng.random() < 0.2 else "rapid"
    completed = notified + dt.timedelta(
        days=rng.randint(20, 30) if kind == "rapid" else rng.randint(150, 400)
    )
    known = rng.random() < 0.7
    sentences = [
        f"This synthetic {ReviewKind(kind).label.lower()} concerns {_AGE_TEXT[age]} "
        f"in {authority}, notified as {Nature(nature).label.lower()}.",
        rng.choice(FILLER),
    ]
    evidence = []
    for code in themes:
        # A coded theme is sometimes not spelt out (coders read between the lines).
        if rng.random() < 0.12:
            continue
        evidence.append(rng.choice(EVIDENCE[code]))
        if rng.random() < 0.25:
            evidence.append(rng.choice(EVIDENCE[code]))
    for code, sentence in DISTRACTORS.items():
        if code not in themes and rng.random() < 0.08:
            evidence.append(sentence)
    rng.shuffle(evidence)
    sentences += evidence
    sentences.append(rng.choice(FILLER))
    harm_label = _LABELS[themes[0]].lower()
    return ReviewRecord(
        reference=f"SYN-{year}-{number:05d}",
        kind=kind,
        title=f"Synthetic {ReviewKind(kind).label.lower()}: {harm_label}, {authority}",
        text=" ".join(dict.fromkeys(sentences)),
        notified_on=notified,
        completed_on=completed,
        local_authority=authority,
        region=region,
        nature=nature,
        age_band=age,
        sex=_pick(rng, [("female", 46), ("male", 52), ("unknown", 2)]),
        ethnicity=_pick(rng, _ETHNICITY_WEIGHTS),
        disability=_pick(rng, [("yes", 12), ("no", 80), ("unknown", 8)]),
        known_to_social_care=known,
        child_protection_plan=known and rng.random() < 0.3,
        child_in_need_plan=known and rng.random() < 0.35,
        looked_after=known and rng.random() < (0.15 if older else 0.04),
        known_to_police=rng.random() < (0.7 if older else 0.4),
        known_to_health=rng.random() < 0.92,
        known_to_education=age not in {"under_1", "1_4"} and rng.random() < 0.9,
        is_synthetic=True,
        themes=tuple(sorted(set(themes), key=themes.index)),
    )


_LABELS = {code: label for _, code, label in STARTING_THEMES}
_PRACTICE = {code for group, code, _ in STARTING_THEMES if group == "practice"}


def generate_corpus(
    count: int, *, seed: int, first_year: int = 2019, years: int = 5
) -> Iterator[ReviewRecord]:
    """``count`` invented reviews notified in ``years`` financial years from ``first_year``."""
    if count < 1:
        raise ValueError(f"count: must be at least 1, not {count}")
    if years < 1:
        raise ValueError(f"years: must be at least 1, not {years}")
    rng = random.Random(seed)  # noqa: S311 - invented data, not security
    for number in range(1, count + 1):
        yield generate_review(rng, number, first_year=first_year, years=years)
