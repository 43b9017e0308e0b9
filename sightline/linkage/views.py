"""Pages: record a person (shows likely existing persons first), the review queue, a
review with the evidence side by side, and merges with un-merge."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sightline.accounts.models import Role, User
from sightline.audit.actions import Origin, record_audit
from sightline.audit.models import AuditAction
from sightline.linkage import actions, realtime
from sightline.linkage.access import access_merge, access_review, require_reviewer
from sightline.linkage.forms import DecisionForm, PersonRecordForm
from sightline.linkage.models import MatchReview, ReviewStatus
from sightline.linkage.queries import merges_visible_to, pending_reviews
from sightline.people.models import Person, SourceRecord
from sightline.record.queries import visible_to

NEW_PERSON = "new"


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise Http404("No such page")
    return user


@dataclass(frozen=True)
class CandidateRow:
    candidate: realtime.Candidate
    person: Person | None  # None when the practitioner may not see this person

    @property
    def percent(self) -> str:
        return f"{self.candidate.probability:.1%}"


def _candidate_rows(user: User, found: list[realtime.Candidate]) -> list[CandidateRow]:
    visible = {p.pk: p for p in visible_to(user).filter(pk__in=[c.person_id for c in found])}
    return [CandidateRow(c, visible.get(c.person_id)) for c in found]


@login_required
def record_person(request: HttpRequest) -> HttpResponse:
    """Record what your agency holds about a person. The likely existing persons are shown,
    with the evidence, before anything is created; you choose one or a new person."""
    user = _user(request)
    if user.agency is None or user.role == Role.ADMINISTRATOR:
        raise Http404("No such page")
    origin = Origin.from_request(request)
    form = PersonRecordForm(request.POST or None)
    rows: list[CandidateRow] = []
    searched = False
    choice_error = ""
    if request.method == "POST" and form.is_valid():
        identity = form.identity()
        try:
            model = realtime.current_model()
        except realtime.NoModelError:
            model = None
        found: list[realtime.Candidate] = []
        if model is not None:
            realtime.catch_up()
            found = realtime.candidates(
                identity,
                weights=realtime.weights_for(model),
                common_names=realtime.common_names_for(model),
            )
        rows = _candidate_rows(user, found)
        searched = True
        if request.POST.get("action") == "record":
            chosen = request.POST.get("same_as", "")
            by_id = {c.public_id: c for c in found}
            if chosen != NEW_PERSON and chosen not in by_id:
                choice_error = "Choose one of the persons listed, or a new person"
            else:
                same_as = (
                    Person.objects.get(pk=by_id[chosen].person_id) if chosen in by_id else None
                )
                try:
                    record = actions.record_person(
                        actor=user,
                        agency=user.agency,
                        record_id=form.cleaned_data["record_id"],
                        identity=identity,
                        origin=origin,
                        same_as=same_as,
                    )
                except actions.LinkageError as error:
                    form.add_error("record_id", str(error))
                else:
                    messages.success(request, f"Recorded {record.agency.code}:{record.record_id}.")
                    return redirect("linkage-recorded", record_pk=record.pk)
        else:
            record_audit(
                actor=user,
                action=AuditAction.MATCH_PERSON,
                origin=origin,
                detail={
                    "candidates": [c.public_id for c in found],
                    "identity_shown": [r.candidate.public_id for r in rows if r.person],
                },
            )
    return render(
        request,
        "linkage/record_person.html",
        {
            "form": form,
            "rows": rows,
            "searched": searched,
            "choice_error": choice_error,
            "new_person": NEW_PERSON,
        },
    )


@login_required
def recorded(request: HttpRequest, record_pk: int) -> HttpResponse:
    user = _user(request)
    record = SourceRecord.objects.filter(pk=record_pk, agency=user.agency).first()
    if record is None:
        raise Http404("No such record")
    visible = visible_to(user).filter(pk=record.person_id).exists()
    return render(request, "linkage/recorded.html", {"record": record, "person_visible": visible})


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_reviewer(user)
    items = pending_reviews(user).order_by("-probability", "pk")[:200]
    return render(request, "linkage/review_queue.html", {"items": items})


@dataclass(frozen=True)
class EvidenceRow:
    label: str
    left: str
    right: str
    explanation: str
    weight: float | None


_FIELDS: list[tuple[str, str, tuple[str, ...]]] = [
    ("given_name", "Given name", ("given_name",)),
    ("family_name", "Family name", ("family_name",)),
    ("", "Other names", ("other_names",)),
    ("date_of_birth", "Date of birth", ("date_of_birth",)),
    ("sex", "Sex", ("sex",)),
    ("nhs_number", "NHS number", ("nhs_number",)),
    ("address", "Address", ("address", "postcode")),
]


def _evidence_rows(review: MatchReview) -> list[EvidenceRow]:
    found = {item["field"]: item for item in review.evidence}

    def show(record: SourceRecord, names: tuple[str, ...]) -> str:
        values = [str(getattr(record, name) or "") for name in names]
        return ", ".join(v for v in values if v) or "Not given"

    rows = []
    for field, label, names in _FIELDS:
        item = found.get(field, {})
        rows.append(
            EvidenceRow(
                label=label,
                left=show(review.record_a, names),
                right=show(review.record_b, names),
                explanation=str(item.get("explanation", "")),
                weight=item.get("weight"),
            )
        )
    return rows


@login_required
def review_detail(request: HttpRequest, review_id: int) -> HttpResponse:
    user = _user(request)
    require_reviewer(user)
    origin = Origin.from_request(request)
    review = access_review(user, review_id, origin=origin)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and review.status == ReviewStatus.PENDING and form.is_valid():
        decision = request.POST.get("decision")
        reason = form.cleaned_data["reason"]
        try:
            if decision == "confirm":
                actions.confirm_match(actor=user, review=review, origin=origin, reason=reason)
                messages.success(request, "Confirmed: the records now belong to one person.")
            elif decision == "reject":
                actions.reject_match(actor=user, review=review, origin=origin, reason=reason)
                messages.success(request, "Rejected: the records stay with different persons.")
            else:
                raise Http404("No such decision")
        except actions.LinkageError as error:
            messages.error(request, str(error))
        return redirect("linkage-reviews")
    return render(
        request,
        "linkage/review_detail.html",
        {"review": review, "rows": _evidence_rows(review), "form": form},
    )


@login_required
def merge_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_reviewer(user)
    merges = merges_visible_to(user).filter(undone_at__isnull=True)[:200]
    rows: list[dict[str, Any]] = []
    for merge in merges:
        references = SourceRecord.objects.filter(pk__in=merge.records).select_related("agency")
        rows.append({"merge": merge, "records": [str(r) for r in references]})
    return render(request, "linkage/merges.html", {"rows": rows, "form": DecisionForm()})


@login_required
@require_POST
def undo_merge(request: HttpRequest, merge_id: int) -> HttpResponse:
    user = _user(request)
    require_reviewer(user)
    merge = access_merge(user, merge_id)
    form = DecisionForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        actions.undo_merge(
            actor=user, merge=merge, origin=Origin.from_request(request), reason=reason
        )
        messages.success(
            request,
            "Un-merged: each record, its events and everything else the merge moved are "
            "back with their person.",
        )
    except actions.LinkageError as error:
        messages.error(request, str(error))
    return redirect("linkage-merges")
