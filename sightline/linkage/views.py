"""Pages: record a person (shows likely existing persons first), the review queue, a
review with the evidence side by side, and merges with un-merge."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from sightline.accounts.models import Role, User
from sightline.audit.actions import Origin
from sightline.linkage import actions, matching, realtime
from sightline.linkage.access import (
    access_merge,
    access_review,
    audit_merges_view,
    audit_queue_view,
    require_reviewer,
)
from sightline.linkage.forms import DecisionForm, PersonRecordForm, UndoMergeForm
from sightline.linkage.models import MatchReview, PersonMerge, ReviewStatus
from sightline.linkage.queries import merges_visible_to, pending_reviews
from sightline.people.models import SourceRecord
from sightline.record import match
from sightline.record.queries import visible_to

NEW_PERSON = "new"
# Pairs or merges listed at most on one page (each listed one is audited).
QUEUE_LIMIT = 200


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise Http404("No such page")
    return user


@login_required
def record_person(request: HttpRequest) -> HttpResponse:
    """Record what your agency holds about a person. The likely existing persons you may
    open are shown, with the evidence, before anything is created; you choose one or a
    new person. Of anyone else the page says only that a possible existing record exists
    (``record.match``)."""
    user = _user(request)
    if user.agency is None or user.role == Role.ADMINISTRATOR:
        raise Http404("No such page")
    origin = Origin.from_request(request)
    form = PersonRecordForm(request.POST or None)
    outcome: match.MatchOutcome | None = None
    refused: match.SearchRateLimitedError | None = None
    choice_error = ""
    if request.method == "POST" and form.is_valid():
        identity = form.identity()
        if request.POST.get("action") == "record":
            chosen = request.POST.get("same_as", "")
            same_as = None if chosen == NEW_PERSON else matching.offered(user, identity, chosen)
            if chosen != NEW_PERSON and same_as is None:
                choice_error = "Choose one of the persons listed, or a new person"
            else:
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
                    messages.success(
                        request,
                        f"Person recorded for {record.agency.name}, "
                        f"with your reference {record.record_id}.",
                    )
                    return redirect("linkage-recorded", record_pk=record.pk)
        if form.is_valid():  # a refused record above adds an error: show the form again
            try:
                model = realtime.current_model()
            except realtime.NoModelError:
                model = None
            try:
                outcome = matching.match_record(user, identity, origin=origin, model=model).outcome
            except match.SearchRateLimitedError as error:
                refused = error
    return render(
        request,
        "linkage/record_person.html",
        {
            "form": form,
            "outcome": outcome,
            "searched": outcome is not None,
            "refused": refused,
            "choice_error": choice_error,
            "new_person": NEW_PERSON,
            "minimum_criteria": match.MINIMUM_CRITERIA,
        },
        status=429 if refused is not None else 200,
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
    """The pairs waiting for a decision that this reviewer may see; each listed pair is
    audited against both its persons."""
    user = _user(request)
    require_reviewer(user)
    items = list(pending_reviews(user).order_by("-probability", "pk")[:QUEUE_LIMIT])
    audit_queue_view(user, items, origin=Origin.from_request(request))
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


def _moved_records(merge: PersonMerge) -> list[str]:
    references = SourceRecord.objects.filter(pk__in=merge.records).select_related("agency")
    return [str(record) for record in references]


@login_required
def merge_list(request: HttpRequest) -> HttpResponse:
    """The merges this reviewer may undo; each listed merge is audited against both its
    persons."""
    user = _user(request)
    require_reviewer(user)
    merges = list(merges_visible_to(user).filter(undone_at__isnull=True)[:QUEUE_LIMIT])
    audit_merges_view(user, merges, origin=Origin.from_request(request))
    rows = [{"merge": merge, "records": _moved_records(merge)} for merge in merges]
    return render(request, "linkage/merges.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def undo_merge(request: HttpRequest, merge_id: int) -> HttpResponse:
    """Undo a merge, with the reason the two are different people (required)."""
    user = _user(request)
    require_reviewer(user)
    origin = Origin.from_request(request)
    merge = access_merge(user, merge_id, origin=origin)
    form = UndoMergeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.undo_merge(
                actor=user, merge=merge, origin=origin, reason=form.cleaned_data["reason"]
            )
        except actions.LinkageError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                "Un-merged: each record, its events and everything else the merge moved are "
                "back with their person.",
            )
            return redirect("linkage-merges")
    return render(
        request,
        "linkage/undo_merge.html",
        {"merge": merge, "records": _moved_records(merge), "form": form},
    )
