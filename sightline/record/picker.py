"""The one picker for people, workers, teams and agencies: search, then choose.

A form field (``PickField``) shows a search box and a "Search" button; the results come
back as radios on the same page, and the person filling in the form chooses one. Nobody
types an identifier: the value a radio carries is the form's business, and what is
chosen is looked up again, among what the searcher may offer, when the form is sent.
Without JavaScript it works as a plain form; a form that mixes in ``PickingFormMixin``
is not validated while someone is only searching (its view re-shows it).

Searchers say what may be offered (the scope): users (``WorkerSearcher``: those of one
agency, or a narrower queryset such as those who may chair a meeting), teams, agencies
(of one kind: the partnership's police force), or people
from the case (the child's family the user may see) and people found through the
record's search (``record.search``: the minimum criteria, the rate limit and the audit
row apply, as on the search page). A person found by a search is offered under a key
signed for this user (``django.core.signing``), so a person can be chosen only if a
search of theirs offered them; on submit their record is checked again (``visible_to``).
A user, team or agency is offered under its key and looked up again within the scope
when the form is sent, so a key slipped into the form (tampered, or out of scope) is
refused. A short scope (``few``) is offered as radios without a search, as GOV.UK
suggests for a handful of options.

Text searched for but nothing chosen never submits: the error names what to choose, and
says so when the text matched nobody ("No team matches “xyz”: ...").
"""

import datetime as dt
import enum
import re
import uuid
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from django import forms
from django.core import signing
from django.db.models import Q, QuerySet
from django.forms.utils import ErrorDict

from sightline.accounts.models import User
from sightline.agencies.models import Agency, Team
from sightline.audit.actions import Origin
from sightline.people import normalise
from sightline.people.models import Person
from sightline.record.queries import visible_to
from sightline.record.search import (
    SearchCriteria,
    SearchRateLimitedError,
    criteria_problem,
    search_people,
)

# The button that searches: its value names the field being searched.
PICK_BUTTON = "pick"
MAX_RESULTS = 20


@dataclass(frozen=True)
class Option:
    """One result: the value its radio carries, what it says, and a line under it."""

    key: str
    label: str
    hint: str = ""


class Searcher(Protocol):
    @property
    def noun(self) -> str:
        """What is searched for ("social worker", "person"), for messages."""
        ...

    def search(self, text: str) -> tuple[list[Option], str]:
        """The options matching ``text``, and a message when there are none."""
        ...

    def offered(self) -> list[Option]:
        """What is offered before any search (the child's family), else nothing."""
        ...

    def get(self, key: str) -> object | None:
        """The object behind ``key`` if this searcher may offer it, else None."""
        ...


def _words(text: str) -> list[str]:
    return [word for word in re.split(r"\s+", text.strip()) if word]


def _name_filter(words: Sequence[str], *fields: str) -> Q:
    """Every word in one of ``fields``."""
    query = Q()
    for word in words:
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": word})
        query &= any_field
    return query


def _results(noun: str, text: str, options: list[Option]) -> tuple[list[Option], str]:
    """At most ``MAX_RESULTS`` (``options`` holds one more if there are more), and what to
    try when there are none or too many."""
    if not options:
        return [], (
            f"No {noun} matches “{text.strip()}”. Check the spelling or enter part of the name only."
        )
    if len(options) > MAX_RESULTS:
        return options[:MAX_RESULTS], (
            f"More than {MAX_RESULTS} match: the first {MAX_RESULTS} are shown. Add more of "
            "the name to find the one you want."
        )
    return options, ""


@dataclass(frozen=True)
class WorkerSearcher:
    """Active users of ``agency`` (a team's members, a manager), by name or team.
    ``within``: only these users (who may own an action, chair a meeting); ``few``: offer
    them all without a search when there are no more than this many."""

    agency_id: int | None
    noun: str = "worker"
    within: QuerySet[User] | None = None
    few: int = 0

    def _users(self) -> QuerySet[User]:
        users = (User.objects.all() if self.within is None else self.within).filter(is_active=True)
        users = users.select_related("team", "agency")
        return users.filter(agency_id=self.agency_id) if self.agency_id else users

    def offered(self) -> list[Option]:
        if not self.few:
            return []
        users = list(self._users().order_by("last_name", "first_name", "pk")[: self.few + 1])
        return [_user_option(user) for user in users] if len(users) <= self.few else []

    def search(self, text: str) -> tuple[list[Option], str]:
        words = _words(text)
        if not words:
            return [], f"Enter part of the {self.noun}'s name"
        found = self._users().filter(
            _name_filter(words, "first_name", "last_name", "team__name", "username")
        )
        found = found.order_by("last_name", "first_name", "pk")[: MAX_RESULTS + 1]
        return _results(self.noun, text, [_user_option(user) for user in found])

    def get(self, key: str) -> User | None:
        return self._users().filter(pk=int(key)).first() if key.isdigit() else None


def _user_option(user: User) -> Option:
    name = user.get_full_name() or user.username
    details = [
        user.job_title,
        user.team.name if user.team else "",
        user.agency.name if user.agency else "",
    ]
    return Option(key=str(user.pk), label=name, hint=", ".join(part for part in details if part))


@dataclass(frozen=True)
class TeamSearcher:
    """Teams (of ``agency_id``), by team or agency name, except ``exclude`` (the team a
    referral comes from); ``few`` as for ``WorkerSearcher``."""

    agency_id: int | None = None
    noun: str = "team"
    exclude: int | None = None
    few: int = 0

    def _teams(self) -> QuerySet[Team]:
        teams = Team.objects.select_related("agency")
        if self.exclude is not None:
            teams = teams.exclude(pk=self.exclude)
        return teams.filter(agency_id=self.agency_id) if self.agency_id else teams

    def offered(self) -> list[Option]:
        if not self.few:
            return []
        teams = list(self._teams().order_by("agency__name", "name", "pk")[: self.few + 1])
        return [_team_option(team) for team in teams] if len(teams) <= self.few else []

    def search(self, text: str) -> tuple[list[Option], str]:
        words = _words(text)
        if not words:
            return [], f"Enter part of the {self.noun}'s name"
        found = self._teams().filter(_name_filter(words, "name", "agency__name"))
        found = found.order_by("agency__name", "name", "pk")[: MAX_RESULTS + 1]
        return _results(self.noun, text, [_team_option(team) for team in found])

    def get(self, key: str) -> Team | None:
        return self._teams().filter(pk=int(key)).first() if key.isdigit() else None


def _team_option(team: Team) -> Option:
    return Option(str(team.pk), team.name, team.agency.name)


@dataclass(frozen=True)
class AgencySearcher:
    """Agencies (of ``kind``: the partnership's police force; or of any of ``also`` too),
    by name; ``few`` as for ``WorkerSearcher``."""

    noun: str = "agency"
    kind: str = ""
    few: int = 0
    also: tuple[str, ...] = ()

    def _agencies(self) -> QuerySet[Agency]:
        agencies = Agency.objects.all()
        return agencies.filter(kind__in=[self.kind, *self.also]) if self.kind else agencies

    def offered(self) -> list[Option]:
        if not self.few:
            return []
        agencies = list(self._agencies().order_by("name", "pk")[: self.few + 1])
        return [_agency_option(a) for a in agencies] if len(agencies) <= self.few else []

    def search(self, text: str) -> tuple[list[Option], str]:
        words = _words(text)
        if not words:
            return [], f"Enter part of the {self.noun}'s name"
        found = self._agencies().filter(_name_filter(words, "name")).order_by("name", "pk")
        return _results(self.noun, text, [_agency_option(a) for a in found[: MAX_RESULTS + 1]])

    def get(self, key: str) -> Agency | None:
        return self._agencies().filter(pk=int(key)).first() if key.isdigit() else None


def _agency_option(agency: Agency) -> Option:
    return Option(str(agency.pk), agency.name, agency.get_kind_display())


_POSTCODE_AT_END = re.compile(r"\s+([A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2})$")
_DATE_AT_END = re.compile(r"\s+(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})$")
_NHS_NUMBER = re.compile(r"^[\d\s-]{10,14}$")
# How long a person found by a search stays choosable on the form that searched.
FOUND_FOR_SECONDS = 12 * 60 * 60


def person_criteria(text: str, *, postcode: str = "") -> SearchCriteria:
    """A name, then optionally a postcode or a date of birth ("Jo Bloggs LS1 4AP",
    "Jo Bloggs 3/4/1990"); without either, ``postcode`` (the child's) is searched. An
    NHS number alone ("999 123 4567") is searched as an NHS number."""
    text = " ".join(text.split())
    if _NHS_NUMBER.match(text):
        digits = normalise.nhs_digits(text)
        if normalise.is_valid_nhs_number(digits):
            return SearchCriteria(nhs_number=digits)
    date_of_birth = None
    if found := _DATE_AT_END.search(text):
        day, month, year = (int(part) for part in found.groups())
        try:
            date_of_birth = dt.date(year, month, day)
        except ValueError:
            date_of_birth = None
        else:
            text = text[: found.start()]
    elif (found := _POSTCODE_AT_END.search(text)) and normalise.is_valid_postcode(found.group(1)):
        postcode = found.group(1)
        text = text[: found.start()]
    if date_of_birth is not None:
        postcode = ""
    return SearchCriteria(
        name=text.strip(),
        date_of_birth=date_of_birth,
        nhs_number="",
        postcode=normalise.postcode(postcode) if postcode else "",
    )


class Reach(enum.Enum):
    """Whom a person search may offer."""

    # People whose record the user may see (``record.queries.visible_to``): the default.
    RECORD = "record"
    # Anyone the search finds, shown as the search shows them (name and date of birth,
    # no postcode): recording a family member whose record the worker does not hold yet.
    IDENTITY = "identity"


def _born(person: Person) -> str:
    born = person.date_of_birth
    return f"born {born.day} {born:%B %Y}" if born else ""


def _person_hint(person: Person, *, postcode: str) -> str:
    return ", ".join(part for part in (_born(person), postcode) if part)


@dataclass(frozen=True)
class PersonSearcher:
    """People from the case (``case``: the person and why they are offered, "Family:
    mother"), then people found by the record's search, as the search page finds them
    (audited, rate limited), except ``exclude`` (the child). With ``Reach.RECORD`` only
    people whose record ``user`` may see are offered or accepted."""

    user: User
    origin: Origin
    postcode: str = ""
    exclude: int | None = None
    case: tuple[tuple[Person, str], ...] = ()
    reach: Reach = Reach.RECORD
    noun: str = "person"

    @property
    def _signer(self) -> signing.TimestampSigner:
        return signing.TimestampSigner(salt=f"sightline.record.picker:{self.user.pk}:{self.noun}")

    def _case_people(self) -> dict[str, tuple[Person, str]]:
        return {
            str(person.public_id): (person, why)
            for person, why in self.case
            if person.pk != self.exclude
        }

    def offered(self) -> list[Option]:
        return [
            Option(key, person.full_name or "Name not known", why)
            for key, (person, why) in self._case_people().items()
        ]

    def search(self, text: str) -> tuple[list[Option], str]:
        criteria = person_criteria(text, postcode=self.postcode)
        if criteria_problem(criteria) is not None:
            return [], (
                "Enter at least 2 letters of each name, then a date of birth (for example "
                "“Jo Bloggs 3/4/1990”) or a postcode"
                + (" if they do not live at the child's postcode" if self.postcode else "")
                + "; or enter their NHS number"
            )
        try:
            outcome = search_people(self.user, criteria, origin=self.origin)
        except SearchRateLimitedError as error:
            minutes = max(1, error.retry_after // 60)
            return [], (
                f"You have searched many times in a short while. Try again in {minutes} "
                f"minute{'s' if minutes > 1 else ''}"
                + (", or choose from the people listed." if self.case else ".")
            )
        in_case = self._case_people()
        reachable = [
            found
            for found in outcome.results
            if found.person.pk != self.exclude
            and (found.relationship or self.reach is Reach.IDENTITY)
        ]
        options = [
            Option(
                key=self._signer.sign(str(found.public_id)),
                label=found.person.full_name or "Name not known",
                hint=_person_hint(found.person, postcode=found.postcode),
            )
            for found in reachable
            if str(found.public_id) not in in_case
        ]
        if reachable:
            return options, ""
        hidden = len([f for f in outcome.results if f.person.pk != self.exclude]) - len(reachable)
        ask = (
            f" {hidden} {'person matches' if hidden == 1 else 'people match'} whose record you "
            "may not see: ask their allocated worker."
            if hidden
            else ""
        )
        return [], (
            f"Nobody you may choose matches “{text.strip()}”.{ask} Check the spelling, give "
            "the family name alone, or add their date of birth (for example 3/4/1990) or "
            "their postcode; or search with their NHS number."
        )

    def get(self, key: str) -> Person | None:
        # Someone offered from the case, or found by a search of this user's: nobody else.
        if key in (in_case := self._case_people()):
            public_id = key
        else:
            try:
                public_id = self._signer.unsign(key, max_age=FOUND_FOR_SECONDS)
            except signing.BadSignature:
                return None
        try:
            uuid.UUID(public_id)
        except ValueError:
            return None
        people = (
            visible_to(self.user)
            if self.reach is Reach.RECORD or public_id in in_case
            else Person.objects.all()
        )
        person = people.filter(public_id=public_id, merged_into__isnull=True).first()
        return person if person is not None and person.pk != self.exclude else None

    def option(self, key: str, person: Person) -> Option:
        """The option for ``person``, chosen earlier under ``key``."""
        case = self._case_people().get(key)
        if case is not None:
            return Option(key, person.full_name or "Name not known", case[1])
        visible = self.reach is Reach.RECORD
        return Option(
            key,
            person.full_name or "Name not known",
            _person_hint(person, postcode=person.postcode if visible else ""),
        )


class PickWidget(forms.Widget):
    """A search box, a Search button and, once searched, the results as radios."""

    template_name = "forms/govuk/widgets/pick.html"
    use_fieldset = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.options: list[Option] = []
        self.message = ""
        self.search_label = "Search"
        self.noun = "one"
        # This picker's Search button sent the form: its results take the focus.
        self.searched = False

    def value_from_datadict(self, data: Any, files: Any, name: str) -> tuple[str, str]:
        return (str(data.get(f"{name}-q", "")), str(data.get(name, "")))

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return f"{name}-q" not in data and name not in data

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_q" if id_ else id_

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        text, chosen = (
            value if isinstance(value, tuple) else ("", "" if value is None else str(value))
        )
        base_id = context["widget"]["attrs"].get("id", name)
        context["widget"].update(
            {
                "text": text,
                "chosen": chosen,
                "options": [
                    {"option": option, "id": f"{base_id}_{index}", "checked": option.key == chosen}
                    for index, option in enumerate(self.options)
                ],
                "message": self.message,
                "search_label": self.search_label,
                "noun": self.noun,
                "button": PICK_BUTTON,
                "in_error": context["widget"]["attrs"].get("aria-invalid") == "true",
                "searched": self.searched,
            }
        )
        return context


class PickField(forms.Field):
    """Search, then choose: cleans to the chosen object (a ``User``, ``Team``, ``Agency``
    or ``Person``), looked up again through the searcher."""

    widget = PickWidget

    def __init__(self, *, noun: str, search_label: str = "", **kwargs: Any) -> None:
        self.noun = noun
        self.searcher: Searcher | None = None
        one = f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"
        messages = {
            "required": f"Search for and choose {one}",
            "invalid": f"Choose {one} from the search results",
            # Not SQL: the message for text searched for but nobody chosen.
            "not_chosen": f"Select Search, then choose {one} from the results",  # noqa: S608
            # Text that matches nobody: it never submits.
            "no_match": f"No {noun} matches “%(text)s”: search again, then choose {one} "
            "from the results",
            **kwargs.pop("error_messages", {}),
        }
        super().__init__(error_messages=messages, **kwargs)
        # Set by ``PickingFormMixin.set_searchers``: whether the text sent matched anyone.
        self.matched: bool | None = None
        widget = self.widget
        assert isinstance(widget, PickWidget)  # noqa: S101 - set just above
        widget.noun = noun
        widget.search_label = search_label or f"Search for {one}"

    def clean(self, value: Any) -> Any:
        text, key = value if isinstance(value, tuple) else ("", "")
        if self.searcher is None:  # pragma: no cover - PickingFormMixin sets it
            raise forms.ValidationError("Nothing to choose from")
        if key:
            chosen = self.searcher.get(key)
            if chosen is None:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            return chosen
        if text.strip():
            if self.matched is False:
                raise forms.ValidationError(
                    self.error_messages["no_match"], code="no_match", params={"text": text.strip()}
                )
            raise forms.ValidationError(self.error_messages["not_chosen"], code="not_chosen")
        if self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return None


class PickingFormMixin:
    """For forms with ``PickField``s: give each its searcher (``searchers``), run the
    search the "Search" button asked for, and skip validation while only searching
    (``picking``: the view re-shows the form, with no errors)."""

    fields: dict[str, forms.Field]
    data: Any
    initial: MutableMapping[str, Any]
    is_bound: bool
    add_prefix: Any
    _errors: ErrorDict | None
    cleaned_data: dict[str, Any]
    pick_fields: ClassVar[tuple[str, ...]] = ()

    def set_searchers(self, searchers: dict[str, Searcher]) -> None:
        for name, searcher in searchers.items():
            field = self.fields[name]
            assert isinstance(field, PickField)  # noqa: S101 - a programming error
            field.searcher = searcher
            widget = field.widget
            assert isinstance(widget, PickWidget)  # noqa: S101
            widget.options = searcher.offered()
            widget.message = ""
            widget.searched = False
            field.matched = None
            if not self.is_bound:
                self._offer_initial(name, field, searcher)
                continue
            text = str(self.data.get(f"{self.add_prefix(name)}-q", "")).strip()
            chosen = str(self.data.get(self.add_prefix(name), ""))
            widget.searched = self.data.get(PICK_BUTTON) == self.add_prefix(name)
            if text:
                found_options, widget.message = searcher.search(text)
                widget.options = [*widget.options, *found_options]
                field.matched = bool(found_options)
            if chosen and all(option.key != chosen for option in widget.options):
                found = searcher.get(chosen)
                if found is not None:
                    widget.options = [_option_of(searcher, found, chosen), *widget.options]

    def _offer_initial(self, name: str, field: PickField, searcher: Searcher) -> None:
        """An unbound form's initial choice (a user, team or agency, or its key: the
        meeting's chair is the user by default) is offered, chosen, if in scope."""
        initial = self.initial.get(name, field.initial)
        if initial is None or initial == "":
            return
        key = str(initial.pk) if isinstance(initial, User | Team | Agency) else str(initial)
        self.initial[name] = key
        widget = field.widget
        assert isinstance(widget, PickWidget)  # noqa: S101
        if any(option.key == key for option in widget.options):
            return
        found = searcher.get(key)
        if found is None:
            del self.initial[name]
        else:
            widget.options = [_option_of(searcher, found, key), *widget.options]

    @property
    def picking(self) -> bool:
        return self.is_bound and bool(self.data.get(PICK_BUTTON))

    def full_clean(self) -> None:
        if self.picking:
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()  # type: ignore[misc]


def _option_of(searcher: Searcher, found: object, key: str) -> Option:
    if isinstance(searcher, PersonSearcher) and isinstance(found, Person):
        return searcher.option(key, found)
    if isinstance(found, User):
        return _user_option(found)
    if isinstance(found, Team):
        return _team_option(found)
    if isinstance(found, Agency):
        return _agency_option(found)
    return Option(key, str(found))
