"""The people pages: find a child, and the child's page with the multi-agency chronology
and the panels other features provide.

Every read of a person goes through ``record.access`` (decide, audit, 404). The child's
page runs a fixed number of queries however many events the child has.
"""

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from sightline.accounts.models import User
from sightline.assessments.queries import child_panel as assessments_child_panel
from sightline.audit.actions import Origin
from sightline.chronology.actions import EntryRefusedError, append_event, start_of_day
from sightline.chronology.queries import WINDOWS_MONTHS
from sightline.governance.holds import holds_on
from sightline.incidents.access import may_notify
from sightline.networks.queries import child_panel as networks_child_panel
from sightline.pages.case_state import INVERSE_KIND
from sightline.pages.case_views import case_panel
from sightline.pages.forms import ChronologyEntryForm, ChronologyFilterForm
from sightline.pages.rendering import EventTimes, event_items
from sightline.people.models import (
    Involvement,
    Person,
    Relationship,
    RelationshipKind,
    StatusKind,
    StatusPeriod,
)
from sightline.record.access import Intent, Record, chronology_detail, open_record
from sightline.record.chronology import EventRow
from sightline.record.forms import PersonSearchForm
from sightline.record.queries import visible_to
from sightline.record.rules import may_trace
from sightline.record.search import Found, SearchRateLimitedError, result_limit, search_people
from sightline.sharing import actions as sharing_actions
from sightline.sharing.queries import FlagView, header_panels, involved_panel

# How a relationship reads from the other side: "A is parent of B" makes A's entry on
# B's page "Parent", and B's entry on A's page "Child".
_INVERSE_KIND = INVERSE_KIND


def _user(request: HttpRequest) -> User:
    """The signed-in user (``login_required`` has run)."""
    user = request.user
    if not isinstance(user, User):  # pragma: no cover - login_required guarantees it
        raise TypeError("a signed-in user is required")
    return user


@login_required
@never_cache
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Find a child: the minimum criteria, capped results, a rate limit per user, and one
    audit row per search made."""
    user = _user(request)
    # Any field in the address, even empty, means the form was sent.
    submitted = bool(request.GET)
    form = PersonSearchForm(request.GET if submitted else None)
    results: list[Found] = []
    flags: dict[int, FlagView] = {}
    more = False
    refused: SearchRateLimitedError | None = None
    if submitted and form.is_valid():
        origin = Origin.from_request(request)
        try:
            outcome = search_people(user, form.criteria(), origin=origin)
        except SearchRateLimitedError as error:
            refused = error
        else:
            results, more = outcome.results, outcome.more
            flags = sharing_actions.record_search_lookups(user, results, origin=origin)
    return render(
        request,
        "people/search.html",
        {
            "form": form,
            "submitted": submitted and form.is_valid() and refused is None,
            "refused": refused,
            "results": results,
            "flags": flags,
            "more": more,
            "limit": result_limit(),
            "may_trace": may_trace(user),
            "today": timezone.localdate(),
        },
        status=429 if refused is not None else 200,
    )


@dataclass(frozen=True)
class FamilyMember:
    person: Person
    relationship: str
    lives_with: bool
    started_on: dt.date | None
    ended_on: dt.date | None
    source_agency: str
    visible: bool

    @property
    def is_current(self) -> bool:
        return self.ended_on is None or self.ended_on >= timezone.localdate()


@dataclass(frozen=True)
class StatusRow:
    label: str
    period: StatusPeriod | None
    colour: str


@dataclass(frozen=True)
class CountsRow:
    agency: str
    counts: list[int]


@login_required
@never_cache
@require_GET
def person_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    user = _user(request)
    record = open_record(
        user,
        public_id,
        intent=Intent.VIEW_RECORD,
        origin=Origin.from_request(request),
        detail=_chronology_detail(request),
    )
    person = record.person
    today = timezone.localdate()
    context: dict[str, Any] = {
        "person": person,
        "record_access": record.access_panel,
        "today": today,
        "age": person.age_on(today),
        "source_records": list(person.source_records.select_related("agency")),
        "family": _family(user, person, relationships := _relationships(person)),
        "status_periods": (
            status := list(person.status_periods.select_related("recorded_by_agency"))
        ),
        "status_rows": _status_rows(status, today),
        "past_statuses": [period for period in status if not period.is_current_on(today)],
        "counts_windows": WINDOWS_MONTHS,
        "counts": (counts := _counts(record)),
        "counts_total": [
            sum(column) for column in zip(*(row.counts for row in counts), strict=True)
        ]
        or [0 for _ in WINDOWS_MONTHS],
    }
    context.update(_chronology(request, record))
    context.update(
        header_panels(
            user,
            person,
            status_periods=status,
            # Only a parent can carry an unborn child's pre-birth plan.
            may_have_children=any(
                r.person_id == person.pk and r.kind == RelationshipKind.PARENT
                for r in relationships
            ),
        )
    )
    context["legal_holds"] = holds_on([person.pk]).get(person.pk, [])
    # What the reader can do from here, each pre-filled with the child.
    context["may_add_event"] = user.agency_id is not None
    context["may_notify"] = may_notify(user)
    return render(request, "people/detail.html", context)


def _decisions_panel(record: Record) -> dict[str, Any]:
    return {"assessments": assessments_child_panel(record.person)}


def _outside_home_panel(record: Record) -> dict[str, Any]:
    return {"network": networks_child_panel(record)}


def _involved_panel(record: Record) -> dict[str, Any]:
    """Who else is involved now (with their contacts), earlier involvements, and a
    flagged child's recent lookups."""
    person = record.person
    today = timezone.localdate()
    flag = header_panels(record.user, person)["flag"]
    involvements = _involvements(person)
    return {
        "flag": flag,
        "current_involvements": [i for i in involvements if i.is_active_on(today)],
        "past_involvements": [i for i in involvements if not i.is_active_on(today)],
        **involved_panel(person, flagged=flag is not None),
    }


# Panels of the child's page that htmx fetches after the page has loaded, so the
# chronology is not kept waiting by indicators, the network or the contacts of everyone
# involved; without JavaScript the tab links to a full page instead.
_PANELS = {
    "case": ("cases/_child_panel.html", case_panel),
    "decisions": ("assessments/_child_panel.html", _decisions_panel),
    "outside-home": ("networks/_child_panel.html", _outside_home_panel),
    "involved": ("people/_involved_panel.html", _involved_panel),
}


@login_required
@never_cache
@require_GET
def person_panel(request: HttpRequest, public_id: uuid.UUID, panel: str) -> HttpResponse:
    """One lazily loaded panel of the child's page, through the same access check."""
    if panel not in _PANELS:
        raise Http404("No such panel")
    record = open_record(
        _user(request),
        public_id,
        intent=Intent.VIEW_RECORD,
        origin=Origin.from_request(request),
        detail={"panel": panel},
    )
    template, build = _PANELS[panel]
    context = {"person": record.person, **build(record)}
    if not request.htmx:  # type: ignore[attr-defined]
        # Followed from the tab's link without JavaScript: the panel as a page of its own.
        return render(request, "people/panel_page.html", {**context, "panel_template": template})
    return render(request, template, context)


@never_cache
@require_GET
def person_chronology(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The chronology fragment that htmx swaps in when filters or pages change.

    Outside htmx (a bookmarked or copied address) it sends the browser to the full page.
    If the session has ended, htmx is told to load the sign-in page as a whole page
    rather than swap it into the chronology.
    """
    page_url = reverse("person-detail", kwargs={"public_id": public_id})
    query = request.GET.urlencode()
    full_page = f"{page_url}?{query}" if query else page_url
    if not request.htmx:  # type: ignore[attr-defined]
        return HttpResponseRedirect(full_page)
    if not request.user.is_authenticated:
        return HttpResponseClientRedirect(redirect_to_login(full_page).url)
    record = open_record(
        _user(request),
        public_id,
        intent=Intent.VIEW_CHRONOLOGY,
        origin=Origin.from_request(request),
        detail=_chronology_detail(request),
    )
    context = _chronology(request, record)
    response = render(request, "people/_chronology.html", {"person": record.person, **context})
    # The address bar shows the full page with these filters, for reload and sharing.
    response["HX-Push-Url"] = full_page
    return response


def _filter_data(request: HttpRequest) -> QueryDict:
    data = request.GET.copy()
    if not data.get("order"):
        data["order"] = "asc"
    return data


def _chronology_detail(request: HttpRequest) -> dict[str, object]:
    """The audit detail of a chronology read (as the API writes it): the filters asked
    for, read from the address whether or not they are this chronology's choices."""
    data = _filter_data(request)
    asked = ChronologyFilterForm(
        data,
        agencies=[(code, code) for code in data.getlist("agency")],
        categories=[(code, code) for code in data.getlist("category")],
    ).chronology_filter()
    page = request.GET.get("page", "1")
    return chronology_detail(asked, page=int(page) if page.isdigit() else page[:10])


def _chronology(request: HttpRequest, record: Record) -> dict[str, Any]:
    """Filter form, the page of events, and the numbers for "Showing 1 to 50 of 2,000".

    The rows come from the record, already redacted for this reader.
    """
    agencies, categories = record.chronology_choices()
    form = ChronologyFilterForm(_filter_data(request), agencies=agencies, categories=categories)
    chosen = form.chronology_filter()
    paginator = Paginator(record.chronology(chosen), settings.SIGHTLINE_CHRONOLOGY_PAGE_SIZE)
    page: Page[EventRow] = paginator.get_page(request.GET.get("page"))
    events_shown = list(page.object_list)
    event_rows = [(event, EventTimes.of(event)) for event in events_shown]
    return {
        "filter_form": form,
        "chronology_filter": chosen,
        "page": page,
        "page_range": (
            page_range := list(page.paginator.get_elided_page_range(page.number, on_each_side=1))
        ),
        # The pagination's addresses, built here once (as {% url %} and {% querystring %}
        # wrote them) rather than by four tags for each link.
        "page_url": reverse("person-detail", kwargs={"public_id": record.person.public_id}),
        "fragment_url": reverse("person-chronology", kwargs={"public_id": record.person.public_id}),
        "page_links": [(number, _page_query(request, number)) for number in page_range],
        "previous_query": (
            _page_query(request, page.previous_page_number()) if page.has_previous() else ""
        ),
        "next_query": _page_query(request, page.next_page_number()) if page.has_next() else "",
        "events": events_shown,
        "event_rows": event_rows,
        "event_items": event_items(event_rows),
        "total_events": paginator.count,
    }


def _page_query(request: HttpRequest, number: object) -> str:
    """The query string of another page of the chronology, as ``{% querystring page=n %}``
    writes it: the request's parameters with ``page`` replaced."""
    params = request.GET.copy()
    params["page"] = str(number)
    return f"?{params.urlencode()}"


def _relationships(person: Person) -> list[Relationship]:
    """Both directions in one query: "A is parent of B" is on A's page and on B's."""
    return list(
        Relationship.objects.filter(Q(relative=person) | Q(person=person)).select_related(
            "person", "relative", "source_agency"
        )
    )


def _family(user: User, person: Person, both: list[Relationship]) -> list[FamilyMember]:
    pairs: list[tuple[Relationship, Person, str]] = [
        (r, r.person, r.get_kind_display()) for r in both if r.relative_id == person.pk
    ]
    pairs += [
        (r, r.relative, _INVERSE_KIND[RelationshipKind(r.kind)])
        for r in both
        if r.person_id == person.pk
    ]
    if not pairs:
        return []
    visible = set(
        visible_to(user)
        .filter(pk__in=[other.pk for _, other, _ in pairs])
        .values_list("pk", flat=True)
    )
    members = [
        FamilyMember(
            person=other,
            relationship=label,
            lives_with=r.lives_with,
            started_on=r.started_on,
            ended_on=r.ended_on,
            source_agency=r.source_agency.name if r.source_agency else "",
            visible=other.pk in visible,
        )
        for r, other, label in pairs
    ]
    # Current relationships first, those living with the child first among them.
    return sorted(
        members,
        key=lambda m: (not m.is_current, not m.lives_with, m.person.family_name, m.person.pk),
    )


def _involvements(person: Person) -> list[Involvement]:
    return list(person.involvements.select_related("agency", "practitioner", "practitioner__team"))


_STATUS_COLOURS = {
    StatusKind.CHILD_IN_NEED: "blue",
    StatusKind.CHILD_PROTECTION: "red",
    StatusKind.LOOKED_AFTER: "purple",
}


def _status_rows(periods: list[StatusPeriod], today: dt.date) -> list[StatusRow]:
    """One row per kind of status, with the period current today (the latest if several)."""
    rows = []
    for kind in StatusKind:
        current = [p for p in periods if p.kind == kind and p.is_current_on(today)]
        latest = max(current, key=lambda p: p.started_on) if current else None
        rows.append(StatusRow(label=kind.label, period=latest, colour=_STATUS_COLOURS[kind]))
    return rows


def _counts(record: Record) -> list[CountsRow]:
    return [
        CountsRow(agency=row.name, counts=[row.counts[months] for months in WINDOWS_MONTHS])
        for row in record.counts_by_agency()
    ]


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def add_to_chronology(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """ "Add to the chronology" from the child's page: one event of the practitioner's
    agency, through ``chronology.actions.append_event``. The record is opened (and the
    opening audited) as for the child's page; the event's own audit row says what was added."""
    user = _user(request)
    origin = Origin.from_request(request)
    record = open_record(
        user, public_id, intent=Intent.VIEW_RECORD, origin=origin, detail={"for": "add_event"}
    )
    person = record.person
    kind = user.agency.kind if user.agency else ""
    form = ChronologyEntryForm(request.POST or None, agency_kind=kind)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            append_event(
                actor=user,
                person=person,
                category=data["category"],
                summary=data["summary"],
                occurred_at=start_of_day(data["occurred_on"]),
                date_only=True,
                significance=data["significance"],
                origin=origin,
            )
        except EntryRefusedError as refused:
            field = refused.field if refused.field in form.fields else None
            form.add_error(field, str(refused))
        else:
            messages.success(request, "Added to the chronology")
            return HttpResponseRedirect(
                reverse("person-detail", kwargs={"public_id": person.public_id}) + "#chronology"
            )
    return render(
        request,
        "people/add_to_chronology.html",
        {"person": person, "form": form, "agency": user.agency},
        status=400 if form.errors else 200,
    )
