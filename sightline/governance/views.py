"""Pages for the information governance officer: the proposals due for review, and one
proposal with what disposal would destroy, its holds, and approve or refuse.

The officer has no relationship with the children: the pages show the opaque reference,
the kind of record, the rule and due date, the holds and the number of rows by table, and
never a name, date of birth or any of the record's content."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from sightline.accounts.models import User
from sightline.audit.actions import Origin
from sightline.governance import actions, disposal
from sightline.governance.access import may_change_schedule, may_review_disposals
from sightline.governance.forms import DisposalDecisionForm, RetentionRuleForm
from sightline.governance.holds import Hold, holds_on
from sightline.governance.models import (
    DisposalProposal,
    LegalHold,
    ProposalStatus,
    RetentionRule,
    Tombstone,
)
from sightline.governance.queries import open_proposals
from sightline.people.models import Person

LIST_LIMIT = 200


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise Http404("No such hold") from None


def _officer(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not may_review_disposals(user):
        raise Http404("No such page")
    return user


@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    _officer(request)
    proposals = list(open_proposals()[:LIST_LIMIT])
    held = holds_on(p.person_id for p in proposals if p.person_id is not None)
    rows = [
        {"proposal": p, "holds": held.get(p.person_id, []) if p.person_id else []}
        for p in proposals
    ]
    tombstones = list(Tombstone.objects.select_related("rule")[:20])
    return render(request, "governance/disposals.html", {"rows": rows, "tombstones": tombstones})


@login_required
@require_http_methods(["GET", "POST"])
def proposal_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = _officer(request)
    proposal = (
        DisposalProposal.objects.select_related("rule", "tombstone", "decided_by")
        .filter(public_id=public_id)
        .first()
    )
    if proposal is None:
        raise Http404("No such proposal")
    form = DisposalDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and proposal.status == ProposalStatus.PROPOSED and form.is_valid():
        origin = Origin.from_request(request)
        reason = form.cleaned_data["reason"]
        decision = "release" if "release" in request.POST else request.POST.get("decision")
        try:
            if decision == "hold" and proposal.person is not None:
                placed = actions.place_legal_hold(
                    actor=user, person=proposal.person, reason=reason, origin=origin
                )
                messages.success(request, f"Held: {placed.reference} is in force.")
                return redirect("governance:disposal", public_id=proposal.public_id)
            if decision == "release":
                found = LegalHold.objects.filter(
                    pk=_int(request.POST.get("release")),
                    person__public_id=proposal.person_ref,
                    released_at__isnull=True,
                ).first()
                if found is None:
                    raise Http404("No such hold")
                actions.release_legal_hold(actor=user, hold=found, reason=reason, origin=origin)
                messages.success(request, f"Released: {found.reference}.")
                return redirect("governance:disposal", public_id=proposal.public_id)
            if decision == "approve":
                tombstone = actions.approve_disposal(
                    actor=user, proposal=proposal, reason=reason, origin=origin
                )
                messages.success(
                    request,
                    f"Disposed of: {tombstone.rows_total} rows destroyed. "
                    f"The tombstone {tombstone.reference} remains.",
                )
            elif decision == "refuse":
                actions.refuse_disposal(actor=user, proposal=proposal, reason=reason, origin=origin)
                messages.success(request, f"Refused: {proposal.reference} is kept.")
            else:
                raise Http404("No such decision")
        except actions.RetentionError as error:
            form.add_error(None, str(error))
        else:
            return redirect("governance:disposals")
    holds: list[Hold] = []
    destroyed: list[tuple[str, int]] = []
    if proposal.person_id is not None and proposal.status == ProposalStatus.PROPOSED:
        person = Person.objects.get(pk=proposal.person_id)
        husks = Person.objects.filter(merged_into=person).values_list("pk", flat=True)
        in_force = holds_on([person.pk, *husks])
        holds = [hold for held in in_force.values() for hold in held]
        doomed, _links = disposal.collect(person)
        destroyed = sorted((disposal.label(model), len(ids)) for model, ids in doomed.items())
    return render(
        request,
        "governance/disposal.html",
        {"proposal": proposal, "holds": holds, "destroyed": destroyed, "form": form},
    )


def _administrator(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not may_change_schedule(user):
        raise Http404("No such page")
    return user


@login_required
def schedule_list(request: HttpRequest) -> HttpResponse:
    """The retention schedule: for the administrator who keeps it and the officer who
    applies it."""
    user = request.user
    if not isinstance(user, User) or not (may_change_schedule(user) or may_review_disposals(user)):
        raise Http404("No such page")
    return render(
        request,
        "governance/schedule.html",
        {
            "rules": RetentionRule.objects.select_related("changed_by"),
            "may_change": may_change_schedule(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def schedule_edit(request: HttpRequest, kind: str) -> HttpResponse:
    user = _administrator(request)
    rule = RetentionRule.objects.filter(kind=kind).first()
    if rule is None:
        raise Http404("No such rule")
    initial = {
        "anchor": rule.anchor,
        "years": rule.years,
        "years_after_last_activity": rule.years_after_last_activity,
        "years_after_death_under_18": rule.years_after_death_under_18,
        "source": rule.source,
    }
    form = RetentionRuleForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.change_retention_rule(
                actor=user,
                rule=rule,
                anchor=data["anchor"],
                years=data["years"],
                years_after_last_activity=data["years_after_last_activity"],
                years_after_death_under_18=data["years_after_death_under_18"],
                source=data["source"],
                origin=Origin.from_request(request),
            )
        except actions.RetentionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Changed: {rule.get_kind_display()}.")
            return redirect("governance:schedule")
    return render(request, "governance/schedule_edit.html", {"rule": rule, "form": form})
