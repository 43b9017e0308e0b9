"""Everything held about a person, gathered through the record's read side, and the
third parties named in it.

``gather`` takes a ``Disclosure`` (``record.access.open_for_subject_access``: decided and
audited) and lays the person's records out as tables per agency: the agency's source
records (identity as the agency holds it), the chronology events it recorded, its
involvements with the person, the statuses it recorded and the relationships it told us
of. The cells are plain strings, ready for the PDF, CSV and JSON.

Third parties are the people the records link to the person: relatives and household
members, other people named in events, the practitioners and referrers. Their names
(``redaction.name_terms``) become suggested redactions when found in the tables.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.db.models import Q

from sightline.access.sections import REFERRER_CATEGORIES
from sightline.chronology.models import ChronologyEvent
from sightline.people.models import Person, Relationship, SourceRecord
from sightline.record.access import Disclosure
from sightline.subjectaccess import redaction

# Words of a practitioner's recorded name that are titles, not names.
_TITLES = frozenset(
    {"dr", "mr", "mrs", "ms", "miss", "mx", "pc", "dc", "ds", "di", "sgt", "prof", "nurse", "rev"}
)


@dataclass(frozen=True)
class Table:
    slug: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def redacted(self, redactor: redaction.Redactor) -> "Table":
        return replace(self, rows=tuple(tuple(redactor(cell) for cell in row) for row in self.rows))

    def as_dicts(self) -> list[dict[str, str]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class AgencySection:
    code: str
    name: str
    tables: tuple[Table, ...]

    @property
    def rows(self) -> int:
        return sum(len(table.rows) for table in self.tables)


@dataclass(frozen=True)
class ThirdParty:
    """One other person: their name as the records give it, the words that name them
    (the full name and each name alone), and who they are to the person."""

    name: str
    terms: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class Gathered:
    person_name: str
    identity: Table
    agencies: tuple[AgencySection, ...]
    third_parties: tuple[ThirdParty, ...] = field(default=())

    def text(self) -> str:
        """Every cell, for finding names in."""
        cells = [cell for row in self.identity.rows for cell in row]
        for section in self.agencies:
            for table in section.tables:
                cells.extend(cell for row in table.rows for cell in row)
        return "\n".join(cells)

    def redacted(self, redactor: redaction.Redactor) -> "Gathered":
        return replace(
            self,
            identity=self.identity.redacted(redactor),
            agencies=tuple(
                replace(section, tables=tuple(t.redacted(redactor) for t in section.tables))
                for section in self.agencies
            ),
        )


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _moment(value: dt.datetime, *, date_only: bool = False) -> str:
    return value.date().isoformat() if date_only else value.isoformat(timespec="minutes")


def _own_names(person: Person, records: list[SourceRecord]) -> frozenset[str]:
    names = {*person.given_name.split(), *person.family_name.split()}
    for record in records:
        names.update(record.given_name.split())
        names.update(record.family_name.split())
        names.update(record.other_names.replace(",", " ").split())
    return frozenset(name.lower() for name in names)


def gather(disclosure: Disclosure) -> Gathered:
    """The person's records, as tables per agency, and the third parties they name."""
    person = disclosure.person
    records = list(person.source_records.select_related("agency").order_by("agency__code"))
    own = _own_names(person, records)
    tables: dict[tuple[str, str], dict[str, list[tuple[str, ...]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    third: dict[str, tuple[str, list[str]]] = {}

    def name(given: str, family: str, why: str, *, shown: str = "") -> None:
        terms = redaction.name_terms(given, family, own=own)
        if not terms:
            return
        key = " ".join((shown or f"{given} {family}").split())
        found = third.setdefault(key, (why, []))[1]
        found.extend(term for term in [key, *terms] if term not in found)

    def practitioner(text: str, why: str) -> None:
        words = [w for w in text.split() if w.strip(".").lower() not in _TITLES]
        if words:
            name(" ".join(words[:-1]), words[-1], why, shown=" ".join(words))

    for record in records:
        tables[(record.agency.code, record.agency.name)]["records"].append(
            (
                record.record_id,
                record.given_name,
                record.family_name,
                record.other_names,
                _day(record.date_of_birth),
                record.get_sex_display() if record.sex else "",
                record.nhs_number,
                record.address,
                record.postcode,
            )
        )
    events = list(disclosure.chronology())
    for row in events:
        tables[(row.agency.code, row.agency.name)]["events"].append(
            (
                row.event_id,
                str(row.revision),
                _moment(row.occurred_at, date_only=row.date_only),
                row.category.label,
                row.summary,
                row.significance_label,
                row.practitioner,
                "yes" if row.is_superseded else "",
                _moment(row.recorded_at),
            )
        )
        if row.practitioner:
            referrer = row.category.code in REFERRER_CATEGORIES
            practitioner(
                row.practitioner,
                f"{'referrer' if referrer else 'practitioner'} ({row.agency.name})",
            )
    # Other people named in the person's events (a household adult, a sibling, a peer).
    others = SourceRecord.objects.filter(
        mentioned_in__in=ChronologyEvent.objects.filter(person=person)
    ).exclude(person=person)
    for other in others.distinct():
        name(other.given_name, other.family_name, "another person named in an event")
        for alias in other.other_names.split(","):
            parts = alias.split()
            if parts:
                name(" ".join(parts[:-1]), parts[-1], "another person named in an event")
    for involvement in person.involvements.select_related("agency", "practitioner"):
        worker = involvement.practitioner
        worker_name = worker.get_full_name() if worker is not None else ""
        tables[(involvement.agency.code, involvement.agency.name)]["involvements"].append(
            (
                involvement.get_role_display(),
                worker_name,
                _day(involvement.started_on),
                _day(involvement.ended_on),
            )
        )
        if worker is not None:
            name(worker.first_name, worker.last_name, f"practitioner ({involvement.agency.name})")
    for status in person.status_periods.select_related("recorded_by_agency"):
        agency = status.recorded_by_agency
        tables[(agency.code, agency.name)]["statuses"].append(
            (
                status.get_kind_display(),
                status.get_protection_category_display() if status.protection_category else "",
                _day(status.started_on),
                _day(status.ended_on),
            )
        )
    relationships = Relationship.objects.filter(Q(person=person) | Q(relative=person))
    for link in relationships.select_related("person", "relative", "source_agency"):
        other_person = link.relative if link.person_id == person.pk else link.person
        kind = link.get_kind_display()
        described = (
            f"{kind} of {other_person.full_name}"
            if link.person_id == person.pk
            else f"{other_person.full_name} is {kind.lower()}"
        )
        why = kind.lower() + (" (lives with the person)" if link.lives_with else "")
        name(other_person.given_name, other_person.family_name, why)
        for record in other_person.source_records.all():
            name(record.given_name, record.family_name, why)
        agency_key = (
            (link.source_agency.code, link.source_agency.name)
            if link.source_agency is not None
            else ("", "Recorded without an agency")
        )
        tables[agency_key]["relationships"].append(
            (
                described,
                "yes" if link.lives_with else "",
                _day(link.started_on),
                _day(link.ended_on),
            )
        )
    identity = Table(
        "identity",
        "The person",
        ("Name", "Date of birth", "NHS number", "Address", "Postcode"),
        (
            (
                person.full_name,
                _day(person.date_of_birth),
                person.nhs_number,
                person.address,
                person.postcode,
            ),
        ),
    )
    sections = tuple(
        AgencySection(
            code=code,
            name=agency_name,
            tables=tuple(
                Table(slug, _TITLES_BY_SLUG[slug], _COLUMNS[slug], tuple(found[slug]))
                for slug in _COLUMNS
                if found.get(slug)
            ),
        )
        for (code, agency_name), found in sorted(tables.items(), key=lambda item: item[0][1])
    )
    # A single word that is also a word of the records' own vocabulary (an agency's name,
    # a category, a role: "Police" in "West Yorkshire Police") is no name to redact alone;
    # the full name it belongs to still is.
    vocabulary = {word.lower() for section in sections for word in section.name.split()}
    for section in sections:
        for table in section.tables:
            vocabulary.update(word.lower() for column in table.columns for word in column.split())
            labels = _LABEL_COLUMNS.get(table.slug, ())
            for cells in table.rows:
                for index in labels:
                    vocabulary.update(word.lower() for word in cells[index].split())
    return Gathered(
        person_name=person.full_name,
        identity=identity,
        agencies=sections,
        third_parties=tuple(
            ThirdParty(
                key,
                tuple(t for t in terms if " " in t or t.lower() not in vocabulary),
                why,
            )
            for key, (why, terms) in sorted(third.items())
        ),
    )


_COLUMNS: dict[str, tuple[str, ...]] = {
    "records": (
        "Record id",
        "Given name",
        "Family name",
        "Other names",
        "Date of birth",
        "Sex",
        "NHS number",
        "Address",
        "Postcode",
    ),
    "events": (
        "Event id",
        "Revision",
        "When",
        "Category",
        "Summary",
        "Significance",
        "Practitioner",
        "Corrected later",
        "Recorded",
    ),
    "involvements": ("Role", "Practitioner", "From", "To"),
    "statuses": ("Status", "Category", "From", "To"),
    "relationships": ("Relationship", "Lives with", "From", "To"),
}
# The columns of each table that hold labels of Sightline's vocabulary, not free text.
_LABEL_COLUMNS: dict[str, tuple[int, ...]] = {
    "events": (3, 5),
    "involvements": (0,),
    "statuses": (0, 1),
}
_TITLES_BY_SLUG = {
    "records": "Records held",
    "events": "Chronology",
    "involvements": "Involvements",
    "statuses": "Plans and statuses",
    "relationships": "Family and household",
}


def found_third_parties(gathered: Gathered) -> list[tuple[ThirdParty, int]]:
    """The third parties whose names occur in the gathered records, with how often."""
    text = gathered.text()
    found = []
    for party in gathered.third_parties:
        occurrences = redaction.count(text, *party.terms)
        if occurrences:
            found.append((party, occurrences))
    return found
