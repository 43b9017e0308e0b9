"""The administration area: the challenge rules (each switched on or off and its
thresholds changed, with a reason, published as a new version and shown with its
history) and the chronology's event categories (added, renamed, retired; never deleted).
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from sightline.access.administration_forms import (
    ChallengeRuleForm,
    NewCategoryForm,
    RenameCategoryForm,
    RetireCategoryForm,
)
from sightline.access.administration_users import notify, sentence, take_notice
from sightline.access.views import _administrator
from sightline.assessments import actions as assessments
from sightline.assessments import queries as rules
from sightline.assessments.models import ChallengeRuleSet
from sightline.assessments.thresholds import thresholds
from sightline.audit.actions import Origin
from sightline.chronology import actions as chronology
from sightline.chronology.models import Category
from sightline.chronology.vocabulary import ACT_CODES

# --- challenge rules -------------------------------------------------------------------


@login_required
@never_cache
@require_GET
def challenge_rules(request: HttpRequest) -> HttpResponse:
    _administrator(request, "administration_challenge_rules")
    in_use = rules.current_rule_set()
    latest = ChallengeRuleSet.objects.select_related("published_by").first()
    only_off = request.GET.get("show") == "off"
    return render(
        request,
        "access/administration/challenge_rules.html",
        {
            "rules": [
                {"rule": rule, "thresholds": thresholds(rule)}
                for rule in in_use.rules
                if not (only_off and rule.active)
            ],
            "latest": latest,
            "notice": take_notice(request),
            "only_off": only_off,
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def challenge_rule(request: HttpRequest, code: str) -> HttpResponse:
    actor = _administrator(request, "change_challenge_rule", requested=code)
    try:
        rule = rules.current_rule_set().rule(code)
    except KeyError:
        raise Http404("No such rule") from None
    form = ChallengeRuleForm(
        request.POST or None,
        thresholds=thresholds(rule),
        initial={"active": "on" if rule.active else "off"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessments.change_challenge_rule(
                actor=actor,
                origin=Origin.from_request(request),
                code=code,
                active=form.cleaned_data["active"] == "on",
                values=form.values(),
                reason=form.cleaned_data["reason"],
            )
        except PermissionDenied as error:  # pragma: no cover - the page checked already
            raise Http404("No such page") from error
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                form.add_error(field if field in form.fields else "reason", sentence(messages[0]))
        else:
            notify(request, f"Challenge rule changed: {rule.title}.")
            return redirect("administration-challenge-rules")
    return render(
        request,
        "access/administration/challenge_rule.html",
        {"rule": rule, "form": form, "history": rules.rule_history(code)},
        status=400 if form.errors else 200,
    )


# --- event categories ------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def categories(request: HttpRequest) -> HttpResponse:
    actor = _administrator(request, "administration_categories")
    form = NewCategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            category = chronology.add_category(
                actor=actor,
                origin=Origin.from_request(request),
                label=form.cleaned_data["label"],
                agency_kind=form.cleaned_data["agency_kind"],
            )
        except chronology.CategoryError as error:
            form.add_error(error.field, sentence(str(error)))
        else:
            notify(request, f"Event category added: {category.label}.")
            return redirect("administration-categories")
    listed = Category.objects.annotate(n_events=Count("events")).order_by(
        "-active", "agency_kind", "label"
    )
    return render(
        request,
        "access/administration/categories.html",
        {
            "form": form,
            "categories": listed,
            "written_by_sightline": ACT_CODES,
            "notice": take_notice(request),
        },
        status=400 if form.errors else 200,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def category(request: HttpRequest, category_id: int) -> HttpResponse:
    actor = _administrator(request, "administration_category", requested=category_id)
    found = Category.objects.annotate(n_events=Count("events")).filter(pk=category_id).first()
    if found is None:
        raise Http404("No such category")
    action = request.POST.get("change", "") if request.method == "POST" else ""
    rename = RenameCategoryForm(request.POST if action == "rename" else None)
    retire = RetireCategoryForm(request.POST if action == "retire" else None)
    origin = Origin.from_request(request)
    if action == "rename" and rename.is_valid():
        try:
            chronology.rename_category(
                actor=actor, origin=origin, category=found, label=rename.cleaned_data["label"]
            )
        except chronology.CategoryError as error:
            rename.add_error("label", sentence(str(error)))
        else:
            notify(request, f"Event category renamed: {rename.cleaned_data['label']}.")
            return redirect("administration-categories")
    elif action == "retire" and retire.is_valid():
        try:
            chronology.retire_category(
                actor=actor,
                origin=origin,
                category=found,
                retire=found.active,
                reason=retire.cleaned_data["reason"],
            )
        except chronology.CategoryError as error:
            retire.add_error("reason", sentence(str(error)))
        else:
            done = "retired" if found.active else "brought back into use"
            notify(request, f"Event category {done}: {found.label}.")
            return redirect("administration-categories")
    failed = bool(rename.errors or retire.errors)
    return render(
        request,
        "access/administration/category.html",
        {
            "category": found,
            "rename": rename,
            "retire": retire,
            "written_by_sightline": found.code in ACT_CODES,
        },
        status=400 if failed else 200,
    )
