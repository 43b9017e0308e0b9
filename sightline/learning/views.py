"""Pages for the theme taxonomy, coding, adjudication, agreement and reports."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from sightline.accounts.models import User
from sightline.agencies.models import Agency, AgencyKind
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.learning import (
    actions,
    national,
    notifications,
    queries,
    reports,
    statistics,
    suggestions,
)
from sightline.learning.access import Capability, access_review_document, can, require
from sightline.learning.forms import (
    CodingForm,
    DraftTaxonomyForm,
    ReportForm,
    ThemeChoiceForm,
    ThemeForm,
)
from sightline.learning.models import (
    AuthorityRegion,
    Coding,
    CodingStatus,
    FinalCoding,
    Region,
    Taxonomy,
    TaxonomyStatus,
    Theme,
)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required guarantees it
    return user


def _attach(form: forms.Form, error: actions.LearningError) -> None:
    """Show an action's refusal beside the field it names, or above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message if field else str(error))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not any(can(user, capability) for capability in Capability):
        raise Http404("Not found")
    return render(
        request,
        "learning/index.html",
        {
            "can_code": can(user, Capability.CODE_REVIEWS),
            "can_edit_taxonomy": can(user, Capability.EDIT_TAXONOMY),
            "can_report": can(user, Capability.PRODUCE_REPORTS),
        },
    )


# --- taxonomy ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def taxonomy_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Capability.EDIT_TAXONOMY)
    form = DraftTaxonomyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            draft = actions.draft_taxonomy(
                actor=user, origin=Origin.from_request(request), notes=form.cleaned_data["notes"]
            )
        except actions.LearningError as error:
            _attach(form, error)
        else:
            messages.success(request, f"Version {draft.version} drafted")
            return HttpResponseRedirect(reverse("learning:taxonomy", args=[draft.version]))
    versions = Taxonomy.objects.all()
    return render(
        request,
        "learning/taxonomy_list.html",
        {
            "versions": versions,
            "form": form,
            "has_draft": any(v.status == TaxonomyStatus.DRAFT for v in versions),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def taxonomy_detail(request: HttpRequest, version: int) -> HttpResponse:
    user = _user(request)
    require(user, Capability.EDIT_TAXONOMY)
    taxonomy = get_object_or_404(Taxonomy, version=version)
    form = ThemeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_theme(
                actor=user,
                origin=Origin.from_request(request),
                taxonomy=taxonomy,
                **form.cleaned_data,
            )
        except actions.LearningError as error:
            _attach(form, error)
        else:
            messages.success(request, f"Theme '{form.cleaned_data['label']}' added")
            return HttpResponseRedirect(request.path)
    return render(
        request,
        "learning/taxonomy_detail.html",
        {"taxonomy": taxonomy, "groups": queries.themes_by_group(taxonomy), "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def theme_edit(request: HttpRequest, version: int, theme_id: int) -> HttpResponse:
    user = _user(request)
    require(user, Capability.EDIT_TAXONOMY)
    theme = get_object_or_404(Theme, pk=theme_id, taxonomy__version=version)
    initial = {f: getattr(theme, f) for f in ("label", "code", "group", "description", "order")}
    form = ThemeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_theme(
                actor=user,
                origin=Origin.from_request(request),
                taxonomy=theme.taxonomy,
                theme=theme,
                **form.cleaned_data,
            )
        except actions.LearningError as error:
            _attach(form, error)
        else:
            messages.success(request, "Theme changed")
            return HttpResponseRedirect(reverse("learning:taxonomy", args=[version]))
    return render(request, "learning/theme_form.html", {"theme": theme, "form": form})


@login_required
@require_POST
def theme_remove(request: HttpRequest, version: int, theme_id: int) -> HttpResponse:
    user = _user(request)
    require(user, Capability.EDIT_TAXONOMY)
    theme = get_object_or_404(Theme, pk=theme_id, taxonomy__version=version)
    try:
        actions.remove_theme(actor=user, origin=Origin.from_request(request), theme=theme)
    except actions.LearningError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Theme '{theme.label}' removed from version {version}")
    return HttpResponseRedirect(reverse("learning:taxonomy", args=[version]))


@login_required
@require_POST
def taxonomy_publish(request: HttpRequest, version: int) -> HttpResponse:
    user = _user(request)
    require(user, Capability.EDIT_TAXONOMY)
    taxonomy = get_object_or_404(Taxonomy, version=version)
    try:
        actions.publish_taxonomy(actor=user, origin=Origin.from_request(request), taxonomy=taxonomy)
    except actions.LearningError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Version {version} published: new codings use it")
    return HttpResponseRedirect(reverse("learning:taxonomy", args=[version]))


# --- reviews, coding, adjudication ---------------------------------------------------


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Capability.CODE_REVIEWS)
    page = Paginator(queries.reviews_for_coding(user), 50).get_page(request.GET.get("page"))
    return render(request, "learning/review_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def review_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    origin = Origin.from_request(request)
    document = access_review_document(user, public_id, origin=origin)
    taxonomy = actions.published_taxonomy()
    mine = Coding.objects.filter(document=document, taxonomy=taxonomy, coder=user).first()
    initial: dict[str, Any] = {}
    if mine is not None:
        initial = {"themes": [t.code for t in mine.themes.all()], "note": mine.note}
    form = CodingForm(request.POST or None, taxonomy=taxonomy, initial=initial)
    submitted = mine is not None and mine.status == CodingStatus.SUBMITTED
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_coding(
                actor=user,
                origin=origin,
                document=document,
                taxonomy=taxonomy,
                theme_codes=form.cleaned_data["themes"],
                note=form.cleaned_data["note"],
                submit=form.cleaned_data["submit"],
            )
        except actions.LearningError as error:
            _attach(form, error)
        else:
            messages.success(
                request, "Coding submitted" if form.cleaned_data["submit"] else "Coding saved"
            )
            return HttpResponseRedirect(request.path)
    codings = actions.submitted_codings(document, taxonomy)
    final = FinalCoding.objects.filter(document=document).prefetch_related("themes").first()
    return render(
        request,
        "learning/review_detail.html",
        {
            "document": document,
            "taxonomy": taxonomy,
            "groups": queries.themes_by_group(taxonomy),
            "form": form,
            "chosen": set(form["themes"].value() or []),
            "mine": mine,
            "submitted": submitted,
            # Coders work blind: others' codings show only once one's own is submitted.
            "codings": codings if submitted else [],
            "submitted_count": len(codings),
            # A third analyst who has not started a coding of their own may adjudicate.
            "may_adjudicate": len(codings) >= 2 and (submitted or mine is None),
            "final": final,
            "suggestions": [] if submitted else suggestions.suggest_for(document.text),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def adjudicate(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    origin = Origin.from_request(request)
    document = access_review_document(user, public_id, origin=origin)
    if actions.coding_in_progress(user, document):
        # Independent coding: the two codings and the final one stay hidden from a coder
        # who has not yet submitted their own.
        messages.error(request, f"You cannot decide the final coding yet: {actions.INDEPENDENT}.")
        return HttpResponseRedirect(reverse("learning:review", args=[document.public_id]))
    # The version the review was coded against, which a newer one may have replaced.
    taxonomy = queries.double_coded_version(document) or actions.published_taxonomy()
    codings = actions.submitted_codings(document, taxonomy)
    sets = [{t.code for t in coding.themes.all()} for coding in codings[:2]]
    agreed = sets[0] & sets[1] if len(sets) == 2 else set()
    form = ThemeChoiceForm(request.POST or None, taxonomy=taxonomy, initial={"themes": agreed})
    if request.method == "POST" and form.is_valid():
        try:
            actions.adjudicate(
                actor=user,
                origin=origin,
                document=document,
                taxonomy=taxonomy,
                theme_codes=form.cleaned_data["themes"],
                note=form.cleaned_data["note"],
            )
        except actions.LearningError as error:
            _attach(form, error)
        else:
            messages.success(request, "Final coding recorded")
            return HttpResponseRedirect(reverse("learning:review", args=[document.public_id]))
    rows = [
        {
            "theme": theme,
            "first": len(sets) > 0 and theme.code in sets[0],
            "second": len(sets) > 1 and theme.code in sets[1],
        }
        for theme in taxonomy.themes.all()
        if any(theme.code in s for s in sets)
    ]
    return render(
        request,
        "learning/adjudicate.html",
        {
            "document": document,
            "codings": codings[:2],
            "rows": rows,
            "groups": queries.themes_by_group(taxonomy),
            "form": form,
            "chosen": set(form["themes"].value() or []),
        },
    )


@login_required
def agreement(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Capability.CODE_REVIEWS)
    taxonomy = actions.published_taxonomy()
    version = request.GET.get("version")
    if version and version.isdigit():
        taxonomy = get_object_or_404(Taxonomy, version=int(version))
    return render(
        request,
        "learning/agreement.html",
        {
            "taxonomy": taxonomy,
            "versions": Taxonomy.objects.exclude(status=TaxonomyStatus.DRAFT),
            "agreement": queries.agreement(taxonomy),
        },
    )


# --- reports -------------------------------------------------------------------------


def _year(request: HttpRequest) -> tuple[ReportForm, int]:
    """The financial year asked for, or the latest one with coded reviews."""
    form = ReportForm(request.GET or None)
    if request.GET and form.is_valid():
        return form, int(form.cleaned_data["year"])
    return form, queries.latest_coded_year()


def _audit_report(request: HttpRequest, *, report: str, year: int, fmt: str) -> None:
    record_audit(
        actor=_user(request),
        action=AuditAction.PRODUCE_LEARNING_REPORT,
        origin=Origin.from_request(request),
        detail={"report": report, "year": year, "format": fmt},
    )


@login_required
def annual_report(request: HttpRequest) -> HttpResponse:
    require(_user(request), Capability.PRODUCE_REPORTS)
    form, year = _year(request)
    report = reports.annual_report(year)
    _audit_report(request, report="annual", year=year, fmt="html")
    shown = [row for row in report.practice_themes if row.share is not None]
    return render(
        request,
        "learning/annual_report.html",
        {
            "form": form,
            "report": report,
            "chart": {
                "title": "Practice themes",
                "labels": [row.label for row in shown],
                "values": [round(100 * (row.share or 0), 1) for row in shown],
            },
        },
    )


@login_required
def annual_report_export(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    require(_user(request), Capability.PRODUCE_REPORTS)
    if not 2000 <= year <= 2100 or fmt not in {"csv", "pdf", "png"}:
        raise Http404("No such report")
    report = reports.annual_report(year)
    _audit_report(request, report="annual", year=year, fmt=fmt)
    name = f"sightline-themes-{report.label}"
    if fmt == "csv":
        response = HttpResponse(reports.annual_report_csv(report), content_type="text/csv")
    elif fmt == "png":
        response = HttpResponse(reports.practice_chart(report, fmt="png"), content_type="image/png")
    else:
        response = HttpResponse(reports.annual_report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def national_statistics(request: HttpRequest) -> HttpResponse:
    require(_user(request), Capability.PRODUCE_REPORTS)
    form = ReportForm(request.GET or None)
    year = statistics.financial_year(timezone.localdate()) - 1
    if request.GET and form.is_valid():
        year = int(form.cleaned_data["year"])
    result = notifications.national_tables(year)
    _audit_report(request, report="national", year=year, fmt="html")
    ages = next(t for t in result.tables if t.title == "Age group")
    return render(
        request,
        "learning/national_statistics.html",
        {
            "form": form,
            "result": result,
            "chart": {
                "title": "Children by age group",
                "labels": ages.row_labels,
                "values": [cells[0] if isinstance(cells[0], int) else None for cells in ages.cells],
                "unit": "children",
            },
        },
    )


@login_required
def national_statistics_csv(request: HttpRequest, year: int) -> HttpResponse:
    require(_user(request), Capability.PRODUCE_REPORTS)
    if not 2000 <= year <= 2100:
        raise Http404("No such year")
    result = notifications.national_tables(year)
    _audit_report(request, report="national", year=year, fmt="csv")
    response = HttpResponse(national.tables_csv(result), content_type="text/csv")
    response["Content-Disposition"] = (
        f'attachment; filename="sightline-notifications-{result.label}.csv"'
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def authority_regions(request: HttpRequest) -> HttpResponse:
    """The region of each local authority, for the regional statistics table."""
    user = _user(request)
    require(user, Capability.EDIT_TAXONOMY)
    authorities = Agency.objects.filter(kind=AgencyKind.CHILDRENS_SOCIAL_CARE)
    if request.method == "POST":
        agency = get_object_or_404(authorities, code=request.POST.get("local_authority", ""))
        try:
            actions.set_authority_region(
                actor=user,
                origin=Origin.from_request(request),
                local_authority=agency,
                region=request.POST.get("region", ""),
            )
        except actions.LearningError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Region of {agency.name} saved")
        return HttpResponseRedirect(request.path)
    regions = dict(AuthorityRegion.objects.values_list("local_authority_id", "region"))
    return render(
        request,
        "learning/regions.html",
        {
            "rows": [(agency, regions.get(agency.pk, "")) for agency in authorities],
            "choices": Region.choices,
        },
    )
