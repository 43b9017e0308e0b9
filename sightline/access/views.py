"""Pages: emergency access (break-glass) to a record, the managers' review queue, "who has
seen this record", exports with a reason, two-factor sign-in and set-up, and the
administrators' list of users (enrolment codes).

Every page that shows anything about a person writes one audit row (a denial too) and
gives 404 to those who may not know the record exists.
"""

import base64
import csv
import datetime as dt
import uuid
from typing import Any
from urllib.parse import quote

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from sightline.access import actions, queries
from sightline.access.forms import (
    BreakGlassForm,
    CodeForm,
    EnrolmentCodeForm,
    ExportForm,
    FurtherPeriodForm,
    ReviewForm,
    UserSearchForm,
)
from sightline.access.models import BreakGlassGrant, EnrolmentCode
from sightline.access.reauth import reauthenticate
from sightline.accounts.models import Role, User
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.chronology.queries import ChronologyFilter
from sightline.record import rules
from sightline.record.access import Intent, access_for_emergency, open_record
from sightline.record.queries import visible_to
from sightline.sharing.actions import record_share_to_user
from sightline.sharing.models import DecisionOrigin

ACCESS_LOG_PAGE_SIZE = 50
# A caseload export is a list of children, not their records; this many at most.
CASELOAD_EXPORT_LIMIT = 5000


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # pragma: no cover - login_required guarantees it
        raise TypeError("a signed-in user is required")
    return user


def _reason(form: ExportForm | BreakGlassForm) -> str:
    return str(form.cleaned_data["reason_text"]).strip()


# -- emergency access ----------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Ask for emergency access: a reason, details, and the password (and code) again."""
    user = _user(request)
    origin = Origin.from_request(request)
    person = access_for_emergency(user, public_id, origin=origin)
    if rules.has_legitimate_relationship(user, person):
        return redirect("person-detail", public_id=person.public_id)
    form = BreakGlassForm(request.POST if request.method == "POST" else None)
    renewed = not actions.may_renew_own_access(user, person)
    if renewed and request.method == "POST":
        record_audit(
            actor=user,
            action=AuditAction.DENIED,
            origin=origin,
            person=person,
            detail={"intent": "break_glass_renewal"},
        )
    elif request.method == "POST" and form.is_valid():
        problem = reauthenticate(
            request,
            user,
            password=form.cleaned_data["password"],
            code=form.cleaned_data.get("code", ""),
            purpose="break_glass",
        )
        if problem is not None:
            form.add_error("password" if "password" in problem.lower() else "code", problem)
        else:
            try:
                grant = actions.break_glass(
                    actor=user,
                    person=person,
                    reason_code=form.cleaned_data["reason_code"],
                    reason_text=_reason(form),
                    origin=origin,
                )
            except actions.AccessActionError as error:
                form.add_error(None, str(error))
            else:
                until = timezone.localtime(grant.expires_at)
                messages.warning(
                    request,
                    f"You have emergency access to this record until {until:%H:%M on %-d %B}. "
                    "The allocated worker and your safeguarding lead have been told, and your "
                    "manager will review it.",
                )
                return redirect("person-detail", public_id=person.public_id)
    return render(
        request,
        "access/break_glass.html",
        {
            "person": person,
            "form": form,
            "hours": _hours(),
            "renewed": renewed,
            "renewal_refused": actions.RENEWAL_REFUSED,
        },
        status=400 if form.is_bound and (renewed or form.errors) else 200,
    )


def _hours() -> str:
    hours = float(settings.SIGHTLINE_BREAK_GLASS_HOURS)
    return f"{hours:g} hour{'' if hours == 1 else 's'}"


@login_required
@require_POST
def end_break_glass(request: HttpRequest, grant_id: int) -> HttpResponse:
    user = _user(request)
    grant = BreakGlassGrant.objects.filter(pk=grant_id, user=user).select_related("person").first()
    if grant is None:
        record_audit(
            actor=user,
            action=AuditAction.DENIED,
            origin=Origin.from_request(request),
            detail={"intent": "end_break_glass", "requested": grant_id},
        )
        raise Http404("No such emergency access")
    try:
        actions.end_break_glass(actor=user, grant=grant, origin=Origin.from_request(request))
    except actions.AccessActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Your emergency access to the record has ended.")
    return redirect("home")


# -- review queue -----------------------------------------------------------------------------


@login_required
@never_cache
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    """Emergency accesses by the manager's team (or the lead's agency) awaiting review."""
    user = _user(request)
    origin = Origin.from_request(request)
    if not queries.may_review_any(user):
        record_audit(
            actor=user,
            action=AuditAction.DENIED,
            origin=origin,
            detail={"intent": "review_queue"},
        )
        raise Http404("No such page")
    reviewable = queries.grants_reviewable_by(user)
    pending = list(reviewable.filter(outcome="").order_by("granted_at")[:200])
    reviewed = list(reviewable.exclude(outcome="").order_by("-reviewed_at")[:20])
    findings = queries.findings_reviewable_by(user)
    pending_findings = list(findings.filter(outcome="").order_by("last_at")[:200])
    reviewed_findings = list(findings.exclude(outcome="").order_by("-reviewed_at")[:20])
    record_audit(
        actor=user,
        action=AuditAction.VIEW_ACCESS_LOG,
        origin=origin,
        detail={
            "view": "review_queue",
            "grants": [g.pk for g in pending + reviewed],
            "findings": [f.pk for f in pending_findings + reviewed_findings],
        },
    )
    return render(
        request,
        "access/review_queue.html",
        {
            "pending": pending,
            "reviewed": reviewed,
            "pending_findings": pending_findings,
            "reviewed_findings": reviewed_findings,
            "now": timezone.now(),
        },
    )


def _action_label(value: str) -> str:
    try:
        return str(AuditAction(value).label)
    except ValueError:
        return value


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def review_finding(request: HttpRequest, finding_id: int) -> HttpResponse:
    """One access monitoring finding: whose reads, which rule, the records opened and
    when; record whether it was justified."""
    user = _user(request)
    origin = Origin.from_request(request)
    finding = queries.findings_reviewable_by(user).filter(pk=finding_id).first()
    if finding is None:
        record_audit(
            actor=user,
            action=AuditAction.DENIED,
            origin=origin,
            detail={"intent": "review_access_finding", "requested": finding_id},
        )
        raise Http404("No such finding")
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.review_access_finding(
                actor=user,
                finding=finding,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                origin=origin,
            )
        except actions.AccessActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your review of the access is recorded.")
            return redirect("access-reviews")
    people = finding.people.in_bulk()
    reads = [
        {
            "at": dt.datetime.fromisoformat(row["at"]),
            "person": people.get(row["person"]),
            "action": _action_label(row["action"]),
        }
        for row in finding.reads
    ]
    # The reviewer sees who the records are of (name and date of birth): recorded.
    record_audit(
        actor=user,
        action=AuditAction.VIEW_ACCESS_LOG,
        origin=origin,
        detail={"view": "access_finding", "finding": finding.pk, "people": sorted(people)},
    )
    return render(
        request,
        "access/review_finding.html",
        {
            "finding": finding,
            "form": form,
            "reads": reads,
            "people": sorted(people.values(), key=lambda p: (p.family_name, p.given_name, p.pk)),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def review_grant(request: HttpRequest, grant_id: int) -> HttpResponse:
    """One emergency access: who, when, why, what they looked at; record the outcome."""
    user = _user(request)
    origin = Origin.from_request(request)
    grant = queries.grants_reviewable_by(user).filter(pk=grant_id).first()
    if grant is None:
        record_audit(
            actor=user,
            action=AuditAction.DENIED,
            origin=origin,
            detail={"intent": "review_break_glass", "requested": grant_id},
        )
        raise Http404("No such emergency access")
    further = request.method == "POST" and request.POST.get("form") == "further_period"
    form = ReviewForm(request.POST if request.method == "POST" and not further else None)
    further_form = FurtherPeriodForm(request.POST if further else None)
    if further and further_form.is_valid():
        try:
            actions.grant_further_break_glass(
                actor=user,
                grant=grant,
                reason_text=further_form.cleaned_data["reason_text"],
                origin=origin,
            )
        except actions.AccessActionError as error:
            further_form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"{grant.user} can see the record again for {_hours()}. They, the allocated "
                "worker and the safeguarding leads have been told.",
            )
            return redirect("access-reviews")
    elif request.method == "POST" and not further and form.is_valid():
        try:
            actions.review_break_glass(
                actor=user,
                grant=grant,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                origin=origin,
            )
        except actions.AccessActionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your review of the emergency access is recorded.")
            return redirect("access-reviews")
    done = list(queries.done_under(grant)[:500])
    record_audit(
        actor=user,
        action=AuditAction.VIEW_ACCESS_LOG,
        origin=origin,
        person=grant.person,
        detail={"view": "review_break_glass", "grant": grant.pk},
    )
    return render(
        request,
        "access/review_grant.html",
        {
            "grant": grant,
            "form": form,
            "further_form": further_form,
            "hours": _hours(),
            # The practitioner has renewed once: only a manager can open the record again.
            "offer_further_period": not actions.may_renew_own_access(grant.user, grant.person)
            and not rules.has_legitimate_relationship(grant.user, grant.person),
            "done": done,
            "now": timezone.now(),
        },
        status=400 if form.errors or further_form.errors else 200,
    )


# -- who has seen this record -------------------------------------------------------------


@login_required
@never_cache
@require_GET
def seen_by(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Every read, change and denial of this record, newest first: for the allocated
    worker and their managers."""
    record = open_record(
        _user(request),
        public_id,
        intent=Intent.VIEW_ACCESS_LOG,
        origin=Origin.from_request(request),
        detail={"page": request.GET.get("page", "1")[:10]},
    )
    person = record.person
    paginator = Paginator(queries.access_log(person).select_related("actor"), ACCESS_LOG_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    # The chronology's referrer rule holds here too: a referrer's reads would name them.
    rows = queries.access_log_rows(
        record.user,
        person,
        page.object_list,
        may_see_referrer=record.redaction.may_see_referrer(),
    )
    return render(
        request,
        "access/seen_by.html",
        {"person": person, "page": page, "rows": rows},
    )


# -- exports ---------------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def export_chronology(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The child's chronology as CSV, with a reason and the password again. Restricted
    sections stay withheld as on the page."""
    user = _user(request)
    origin = Origin.from_request(request)
    form = ExportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        # The password first: a page with an error names nobody, so it needs no access.
        if form.is_valid():
            problem = reauthenticate(
                request,
                user,
                password=form.cleaned_data["password"],
                code=form.cleaned_data.get("code", ""),
                purpose="export_chronology",
            )
            if problem is None:
                return _chronology_csv(user, public_id, form, origin)
            form.add_error("password" if "password" in problem.lower() else "code", problem)
        return render(
            request, "access/export_chronology.html", {"person": None, "form": form}, status=400
        )
    person = open_record(user, public_id, intent=Intent.PREPARE_EXPORT, origin=origin).person
    return render(request, "access/export_chronology.html", {"person": person, "form": form})


def _chronology_csv(
    user: User, public_id: uuid.UUID, form: ExportForm, origin: Origin
) -> HttpResponse:
    reason_code = form.cleaned_data["reason_code"]
    record = open_record(
        user,
        public_id,
        intent=Intent.EXPORT_CHRONOLOGY,
        origin=origin,
        reason=_reason(form),
        detail={"reason_code": reason_code},
    )
    person = record.person
    record_share_to_user(  # the export's sharing decision (sharing decisions, issue 17)
        actor=user,
        child=person,
        about=DecisionOrigin.EXPORT,
        what="The child's chronology, exported as CSV",
        why=_reason(form),
        origin=origin,
    )
    # The rows come redacted: restricted sections stay withheld as on the page.
    events = record.chronology(ChronologyFilter(include_superseded=False))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="chronology-{person.public_id}-{timezone.localdate():%Y%m%d}.csv"'
    )
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow(
        ["occurred_at", "agency", "category", "significance", "summary", "practitioner"]
    )
    for event in events:
        writer.writerow(
            _safe_cells(
                [
                    timezone.localtime(event.occurred_at).isoformat(),
                    event.agency.name,
                    event.category.label,
                    event.significance,
                    event.summary,
                    event.practitioner,
                ]
            )
        )
    return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def export_caseload(request: HttpRequest) -> HttpResponse:
    """A list of the children the user may see (team managers, safeguarding leads)."""
    user = _user(request)
    origin = Origin.from_request(request)
    if not rules.may_export_caseload(user):
        record_audit(
            actor=user,
            action=AuditAction.DENIED,
            origin=origin,
            detail={"intent": "export_caseload"},
        )
        raise Http404("No such page")
    form = ExportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        problem = reauthenticate(
            request,
            user,
            password=form.cleaned_data["password"],
            code=form.cleaned_data.get("code", ""),
            purpose="export_caseload",
        )
        if problem is None:
            return _caseload_csv(user, form, origin)
        form.add_error("password" if "password" in problem.lower() else "code", problem)
    return render(
        request,
        "access/export_caseload.html",
        {"form": form, "limit": CASELOAD_EXPORT_LIMIT},
        status=400 if form.is_bound and form.errors else 200,
    )


def _caseload_csv(user: User, form: ExportForm, origin: Origin) -> HttpResponse:
    people = list(
        visible_to(user, emergency=False).order_by("family_name", "given_name", "pk")[
            : CASELOAD_EXPORT_LIMIT + 1
        ]
    )
    truncated = len(people) > CASELOAD_EXPORT_LIMIT
    people = people[:CASELOAD_EXPORT_LIMIT]
    record_audit(
        actor=user,
        action=AuditAction.EXPORT_CASELOAD,
        origin=origin,
        reason=_reason(form),
        detail={
            "reason_code": form.cleaned_data["reason_code"],
            "people": len(people),
            "truncated": truncated,
        },
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="caseload-{timezone.localdate():%Y%m%d}.csv"'
    )
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow(["id", "given_name", "family_name", "date_of_birth", "nhs_number", "postcode"])
    for person in people:
        writer.writerow(
            _safe_cells(
                [
                    str(person.public_id),
                    person.given_name,
                    person.family_name,
                    person.date_of_birth.isoformat() if person.date_of_birth else "",
                    person.nhs_number,
                    person.postcode,
                ]
            )
        )
    return response


def _safe_cells(cells: list[Any]) -> list[str]:
    """Cells a spreadsheet will not run as formulas (CSV injection)."""
    return [f"'{text}" if (text := str(cell)) and text[0] in "=+-@\t\r" else text for cell in cells]


# -- two-factor authentication ---------------------------------------------------------------


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Confirm this sign-in with a code from the authenticator app."""
    user = _user(request)
    devices = list(TOTPDevice.objects.devices_for_user(user, confirmed=True))
    if not devices:
        return redirect(f"{reverse('two-factor-setup')}?next={quote(_next_url(request))}")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        device = next((d for d in devices if _verify(d, form.cleaned_data["code"])), None)
        if device is not None:
            otp_login(request, device)
            request.session.cycle_key()
            record_audit(
                actor=user,
                action=AuditAction.VERIFY_TWO_FACTOR,
                origin=Origin.from_request(request),
                detail={"device": device.pk},
            )
            return redirect(_next_url(request))
        record_audit(
            actor=user,
            action=AuditAction.DENIED,
            origin=Origin.from_request(request),
            detail={"intent": "two_factor"},
        )
        form.add_error("code", "The code is not right, or has expired. Try the next one.")
    return render(
        request,
        "access/two_factor.html",
        {"form": form, "next": _next_url(request)},
        status=400 if form.is_bound and form.errors else 200,
    )


def _verify(device: TOTPDevice, code: str) -> bool:
    """Check a code with django-otp's throttling (a delay grows after each failure)."""
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, _ = locked.verify_is_allowed()
        return bool(allowed and locked.verify_token(code))


# The enrolment code a user entered this session and the authenticator it started.
ENROLMENT = "sightline_enrolment"


def _pending_enrolment(request: HttpRequest, user: User) -> tuple[EnrolmentCode, TOTPDevice] | None:
    held = request.session.get(ENROLMENT)
    if not (
        isinstance(held, dict)
        and isinstance(held.get("code"), int)
        and isinstance(held.get("device"), int)
    ):
        return None
    code = (
        EnrolmentCode.objects.filter(pk=held["code"], user=user).usable_at(timezone.now()).first()
    )
    device = TOTPDevice.objects.filter(pk=held["device"], user=user, confirmed=False).first()
    if code is None or device is None:
        request.session.pop(ENROLMENT, None)
        return None
    return code, device


def _setup_url(request: HttpRequest) -> str:
    return f"{reverse('two-factor-setup')}?next={quote(_next_url(request))}"


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: first the enrolment code an administrator issued (a
    password alone never enrols one), then scan the QR code (or type the key) and enter
    a code from the app."""
    user = _user(request)
    origin = Origin.from_request(request)
    pending = _pending_enrolment(request, user)
    if pending is None:
        return _enrolment_code_step(request, user, origin)
    code, device = pending
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if _verify(device, form.cleaned_data["code"]):
            try:
                actions.enrol_authenticator(user=user, code=code, device=device, origin=origin)
            except actions.AccessActionError as error:
                request.session.pop(ENROLMENT, None)
                messages.error(request, str(error))
                return redirect(_setup_url(request))
            request.session.pop(ENROLMENT, None)
            otp_login(request, device)
            request.session.cycle_key()
            messages.success(request, "Two-factor authentication is set up.")
            return redirect(_next_url(request))
        form.add_error("code", "The code is not right, or has expired. Try the next one.")
    key = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "access/two_factor_setup.html",
        {
            "form": form,
            "next": _next_url(request),
            # An image from a data: address (CSP allows data: images), not inline markup.
            "qr_image": segno.make(device.config_url, error="m").svg_data_uri(scale=4),
            "key_groups": [key[i : i + 4] for i in range(0, len(key), 4)],
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _enrolment_code_step(request: HttpRequest, user: User, origin: Origin) -> HttpResponse:
    form = EnrolmentCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            code, device = actions.begin_enrolment(
                user=user, code=form.cleaned_data["enrolment_code"], origin=origin
            )
        except actions.AccessActionError as error:
            form.add_error("enrolment_code", str(error))
        else:
            request.session[ENROLMENT] = {"code": code.pk, "device": device.pk}
            return redirect(_setup_url(request))
    return render(
        request,
        "access/two_factor_enrol.html",
        {"form": form, "next": _next_url(request)},
        status=400 if form.is_bound and form.errors else 200,
    )


# -- users: enrolment codes (administrators) ----------------------------------------------

USER_LIST_LIMIT = 50


def _administrator(request: HttpRequest, intent: str, **detail: object) -> User:
    """The signed-in administrator, or 404 with the denial audited."""
    user = _user(request)
    if not (user.is_active and user.role == Role.ADMINISTRATOR):
        record_audit(
            actor=user,
            action=AuditAction.DENIED,
            origin=Origin.from_request(request),
            detail={"intent": intent, **detail},
        )
        raise Http404("No such page")
    return user


@login_required
@never_cache
@require_GET
def users(request: HttpRequest) -> HttpResponse:
    """Administrators find a user (by name, username or e-mail) and issue them a
    two-factor enrolment code."""
    _administrator(request, "users")
    form = UserSearchForm(request.GET or None)
    text = str(form.cleaned_data.get("q") or "").strip() if form.is_valid() else ""
    show = request.GET.get("show", "")
    show = show if show in queries.USER_LISTS else ""
    found = queries.users_matching(text, show=show)[: USER_LIST_LIMIT + 1]
    rows = list(found)
    return render(
        request,
        "access/users.html",
        {
            "form": form,
            "rows": rows[:USER_LIST_LIMIT],
            "more": len(rows) > USER_LIST_LIMIT,
            "searched": text,
            "show": show,
            "showing": queries.USER_LISTS[show][0] if show else "",
        },
    )


@login_required
@never_cache
@require_POST
def issue_enrolment_code(request: HttpRequest, user_id: int) -> HttpResponse:
    """Issue the chosen user a one-time enrolment code and show it, once."""
    actor = _administrator(request, "issue_enrolment_code", requested=user_id)
    origin = Origin.from_request(request)
    target = User.objects.filter(pk=user_id).select_related("agency").first()
    if target is None:
        record_audit(
            actor=actor,
            action=AuditAction.DENIED,
            origin=origin,
            detail={"intent": "issue_enrolment_code", "requested": user_id},
        )
        raise Http404("No such user")
    try:
        issued = actions.issue_enrolment_code(actor=actor, user=target, origin=origin)
    except actions.AccessActionError as error:
        messages.error(request, str(error))
        return redirect("access-users")
    return render(
        request,
        "access/enrolment_code.html",
        {"target": target, "issued": issued},
    )
