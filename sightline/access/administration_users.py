"""The administration area: one user's page (their role, changed with a reason, and
their API token), and every API token with its scopes and last use, issued (shown once)
and revoked here.

A user has at most one token (Django REST framework's ``Token``); a new one replaces it.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from rest_framework.authtoken.models import Token

from sightline.access import actions, queries
from sightline.access.administration_forms import (
    IssueTokenForm,
    RevokeTokenForm,
    RoleForm,
    TokenAccess,
)
from sightline.access.api import token_scopes
from sightline.access.models import TokenScope
from sightline.access.views import _administrator
from sightline.accounts.actions import AccountError, change_role
from sightline.accounts.models import Role, User
from sightline.audit.actions import Origin
from sightline.audit.models import AuditAction, AuditEvent

NOTICE = "administration_notice"


def sentence(message: str) -> str:
    """An action's message as a sentence: a capital first, a full stop last."""
    message = message.strip()
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def notify(request: HttpRequest, text: str) -> None:
    """A success banner on the next page (``access/administration/_notice.html``)."""
    request.session[NOTICE] = text


def take_notice(request: HttpRequest) -> str:
    return str(request.session.pop(NOTICE, ""))


def _target(user_id: int) -> User:
    target = User.objects.select_related("agency", "team").filter(pk=user_id).first()
    if target is None:
        raise Http404("No such user")
    return target


def _scope_words(scopes: set[str]) -> str:
    labels = [str(TokenScope(s).label) for s in sorted(scopes) if s in TokenScope.values]
    return "; ".join(labels) or "Nothing (no scopes)"


@login_required
@never_cache
@require_GET
def user(request: HttpRequest, user_id: int) -> HttpResponse:
    _administrator(request, "administration_user", requested=user_id)
    target = _target(user_id)
    token = Token.objects.filter(user=target).select_related("policy").first()
    role_changes = AuditEvent.objects.filter(
        action=AuditAction.CHANGE_ROLE, detail__user_id=target.pk
    ).order_by("-id")[:20]
    return render(
        request,
        "access/administration/user.html",
        {
            "target": target,
            "token": token,
            "token_scopes": _scope_words(token_scopes(token)) if token else "",
            "role_changes": [
                {
                    "at": row.at,
                    "by": row.actor_username,
                    "reason": row.reason,
                    "change": _role_change_words(row.detail),
                }
                for row in role_changes
            ],
            "notice": take_notice(request),
        },
    )


def _role_change_words(detail: dict[str, object]) -> str:
    def label(value: object) -> str:
        try:
            return str(Role(str(value)).label)
        except ValueError:
            return str(value)

    return f"{label(detail.get('from'))} to {label(detail.get('to'))}"


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def user_role(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = _administrator(request, "change_role", requested=user_id)
    target = _target(user_id)
    form = RoleForm(request.POST or None, initial={"role": target.role})
    if request.method == "POST" and form.is_valid():
        try:
            change_role(
                actor=actor,
                user=target,
                role=form.cleaned_data["role"],
                reason=form.cleaned_data["reason"],
                origin=Origin.from_request(request),
            )
        except AccountError as error:
            field = "reason" if "reason" in str(error) else "role"
            form.add_error(field, sentence(str(error)))
        else:
            target.refresh_from_db()
            notify(request, f"{target} is now: {target.get_role_display()}.")
            return redirect("administration-user", user_id=target.pk)
    return render(
        request,
        "access/administration/user_role.html",
        {"target": target, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def issue_token(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = _administrator(request, "issue_api_token", requested=user_id)
    target = _target(user_id)
    replaces = Token.objects.filter(user=target).exists()
    form = IssueTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = actions.issue_api_token(
                actor=actor,
                user=target,
                write=form.cleaned_data["access"] == TokenAccess.READ_WRITE,
                reason=form.cleaned_data["reason"],
                origin=Origin.from_request(request),
            )
        except actions.AccessActionError as error:
            form.add_error("reason", sentence(str(error)))
        else:
            # The key is shown once, here, and never again (as the command line does).
            return render(
                request,
                "access/administration/token_issued.html",
                {"target": target, "key": issued.key, "scopes": _scope_words(set(issued.scopes))},
            )
    return render(
        request,
        "access/administration/issue_token.html",
        {"target": target, "form": form, "replaces": replaces},
        status=400 if form.errors else 200,
    )


@login_required
@never_cache
@require_GET
def tokens(request: HttpRequest) -> HttpResponse:
    _administrator(request, "api_tokens")
    unused = request.GET.get("show") == "unused"
    listed = queries.tokens_unused(timezone.now()) if unused else Token.objects.all()
    rows = [
        {
            "token": token,
            "owner": token.user,
            "scopes": _scope_words(token_scopes(token)),
            "last_used_at": getattr(getattr(token, "policy", None), "last_used_at", None),
        }
        for token in listed.select_related("user", "user__agency", "policy").order_by(
            "user__last_name", "user__first_name", "user__username"
        )
    ]
    return render(
        request,
        "access/administration/tokens.html",
        {
            "rows": rows,
            "notice": take_notice(request),
            "unused": unused,
            "unused_days": queries.TOKEN_UNUSED_DAYS,
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def revoke_token(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = _administrator(request, "revoke_api_token", requested=user_id)
    token = Token.objects.select_related("user").filter(user_id=user_id).first()
    if token is None:
        raise Http404("No such token")
    form = RevokeTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.revoke_api_token(
                actor=actor,
                token=token,
                reason=form.cleaned_data["reason"],
                origin=Origin.from_request(request),
            )
        except actions.AccessActionError as error:
            form.add_error("reason", sentence(str(error)))
        else:
            notify(request, f"The API token of {token.user} is revoked.")
            return redirect("administration-tokens")
    return render(
        request,
        "access/administration/revoke_token.html",
        {"token": token, "owner": token.user, "form": form},
        status=400 if form.errors else 200,
    )
