"""Every write in learning from reviews: one transaction, an explicit actor (``None``
for the command line), one audit row. Bad input raises ``LearningError`` naming the
field before anything is written."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from sightline.accounts.models import Role, User
from sightline.agencies.models import Agency, AgencyKind
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.incidents.models import SeriousIncidentNotification
from sightline.learning import extract, queries
from sightline.learning.access import Capability, can
from sightline.learning.corpus import ReviewRecord
from sightline.learning.models import (
    AuthorityRegion,
    Coding,
    CodingStatus,
    FinalCoding,
    FinalCodingSource,
    Region,
    ReviewDocument,
    Taxonomy,
    TaxonomyStatus,
    Theme,
    ThemeGroup,
)


class LearningError(ValueError):
    """Input that cannot be accepted; ``field`` names what to correct."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


def _require(actor: User | None, capability: Capability) -> None:
    if not can(actor, capability):
        raise PermissionDenied(f"{actor} may not {capability.name.lower().replace('_', ' ')}")


def published_taxonomy() -> Taxonomy:
    taxonomy = Taxonomy.objects.filter(status=TaxonomyStatus.PUBLISHED).first()
    if taxonomy is None:
        raise LearningError("taxonomy", "no taxonomy version is published")
    return taxonomy


def _themes(taxonomy: Taxonomy, codes: Iterable[str], *, field: str) -> list[Theme]:
    wanted = set(codes)
    themes = list(Theme.objects.filter(taxonomy=taxonomy, code__in=wanted))
    unknown = wanted - {theme.code for theme in themes}
    if unknown:
        raise LearningError(
            field,
            f"not in taxonomy version {taxonomy.version}: {', '.join(sorted(unknown))}",
        )
    return themes


# --- review documents ----------------------------------------------------------------


def _document(record: ReviewRecord, *, actor: User | None, now: dt.datetime) -> ReviewDocument:
    return ReviewDocument(
        reference=record.reference,
        kind=record.kind,
        title=record.title,
        text=record.text,
        notified_on=record.notified_on,
        completed_on=record.completed_on,
        local_authority=record.local_authority,
        region=record.region,
        nature=record.nature,
        age_band=record.age_band,
        sex=record.sex,
        ethnicity=record.ethnicity,
        disability=record.disability,
        known_to_social_care=record.known_to_social_care,
        child_protection_plan=record.child_protection_plan,
        child_in_need_plan=record.child_in_need_plan,
        looked_after=record.looked_after,
        known_to_police=record.known_to_police,
        known_to_health=record.known_to_health,
        known_to_education=record.known_to_education,
        is_synthetic=record.is_synthetic,
        recorded_by=actor,
        recorded_at=now,
    )


@transaction.atomic
def record_review_document(
    *,
    actor: User | None,
    origin: Origin,
    record: ReviewRecord,
    notification: SeriousIncidentNotification | None = None,
) -> ReviewDocument:
    """Add one review for coding, linked to its notification if it was made here. Its
    themes, if the record has any, are ignored: a review entered here is coded by two
    analysts, not imported already coded."""
    _require(actor, Capability.CODE_REVIEWS)
    if ReviewDocument.objects.filter(reference=record.reference).exists():
        raise LearningError("reference", f"{record.reference} is already recorded")
    document = _document(record, actor=actor, now=timezone.now())
    document.notification = notification
    document.save()
    record_audit(
        actor=actor,
        action=AuditAction.RECORD_REVIEW_DOCUMENT,
        origin=origin,
        detail={
            "review": document.reference,
            "notification": notification.reference if notification else None,
        },
    )
    return document


@transaction.atomic
def set_authority_region(
    *, actor: User | None, origin: Origin, local_authority: Agency, region: str
) -> AuthorityRegion:
    """Say which region a local authority is in, for the regional statistics table."""
    _require(actor, Capability.EDIT_TAXONOMY)
    if region not in Region.values:
        raise LearningError("region", f"{region!r} is not one of {', '.join(Region.values)}")
    if local_authority.kind != AgencyKind.CHILDRENS_SOCIAL_CARE:
        raise LearningError(
            "local_authority",
            f"{local_authority.code} is not a local authority's children's social care",
        )
    mapping, created = AuthorityRegion.objects.update_or_create(
        local_authority=local_authority, defaults={"region": region}
    )
    record_audit(
        actor=actor,
        action=AuditAction.SET_AUTHORITY_REGION,
        origin=origin,
        detail={"local_authority": local_authority.code, "region": region, "new": created},
    )
    return mapping


@dataclass(frozen=True)
class ImportResult:
    documents: int
    theme_links: int
    taxonomy_version: int


@transaction.atomic
def import_review_corpus(
    *,
    actor: User | None,
    origin: Origin,
    records: Sequence[ReviewRecord],
    taxonomy: Taxonomy | None = None,
    coded: bool = True,
    batch_size: int = 2000,
) -> ImportResult:
    """Import reviews that were coded elsewhere, each with its final themes; or, with
    ``coded=False``, reviews to be coded here (their themes, if any, are ignored).

    All or nothing: every reference must be new and every theme code must be in the
    taxonomy version (the published one unless given) before a row is written.
    """
    _require(actor, Capability.CODE_REVIEWS)
    if not records:
        raise LearningError("records", "the file holds no reviews")
    taxonomy = taxonomy or published_taxonomy()
    if taxonomy.is_draft:
        raise LearningError("taxonomy", f"version {taxonomy.version} is a draft; publish it first")
    by_code = {theme.code: theme for theme in Theme.objects.filter(taxonomy=taxonomy)}
    seen: set[str] = set()
    for number, record in enumerate(records, start=1):
        if record.reference in seen:
            raise LearningError(f"record {number}: reference", f"{record.reference} is repeated")
        seen.add(record.reference)
        unknown = set(record.themes) - by_code.keys() if coded else set()
        if unknown:
            raise LearningError(
                f"record {number} ({record.reference}): themes",
                f"not in taxonomy version {taxonomy.version}: {', '.join(sorted(unknown))}",
            )
    clash = list(
        ReviewDocument.objects.filter(reference__in=seen).values_list("reference", flat=True)[:5]
    )
    if clash:
        raise LearningError("reference", f"already recorded: {', '.join(sorted(clash))}")

    now = timezone.now()
    documents = ReviewDocument.objects.bulk_create(
        [_document(record, actor=actor, now=now) for record in records], batch_size=batch_size
    )
    if not coded:
        record_audit(
            actor=actor,
            action=AuditAction.IMPORT_REVIEW_CORPUS,
            origin=origin,
            detail={
                "documents": len(documents),
                "coded": False,
                "synthetic": sum(record.is_synthetic for record in records),
            },
        )
        return ImportResult(len(documents), 0, taxonomy.version)
    finals = FinalCoding.objects.bulk_create(
        [
            FinalCoding(
                document=document,
                taxonomy=taxonomy,
                source=FinalCodingSource.IMPORTED,
                decided_by=actor,
                decided_at=now,
            )
            for document in documents
        ],
        batch_size=batch_size,
    )
    through = FinalCoding.themes.through
    links = [
        through(finalcoding_id=final.pk, theme_id=by_code[code].pk)
        for final, record in zip(finals, records, strict=True)
        for code in sorted(set(record.themes))
    ]
    through.objects.bulk_create(links, batch_size=batch_size * 5)
    record_audit(
        actor=actor,
        action=AuditAction.IMPORT_REVIEW_CORPUS,
        origin=origin,
        detail={
            "documents": len(documents),
            "theme_links": len(links),
            "taxonomy_version": taxonomy.version,
            "synthetic": sum(record.is_synthetic for record in records),
        },
    )
    return ImportResult(len(documents), len(links), taxonomy.version)


# --- taxonomy ------------------------------------------------------------------------


@transaction.atomic
def draft_taxonomy(*, actor: User | None, origin: Origin, notes: str = "") -> Taxonomy:
    """Start the next version as a copy of the published one (or of the latest)."""
    _require(actor, Capability.EDIT_TAXONOMY)
    if Taxonomy.objects.filter(status=TaxonomyStatus.DRAFT).exists():
        raise LearningError("taxonomy", "a draft version already exists: change or publish it")
    base = (
        Taxonomy.objects.filter(status=TaxonomyStatus.PUBLISHED).first()
        or Taxonomy.objects.order_by("-version").first()
    )
    latest = Taxonomy.objects.aggregate(latest=Max("version"))["latest"] or 0
    draft = Taxonomy.objects.create(
        version=latest + 1,
        status=TaxonomyStatus.DRAFT,
        based_on=base,
        notes=notes.strip(),
        created_by=actor,
        created_at=timezone.now(),
    )
    if base is not None:
        Theme.objects.bulk_create(
            [
                Theme(
                    taxonomy=draft,
                    group=theme.group,
                    code=theme.code,
                    label=theme.label,
                    description=theme.description,
                    order=theme.order,
                )
                for theme in base.themes.all()
            ]
        )
    record_audit(
        actor=actor,
        action=AuditAction.DRAFT_TAXONOMY,
        origin=origin,
        detail={"version": draft.version, "based_on": base.version if base else None},
    )
    return draft


def _check_draft(taxonomy: Taxonomy) -> None:
    if not taxonomy.is_draft:
        raise LearningError(
            "taxonomy",
            f"version {taxonomy.version} is {taxonomy.get_status_display().lower()}; "
            "only a draft can change",
        )


@transaction.atomic
def record_theme(
    *,
    actor: User | None,
    origin: Origin,
    taxonomy: Taxonomy,
    code: str,
    group: str,
    label: str,
    description: str = "",
    order: int | None = None,
    theme: Theme | None = None,
) -> Theme:
    """Add a theme to a draft, or change one (``theme``). The code of a theme that came
    from an earlier version stays: figures are followed across versions by code."""
    _require(actor, Capability.EDIT_TAXONOMY)
    taxonomy = Taxonomy.objects.select_for_update().get(pk=taxonomy.pk)
    _check_draft(taxonomy)
    code, label = code.strip(), label.strip()
    if group not in ThemeGroup.values:
        raise LearningError("group", f"{group!r} is not one of {', '.join(ThemeGroup.values)}")
    if not label:
        raise LearningError("label", "a theme needs a label")
    if not code or not all(c.isascii() and (c.isalnum() or c == "_") for c in code):
        raise LearningError("code", "use lower-case letters, digits and underscores only")
    if code != code.lower() or len(code) > 60:
        raise LearningError("code", "use lower-case letters, at most 60 characters")
    if order is not None and order < 0:
        raise LearningError("order", "must be zero or more")
    if theme is not None and theme.taxonomy_id != taxonomy.pk:
        raise LearningError("theme", "belongs to another taxonomy version")
    clash = Theme.objects.filter(taxonomy=taxonomy, code=code)
    if theme is not None:
        clash = clash.exclude(pk=theme.pk)
    if clash.exists():
        raise LearningError("code", f"{code} is already used in version {taxonomy.version}")
    earlier = taxonomy.based_on
    if (
        theme is not None
        and code != theme.code
        and earlier is not None
        and earlier.themes.filter(code=theme.code).exists()
    ):
        raise LearningError(
            "code", f"{theme.code} came from version {earlier.version}; its code cannot change"
        )
    before = None
    if theme is None:
        next_order = taxonomy.themes.aggregate(last=Max("order"))["last"]
        theme = Theme(taxonomy=taxonomy, order=(next_order or 0) + 1 if order is None else order)
    else:
        before = {"code": theme.code, "group": theme.group, "label": theme.label}
        if order is not None:
            theme.order = order
    theme.code, theme.group, theme.label, theme.description = (
        code,
        group,
        label,
        description.strip(),
    )
    theme.save()
    record_audit(
        actor=actor,
        action=AuditAction.EDIT_TAXONOMY,
        origin=origin,
        detail={
            "version": taxonomy.version,
            "change": "add" if before is None else "edit",
            "theme": {"code": theme.code, "group": theme.group, "label": theme.label},
            "before": before,
        },
    )
    return theme


@transaction.atomic
def remove_theme(*, actor: User | None, origin: Origin, theme: Theme) -> None:
    """Take a theme out of a draft. A draft has no codings, so nothing refers to it."""
    _require(actor, Capability.EDIT_TAXONOMY)
    taxonomy = Taxonomy.objects.select_for_update().get(pk=theme.taxonomy_id)
    _check_draft(taxonomy)
    detail = {"version": taxonomy.version, "change": "remove", "theme": {"code": theme.code}}
    theme.delete()
    record_audit(actor=actor, action=AuditAction.EDIT_TAXONOMY, origin=origin, detail=detail)


@transaction.atomic
def publish_taxonomy(*, actor: User | None, origin: Origin, taxonomy: Taxonomy) -> Taxonomy:
    """Make a draft the version coders use; the version it replaces is retired."""
    _require(actor, Capability.EDIT_TAXONOMY)
    rows = {t.pk: t for t in Taxonomy.objects.select_for_update().exclude(status="retired")}
    taxonomy = rows.get(taxonomy.pk, taxonomy)
    _check_draft(taxonomy)
    if not taxonomy.themes.exists():
        raise LearningError("taxonomy", f"version {taxonomy.version} has no themes")
    now = timezone.now()
    retired = [t.version for t in rows.values() if t.status == TaxonomyStatus.PUBLISHED]
    Taxonomy.objects.filter(status=TaxonomyStatus.PUBLISHED).update(status=TaxonomyStatus.RETIRED)
    taxonomy.status = TaxonomyStatus.PUBLISHED
    taxonomy.published_by = actor
    taxonomy.published_at = now
    taxonomy.save(update_fields=["status", "published_by", "published_at"])
    record_audit(
        actor=actor,
        action=AuditAction.PUBLISH_TAXONOMY,
        origin=origin,
        detail={"version": taxonomy.version, "retired": retired},
    )
    return taxonomy


# --- coding and adjudication ---------------------------------------------------------


@transaction.atomic
def save_coding(
    *,
    actor: User,
    origin: Origin,
    document: ReviewDocument,
    taxonomy: Taxonomy,
    theme_codes: Iterable[str],
    note: str = "",
    submit: bool = False,
) -> Coding:
    """Save the actor's own coding of a review; ``submit`` makes it final for them.

    Coding is against the published version only, and a submitted coding does not
    change: disagreement is settled by adjudication, not by editing."""
    _require(actor, Capability.CODE_REVIEWS)
    if taxonomy.status != TaxonomyStatus.PUBLISHED:
        raise LearningError("taxonomy", f"version {taxonomy.version} is not the published version")
    themes = _themes(taxonomy, theme_codes, field="themes")
    coding = (
        Coding.objects.select_for_update()
        .filter(document=document, taxonomy=taxonomy, coder=actor)
        .first()
    )
    now = timezone.now()
    if coding is None:
        coding = Coding(document=document, taxonomy=taxonomy, coder=actor, started_at=now)
    elif coding.status == CodingStatus.SUBMITTED:
        raise LearningError("coding", "you have already submitted your coding of this review")
    coding.note = note.strip()
    if submit:
        coding.status = CodingStatus.SUBMITTED
        coding.submitted_at = now
    coding.save()
    coding.themes.set(themes)
    record_audit(
        actor=actor,
        action=AuditAction.SUBMIT_CODING if submit else AuditAction.RECORD_CODING,
        origin=origin,
        detail={
            "review": document.reference,
            "version": taxonomy.version,
            "themes": sorted(theme.code for theme in themes),
        },
    )
    return coding


@dataclass(frozen=True)
class CodingRecord:
    """One analyst's finished coding of one review, made outside Sightline."""

    reference: str
    coder: User
    themes: tuple[str, ...]


@transaction.atomic
def import_codings(
    *,
    actor: User | None,
    origin: Origin,
    codings: Sequence[CodingRecord],
    batch_size: int = 2000,
) -> int:
    """Record independent codings made elsewhere (a double-coding exercise done in a
    spreadsheet, say) as submitted codings against the published version.

    All or nothing: every review must exist, every coder must be a panel analyst with
    no coding of that review yet, and every theme must be in the version."""
    _require(actor, Capability.CODE_REVIEWS)
    if not codings:
        raise LearningError("codings", "there are no codings to import")
    taxonomy = published_taxonomy()
    by_code = {theme.code: theme.pk for theme in Theme.objects.filter(taxonomy=taxonomy)}
    documents = dict(
        ReviewDocument.objects.filter(reference__in={c.reference for c in codings}).values_list(
            "reference", "pk"
        )
    )
    coders = {c.coder.pk: c.coder for c in codings}
    taken = set(
        Coding.objects.filter(
            taxonomy=taxonomy, coder_id__in=coders, document_id__in=documents.values()
        ).values_list("document_id", "coder_id")
    )
    for number, coding in enumerate(codings, start=1):
        where = f"coding {number} ({coding.reference})"
        if coding.reference not in documents:
            raise LearningError(f"{where}: reference", "no review has this reference")
        if not can(coding.coder, Capability.CODE_REVIEWS):
            raise LearningError(f"{where}: coder", f"{coding.coder} is not a panel analyst")
        key = (documents[coding.reference], coding.coder.pk)
        if key in taken:
            raise LearningError(f"{where}: coder", f"{coding.coder} has already coded it")
        taken.add(key)
        unknown = set(coding.themes) - by_code.keys()
        if unknown:
            raise LearningError(
                f"{where}: themes",
                f"not in taxonomy version {taxonomy.version}: {', '.join(sorted(unknown))}",
            )
    now = timezone.now()
    made = Coding.objects.bulk_create(
        [
            Coding(
                document_id=documents[c.reference],
                taxonomy=taxonomy,
                coder=c.coder,
                status=CodingStatus.SUBMITTED,
                started_at=now,
                submitted_at=now,
            )
            for c in codings
        ],
        batch_size=batch_size,
    )
    through = Coding.themes.through
    through.objects.bulk_create(
        [
            through(coding_id=row.pk, theme_id=by_code[code])
            for row, c in zip(made, codings, strict=True)
            for code in sorted(set(c.themes))
        ],
        batch_size=batch_size * 5,
    )
    record_audit(
        actor=actor,
        action=AuditAction.SUBMIT_CODING,
        origin=origin,
        detail={
            "imported": len(made),
            "version": taxonomy.version,
            "coders": sorted(c.username for c in coders.values()),
        },
    )
    return len(made)


def submitted_codings(document: ReviewDocument, taxonomy: Taxonomy) -> list[Coding]:
    return list(
        Coding.objects.filter(document=document, taxonomy=taxonomy, status=CodingStatus.SUBMITTED)
        .select_related("coder")
        .prefetch_related("themes")
        .order_by("submitted_at", "id")
    )


def coding_in_progress(user: User, document: ReviewDocument) -> bool:
    """Whether ``user`` has begun a coding of ``document`` and not submitted it: they may
    not see the others' codings or the final coding until they have (independent coding)."""
    return Coding.objects.filter(
        document=document, coder=user, status=CodingStatus.IN_PROGRESS
    ).exists()


INDEPENDENT = (
    "you have a coding of this review in progress: submit it first, so that it stays "
    "independent of the others' codings and the final coding"
)


@transaction.atomic
def adjudicate(
    *,
    actor: User,
    origin: Origin,
    document: ReviewDocument,
    taxonomy: Taxonomy,
    theme_codes: Iterable[str],
    note: str = "",
) -> FinalCoding:
    """Decide the final themes of a review once two analysts have submitted codings.

    Themes both coders chose, themes only one chose, and the decision are all kept in
    the audit row. Where the decision differs from both coders a note is required."""
    _require(actor, Capability.CODE_REVIEWS)
    if coding_in_progress(actor, document):
        raise LearningError("codings", INDEPENDENT)
    codings = submitted_codings(document, taxonomy)
    if len(codings) < 2:
        raise LearningError(
            "codings", f"{len(codings)} submitted coding(s); two are needed before adjudication"
        )
    themes = _themes(taxonomy, theme_codes, field="themes")
    chosen = {theme.code for theme in themes}
    sets = [{theme.code for theme in coding.themes.all()} for coding in codings[:2]]
    agreed, disputed = sets[0] & sets[1], sets[0] ^ sets[1]
    outside = chosen - (sets[0] | sets[1])
    dropped = agreed - chosen
    if (outside or dropped) and not note.strip():
        raise LearningError(
            "note",
            "explain the decision: it adds themes neither coder chose or drops ones both chose",
        )
    final = FinalCoding.objects.select_for_update().filter(document=document).first()
    before = None
    if final is not None:
        before = {
            "version": final.taxonomy.version,
            "themes": sorted(final.themes.values_list("code", flat=True)),
        }
    else:
        final = FinalCoding(document=document)
    final.taxonomy = taxonomy
    final.source = FinalCodingSource.ADJUDICATED
    final.decided_by = actor
    final.decided_at = timezone.now()
    final.note = note.strip()
    final.save()
    final.themes.set(themes)
    record_audit(
        actor=actor,
        action=AuditAction.ADJUDICATE_CODING,
        origin=origin,
        detail={
            "review": document.reference,
            "version": taxonomy.version,
            "coders": [coding.coder.username for coding in codings[:2]],
            "agreed": sorted(agreed),
            "disputed": sorted(disputed),
            "final": sorted(chosen),
            "before": before,
        },
    )
    return final


# --- research extracts -----------------------------------------------------------------

# Who may ask for a research extract, and who may produce one from a page (the command
# line is whoever runs the server).
RESEARCH_REQUESTERS = frozenset({Role.PANEL_ANALYST, Role.ADMINISTRATOR})
MIN_PURPOSE = 10


@transaction.atomic
def produce_research_extract(
    *,
    actor: User | None,
    origin: Origin,
    requester: User,
    purpose: str,
    start: dt.date,
    end: dt.date,
    k: int,
) -> extract.Extract:
    """A de-identified, k-anonymous extract of the children known in a period
    (``learning.extract``), with one audit row naming the requester and the purpose and
    holding counts only: no child, no child's id.

    Refused before anything is read: k below 2, ``start`` after ``end``, a purpose of
    fewer than 10 characters, a requester who is not an active panel analyst or
    administrator."""
    if actor is not None and (not actor.is_active or actor.role not in RESEARCH_REQUESTERS):
        raise PermissionDenied(f"{actor} may not produce research extracts")
    if k < extract.MIN_K:
        raise LearningError(
            "--k", f"must be at least {extract.MIN_K}: with k = {k} a row could be one child"
        )
    try:
        period = extract.Period(start, end)
    except extract.ExtractError as error:
        raise LearningError(error.field, error.message) from None
    purpose = purpose.strip()
    if len(purpose) < MIN_PURPOSE:
        raise LearningError(
            "--purpose", f"say what the extract is for (at least {MIN_PURPOSE} characters)"
        )
    if not requester.is_active or requester.role not in RESEARCH_REQUESTERS:
        raise LearningError(
            "--requester", f"{requester.username} is not an active panel analyst or administrator"
        )
    source = queries.research_children(period)
    result = extract.build_extract(
        source.children,
        period=period,
        k=k,
        regions=source.regions,
        agency_kinds=source.agency_kinds,
        categories=source.categories,
    )
    report = result.report()
    del report["hierarchy"]  # documented; the audit row keeps the levels used
    record_audit(
        actor=actor,
        action=AuditAction.PRODUCE_RESEARCH_EXTRACT,
        origin=origin,
        reason=purpose,
        detail={"requester": requester.username, "purpose": purpose, **report},
    )
    return result
