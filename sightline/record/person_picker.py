"""The one people picker: a person is chosen from the case or found by the one search
(``record.forms.PersonSearchForm`` and ``record.search.search_people``: the minimum
criteria, the rate limit, one audit row per search), never typed as an identifier.

A form that needs a person has a ``PersonChoiceField``; the view builds a ``Picker`` from
the request and gives its choices to the field. Searching re-shows the form with what was
found; only someone offered (from the case or found, and whose record the user may see)
can be chosen, so text that matches nobody never submits.
"""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import HttpRequest, QueryDict

from sightline.accounts.models import User
from sightline.audit.actions import Origin
from sightline.people.models import Person
from sightline.record.forms import PersonSearchForm
from sightline.record.queries import visible_to
from sightline.record.search import SearchRateLimitedError, search_people

# The name of the search button: a form posted with it searches, and does not submit.
SEARCH_BUTTON = "find-person"
PREFIX = "find"


@dataclass(frozen=True)
class Candidate:
    public_id: uuid.UUID
    label: str
    hint: str


def _label(person: Person) -> str:
    born = f", born {person.date_of_birth:%-d %B %Y}" if person.date_of_birth else ""
    return f"{person.full_name or 'Name not known'}{born}"


@dataclass
class Picker:
    """What the picker shows: the search form, the people offered, and what the search
    found or why it found nobody (with what to try)."""

    search: PersonSearchForm
    offered: list[Candidate] = field(default_factory=list)
    searched: bool = False
    found_nobody: bool = False
    not_shown: int = 0
    refusal: str = ""

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(str(c.public_id), c.label) for c in self.offered]

    @property
    def hints(self) -> dict[str, str]:
        return {str(c.public_id): c.hint for c in self.offered}


def searching(request: HttpRequest) -> bool:
    """The form was posted with the picker's search button: search, do not submit."""
    return SEARCH_BUTTON in request.POST


def build_picker(
    request: HttpRequest,
    user: User,
    *,
    case: Iterable[tuple[Person, str]] = (),
    keep: Sequence[str] = (),
    origin: Origin,
) -> Picker:
    """The picker for this request: ``case`` (person, why they are offered: "Sibling",
    "The child") first, then, when the search button was pressed, the people found whose
    record ``user`` may see. The people posted in the fields named ``keep`` (chosen from
    an earlier search) stay offered, if ``user`` may see them."""
    data: QueryDict = request.POST
    posted = request.method == "POST"
    search = PersonSearchForm(data if posted and searching(request) else None, prefix=PREFIX)
    offered: dict[uuid.UUID, Candidate] = {}
    for person, why in case:
        offered.setdefault(person.public_id, Candidate(person.public_id, _label(person), why))
    picker = Picker(search=search)
    if posted and searching(request):
        picker.searched = True
        if search.is_valid():
            try:
                outcome = search_people(user, search.criteria(), origin=origin)
            except SearchRateLimitedError as error:
                minutes = max(1, error.retry_after // 60)
                picker.refusal = (
                    f"You have searched many times in a short while. Try again in {minutes} "
                    f"minute{'s' if minutes > 1 else ''}, or choose from the people listed."
                )
            else:
                shown = [found for found in outcome.results if found.relationship]
                picker.not_shown = len(outcome.results) - len(shown)
                picker.found_nobody = not shown
                for found in shown:
                    offered.setdefault(
                        found.public_id, Candidate(found.public_id, _label(found.person), "Found")
                    )
    # Someone chosen from an earlier search: still offered (if the user may see them).
    kept = _posted_ids([v for name in keep for v in data.getlist(name)]) if posted else []
    for person in visible_to(user).filter(public_id__in=kept).exclude(public_id__in=offered):
        offered[person.public_id] = Candidate(person.public_id, _label(person), "Found")
    picker.offered = list(offered.values())
    return picker


def _posted_ids(values: Sequence[str]) -> list[uuid.UUID]:
    ids = []
    for value in values:
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            continue
    return ids


class PersonChoiceField(forms.ChoiceField):
    """A person offered by the picker, as their public id; the view gives the choices
    (``Picker.choices``) and reads the person through ``visible_to``."""

    widget = forms.RadioSelect

    def __init__(self, *, nobody: str, **kwargs: Any) -> None:
        kwargs.setdefault(
            "error_messages",
            {
                "required": nobody,
                "invalid_choice": "Choose one of the people listed: search again if the "
                "person is not there.",
            },
        )
        super().__init__(choices=[], **kwargs)


def without_errors(form: forms.Form) -> forms.Form:
    """``form`` bound to what was posted, shown again after a search without the errors
    of a submission nobody made yet."""
    form.errors.clear()  # cleans the form, then forgets what it found wrong
    return form


def chosen(user: User, public_id: str) -> Person | None:
    """The person picked, if ``user`` may see them (the picker offers no one else)."""
    ids = _posted_ids([public_id])
    return visible_to(user).filter(public_id=ids[0]).first() if ids else None
