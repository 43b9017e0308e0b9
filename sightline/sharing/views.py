"""Information-sharing pages: the inbox and dashboard, the flag check, referrals."""

import datetime as dt
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sightline.accounts.models import Role, User
from sightline.audit.actions import Origin
from sightline.record.access import Intent, open_record
from sightline.record.search import SearchRateLimitedError, check_search_rate
from sightline.sharing import actions, queries
from sightline.sharing.access import (
    access_referral,
    open_dashboard,
    open_decision_report,
    open_referrals_sent,
)
from sightline.sharing.forms import (
    DecisionQuestionsForm,
    DecisionReportForm,
    FlagCheckForm,
    LawfulBasisForm,
    OutcomeForm,
    ReferralDecisionForm,
    SentStatusFilterForm,
    SharingDecisionForm,
)
from sightline.sharing.models import LawfulBasis, Referral, ReferralStatus

REPORT_DAYS = 30
REPORT_LIMIT = 500
INBOX_LIMIT = 50
INBOX_SENT = 10
SENT_LIMIT = 200


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # pragma: no cover - login_required guarantees it
        raise TypeError("a signed-in user is required")
    return user


@login_required
@never_cache
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """My alerts, my team's duty inbox, referrals to acknowledge, overdue, and mine.

    Each alert as this reader may see it (``sharing.inbox``); the view is audited."""
    user = _user(request)
    board = open_dashboard(
        user, origin=Origin.from_request(request), alerts=INBOX_LIMIT, sent=INBOX_SENT
    )
    return render(
        request,
        "sharing/inbox.html",
        {
            "items": board.alerts,
            "unread": board.unread,
            "to_acknowledge": board.to_acknowledge,
            "awaiting_outcome": board.awaiting_outcome,
            "overdue": board.overdue,
            "sent": board.sent,
            "now": timezone.now(),
        },
    )


@login_required
@never_cache
@require_GET
def referrals_sent(request: HttpRequest) -> HttpResponse:
    """Referrals I and my team sent, with status and outcome (the referrer's loop)."""
    user = _user(request)
    form = SentStatusFilterForm(request.GET or None)
    status = str(form.cleaned_data.get("status") or "") if form.is_valid() else ""
    sent, total = open_referrals_sent(
        user, origin=Origin.from_request(request), limit=SENT_LIMIT, status=status
    )
    return render(
        request,
        "sharing/referrals_sent.html",
        {
            "referrals": sent,
            "total": total,
            "limit": SENT_LIMIT,
            "now": timezone.now(),
            "form": form,
            "status_label": ReferralStatus(status).label if status else "",
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    wanted = request.POST.getlist("item")
    mine = queries.inbox_for(user).filter(read_at__isnull=True)
    if wanted:
        mine = mine.filter(pk__in=[int(pk) for pk in wanted if pk.isdigit()])
    count = actions.mark_read(actor=user, items=list(mine), origin=Origin.from_request(request))
    messages.success(request, f"{count} alert{'s' if count != 1 else ''} marked as read")
    return HttpResponseRedirect(reverse("sharing-inbox"))


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def flag_check(request: HttpRequest) -> HttpResponse:
    """Unscheduled care looks a child up by NHS number and sees only the flag."""
    user = _user(request)
    if user.role not in actions.FLAG_CHECK_ROLES:
        raise PermissionDenied("Flag checks are for practitioners working with children.")
    form = FlagCheckForm(request.POST or None)
    result = None
    status = 200
    if request.method == "POST" and form.is_valid():
        origin = Origin.from_request(request)
        try:  # a flag check is a search: the same per-user limit (no trawling by number)
            check_search_rate(user, origin=origin)
        except SearchRateLimitedError as refused:
            form.add_error(
                None, f"You have checked too many; try again in {refused.retry_after} seconds"
            )
            status = 429
        else:
            result = actions.check_flag(
                actor=user,
                nhs_number=form.cleaned_data["nhs_number"],
                date_of_birth=form.date,
                origin=origin,
            )
    return render(
        request, "sharing/flag_check.html", {"form": form, "result": result}, status=status
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def new_referral(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    origin = Origin.from_request(request)
    person = open_record(user, person_id, intent=Intent.VIEW_RECORD, origin=origin).person
    form = ReferralDecisionForm(request.POST or None, agency=user.agency, exclude_team=user.team_id)
    if request.method == "POST" and not form.picking and form.is_valid():
        try:
            referral = actions.raise_referral(
                actor=user,
                person=person,
                to_team=form.cleaned_data["to_team"].pk,
                urgency=form.cleaned_data["urgency"],
                reason=form.cleaned_data["reason"],
                shared=form.cleaned_data["shared"],
                decision=form.answers(),
                origin=origin,
            )
        except actions.ReferralRefusedError as refused:
            form.add_error(None, str(refused))
        except actions.DecisionRefusedError as refused:
            _decision_error(form, refused)
        else:
            messages.success(
                request,
                f"Referral sent to {referral.to_team.name}. They must acknowledge it by "
                f"{timezone.localtime(referral.acknowledge_by):%-d %B %Y at %H:%M}.",
            )
            return HttpResponseRedirect(
                reverse("sharing-referral", kwargs={"public_id": referral.public_id})
            )
    return render(request, "sharing/new_referral.html", {"form": form, "person": person})


@login_required
@never_cache
@require_GET
def referral_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    referral = access_referral(user, public_id, origin=Origin.from_request(request))
    return _detail(request, user, referral.public_id, OutcomeForm(exclude_team=referral.to_team_id))


def _detail(
    request: HttpRequest, user: User, public_id: uuid.UUID, form: OutcomeForm, status: int = 200
) -> HttpResponse:
    referral = Referral.objects.select_related(
        "person",
        "referrer",
        "from_agency",
        "to_team__agency",
        "redirected_to__to_team",
        "acknowledged_by",
        "outcome_by",
    ).get(public_id=public_id)
    return render(
        request,
        "sharing/referral.html",
        {
            "referral": referral,
            "decision_step": queries.referral_decision_step(user, referral),
            "may_act": queries.may_act_on_referral(user, referral),
            "outcome_form": form,
            "now": timezone.now(),
        },
        status=status,
    )


@login_required
@require_POST
def acknowledge(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    origin = Origin.from_request(request)
    referral = access_referral(user, public_id, origin=origin)
    try:
        actions.acknowledge_referral(actor=user, referral=referral, origin=origin)
    except actions.ReferralRefusedError as refused:
        messages.info(request, str(refused))
    else:
        messages.success(request, "Referral acknowledged. The referrer can see it.")
    return HttpResponseRedirect(reverse("sharing-referral", kwargs={"public_id": public_id}))


@login_required
@require_POST
def outcome(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    origin = Origin.from_request(request)
    referral = access_referral(user, public_id, origin=origin)
    form = OutcomeForm(request.POST, exclude_team=referral.to_team_id)
    if form.picking:
        return _detail(request, user, referral.public_id, form)
    if form.is_valid():
        redirect_to = form.cleaned_data.get("redirect_to")
        try:
            actions.record_outcome(
                actor=user,
                referral=referral,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
                redirect_to=redirect_to.pk if redirect_to else None,
                origin=origin,
            )
        except actions.ReferralRefusedError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Outcome recorded. The referrer can see it.")
            return HttpResponseRedirect(
                reverse("sharing-referral", kwargs={"public_id": public_id})
            )
    return _detail(request, user, referral.public_id, form, status=400)


# Sharing decisions ----------------------------------------------------------------------


def _decision_error(form: DecisionQuestionsForm, refused: "actions.DecisionRefusedError") -> None:
    form.add_error(refused.field if refused.field in form.fields else None, str(refused))


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def new_decision(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    """Record a sharing decision by hand from the child's page: shared, or not shared."""
    user = _user(request)
    origin = Origin.from_request(request)
    person = open_record(user, person_id, intent=Intent.VIEW_RECORD, origin=origin).person
    form = SharingDecisionForm(request.POST or None, agency=user.agency)
    if request.method == "POST" and not form.picking and form.is_valid():
        data = form.cleaned_data
        answers = form.answers()
        try:
            decision = actions.record_sharing_decision(
                actor=user,
                child=person,
                outcome=data["outcome"],
                what=data["what"],
                why=data["why"],
                with_agency=data.get("with_agency"),
                with_user=data.get("with_user"),
                lawful_basis=answers.lawful_basis,
                consent=answers.consent,
                consent_not_sought_reason=answers.consent_not_sought_reason,
                family_informed=answers.family_informed,
                not_informed_reason=answers.not_informed_reason,
                not_informed_detail=answers.not_informed_detail,
                origin=origin,
            )
        except actions.DecisionRefusedError as refused:
            _decision_error(form, refused)
        else:
            messages.success(
                request,
                f"Sharing decision recorded: {decision.get_outcome_display().lower()}. "
                "It is in the child's chronology.",
            )
            return HttpResponseRedirect(reverse("person-detail", args=[person.public_id]))
    status = 400 if request.method == "POST" and not form.picking else 200
    return render(
        request, "sharing/new_decision.html", {"form": form, "person": person}, status=status
    )


@login_required
@never_cache
@require_GET
def decision_report(request: HttpRequest) -> HttpResponse:
    """The agency's sharing decisions in a period: for its safeguarding leads and team
    managers (``open_decision_report``: 403 for others, audited)."""
    user = _user(request)
    form = DecisionReportForm(request.GET or None)
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=REPORT_DAYS), today
    if form.is_bound and form.is_valid():
        start = form.cleaned_data.get("start") or start
        end = form.cleaned_data.get("end") or end
    report = open_decision_report(
        user, start=start, end=end, origin=Origin.from_request(request), limit=REPORT_LIMIT
    )
    return render(
        request,
        "sharing/decision_report.html",
        {"form": form, "report": report, "limit": REPORT_LIMIT},
    )


def _administrator(request: HttpRequest) -> User:
    user = _user(request)
    if user.role != Role.ADMINISTRATOR:
        raise PermissionDenied("Only an administrator can change the lawful bases.")
    return user


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def lawful_bases(request: HttpRequest) -> HttpResponse:
    """The configured list of lawful bases for sharing: administrators add and retire."""
    user = _administrator(request)
    form = LawfulBasisForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_lawful_basis(
                actor=user,
                code=data["code"],
                label=data["label"],
                source=data["source"],
                for_police=data["for_police"],
                origin=Origin.from_request(request),
            )
        except actions.DecisionRefusedError as refused:
            form.add_error("code", str(refused))
        else:
            messages.success(request, f"Lawful basis added: {data['label']}")
            return HttpResponseRedirect(reverse("sharing-lawful-bases"))
    return render(
        request,
        "sharing/lawful_bases.html",
        {"form": form, "bases": LawfulBasis.objects.order_by("-active", "for_police", "label")},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def lawful_basis_active(request: HttpRequest, pk: int) -> HttpResponse:
    user = _administrator(request)
    basis = get_object_or_404(LawfulBasis, pk=pk)
    try:
        actions.set_lawful_basis_active(
            actor=user,
            basis=basis,
            active=not basis.active,
            origin=Origin.from_request(request),
        )
    except actions.DecisionRefusedError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"{basis.label}: {'in use' if basis.active else 'retired'}")
    return HttpResponseRedirect(reverse("sharing-lawful-bases"))
