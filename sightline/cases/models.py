"""The case itself, in the national vocabulary (CIN census, SSDA903, the Standard
Safeguarding Dataset): episodes of need and what happens in them, child protection
plans, looked-after episodes, allocations and core groups.

Nothing is overwritten. A correction is a new row that ``supersedes`` the old one (the
old row keeps its values and gains ``superseded_by``); a row recorded in error, or one
that vanished from an authority's re-imported return, is ``withdrawn`` with a reason. The
current view (``CaseQuerySet.current``) excludes both. Rows that hang off a corrected
row (an episode's assessments, a plan's reviews) follow the current version
(``cases.actions.correct``).

Each row says which agency recorded it, who recorded it, where it came from (``source``:
``sightline`` or an import run such as ``cin-census:2026:run-12``) and the identifier
it has there (``external_id``: ``LAchildID`` plus the element's dates, the 903 ``CHILD``
and ``DECOM`` ...) so that a re-import can find it again.

Codes are stored as the DfE's codes and checked against ``sightline.returns.codes`` (one
list, no copy) in ``clean()``, which every action calls (``full_clean``). Field names
follow the census and the 903 where they can: ``referral_date`` is ``CINreferralDate``,
``decom`` is ``DECOM``.

Every write goes through ``cases.actions``.
"""

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from sightline.agencies.models import Agency, Team
from sightline.core import dates
from sightline.people.models import Person, StatusPeriod
from sightline.returns import codes

SIGHTLINE_SOURCE = "sightline"
# The earliest date a case record may carry: older is a typing mistake, not history.
EARLIEST_DATE = dt.date(1900, 1, 1)


class CaseQuerySet(models.QuerySet[Any]):
    def current(self) -> "CaseQuerySet":
        """Rows no correction has superseded and nobody has withdrawn."""
        return self.filter(superseded_by__isnull=True, withdrawn_at__isnull=True)

    def for_child(self, child: Person | int) -> "CaseQuerySet":
        return self.filter(child=child)


class CaseRecord(models.Model):
    """What every case row carries: provenance and its place in the row's history."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recording_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=100, default=SIGHTLINE_SOURCE)
    external_id = models.CharField(max_length=200, blank=True, db_index=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    correction_reason = models.CharField(max_length=500, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.CharField(max_length=500, blank=True)
    supersedes_id: int | None
    recording_agency_id: int

    objects = CaseQuerySet.as_manager()

    # Fields a correction may change (``cases.actions.correct``); the rest is identity.
    CORRECTABLE: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    @property
    def is_current(self) -> bool:
        return self.withdrawn_at is None and not hasattr(self, "superseded_by")


# -- validation helpers (``clean``) ------------------------------------------------------


def check_code(
    errors: dict[str, list[str]],
    field: str,
    value: str,
    known: Mapping[str, str] | frozenset[str],
    label: str,
    *,
    required: bool = True,
) -> None:
    if not value:
        if required:
            errors.setdefault(field, []).append(f"Enter the {label}.")
        return
    if value not in known:
        errors.setdefault(field, []).append(f"{value!r} is not a known {label} code.")


def check_date(errors: dict[str, list[str]], field: str, value: dt.date | None, label: str) -> None:
    if value is None:
        return
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        errors.setdefault(field, []).append(f"Enter the {label} as a date.")
    elif value < EARLIEST_DATE or value > timezone.localdate() + dt.timedelta(days=366):
        errors.setdefault(field, []).append(f"{dates.long_date(value)} is not a possible {label}.")


def check_order(
    errors: dict[str, list[str]],
    end_field: str,
    start: dt.date | None,
    end: dt.date | None,
    end_label: str,
    start_label: str,
) -> None:
    if start is not None and end is not None and end < start:
        errors.setdefault(end_field, []).append(
            f"The {end_label} ({dates.long_date(end)}) is before the {start_label} "
            f"({dates.long_date(start)})."
        )


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _ordered(end: str, start: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": F(start)}), name=name
    )


# -- children in need ---------------------------------------------------------------------


class EpisodeOfNeed(CaseRecord):
    """A CIN episode: from referral to closure (CIN census ``CINdetails``;
    SSD ``ssd_cin_episodes``)."""

    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="episodes_of_need")
    referral_date = models.DateField()  # CINreferralDate
    referral_source = models.CharField(max_length=4)  # ReferralSource
    primary_need = models.CharField(max_length=2, blank=True)  # PrimaryNeedCode
    referral_nfa = models.BooleanField(default=False)  # ReferralNFA
    closure_date = models.DateField(null=True, blank=True)  # CINclosureDate
    closure_reason = models.CharField(max_length=4, blank=True)  # ReasonForClosure
    date_of_initial_cpc = models.DateField(null=True, blank=True)  # DateOfInitialCPC
    # The referral in Sightline that opened it, when it came through one.
    referral = models.ForeignKey(
        "sharing.Referral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="episodes_of_need",
    )

    CORRECTABLE = (
        "referral_date",
        "referral_source",
        "primary_need",
        "referral_nfa",
        "closure_date",
        "closure_reason",
        "date_of_initial_cpc",
    )

    class Meta:
        ordering = ["-referral_date", "-id"]
        verbose_name_plural = "episodes of need"
        indexes = [models.Index(fields=["child", "referral_date"], name="cin_episode_child_idx")]
        constraints = [_ordered("closure_date", "referral_date", "cin_episode_dates_ordered")]

    def __str__(self) -> str:
        return f"Episode of need from {self.referral_date:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.closure_date is None

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        check_date(errors, "referral_date", self.referral_date, "referral date")
        check_date(errors, "closure_date", self.closure_date, "closure date")
        check_date(
            errors, "date_of_initial_cpc", self.date_of_initial_cpc, "initial conference date"
        )
        check_code(
            errors,
            "referral_source",
            self.referral_source,
            codes.REFERRAL_SOURCE,
            "referral source",
        )
        check_code(
            errors,
            "primary_need",
            self.primary_need,
            codes.PRIMARY_NEED,
            "primary need",
            required=False,
        )
        check_code(
            errors,
            "closure_reason",
            self.closure_reason,
            codes.CLOSURE_REASON,
            "reason for closure",
            required=False,
        )
        check_order(
            errors,
            "closure_date",
            self.referral_date,
            self.closure_date,
            "closure date",
            "referral date",
        )
        check_order(
            errors,
            "date_of_initial_cpc",
            self.referral_date,
            self.date_of_initial_cpc,
            "initial conference date",
            "referral date",
        )
        if self.closure_date is not None and not self.closure_reason:
            errors.setdefault("closure_reason", []).append("Give the reason for closure.")
        if self.closure_reason and self.closure_date is None:
            errors.setdefault("closure_date", []).append("Give the closure date.")
        _raise(errors)


class EpisodePart(CaseRecord):
    """A row within an episode of need: it belongs to the child of its episode."""

    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey(EpisodeOfNeed, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True

    def _check_episode(self, errors: dict[str, list[str]], day: dt.date | None) -> None:
        if self.child_id is None:
            errors.setdefault("child", []).append("Choose the child.")
            return
        if self.episode_id is None:
            errors.setdefault("episode", []).append("Choose the episode of need.")
            return
        episode = self.episode
        if episode.child_id != self.child_id:
            errors.setdefault("episode", []).append("The episode of need is another child's.")
        if day is not None and day < episode.referral_date:
            errors.setdefault("episode", []).append(
                f"This is before the episode's referral ({episode.referral_date:%Y-%m-%d})."
            )


class CINAssessment(EpisodePart):
    """A child and family assessment (CIN census ``Assessments``; SSD
    ``ssd_cin_assessments`` and ``ssd_assessment_factors``)."""

    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cin_assessments")
    episode = models.ForeignKey(EpisodeOfNeed, on_delete=models.PROTECT, related_name="assessments")
    start_date = models.DateField()  # AssessmentActualStartDate
    internal_review_date = models.DateField(null=True, blank=True)  # AssessmentInternalReviewDate
    authorisation_date = models.DateField(null=True, blank=True)  # AssessmentAuthorisationDate
    factors = models.JSONField(default=list, blank=True)  # AssessmentFactors, codes
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    CORRECTABLE = (
        "start_date",
        "internal_review_date",
        "authorisation_date",
        "factors",
        "authorised_by",
    )

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [_ordered("authorisation_date", "start_date", "cin_assessment_dates_ordered")]

    def __str__(self) -> str:
        return f"Assessment from {self.start_date:%Y-%m-%d}"

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        self._check_episode(errors, self.start_date)
        check_date(errors, "start_date", self.start_date, "assessment start date")
        check_date(
            errors, "internal_review_date", self.internal_review_date, "internal review date"
        )
        check_date(errors, "authorisation_date", self.authorisation_date, "authorisation date")
        check_order(
            errors,
            "authorisation_date",
            self.start_date,
            self.authorisation_date,
            "authorisation date",
            "start date",
        )
        check_order(
            errors,
            "internal_review_date",
            self.start_date,
            self.internal_review_date,
            "internal review date",
            "start date",
        )
        if not isinstance(self.factors, list) or not all(isinstance(f, str) for f in self.factors):
            errors.setdefault("factors", []).append("Give the factors as a list of codes.")
        else:
            unknown = [f for f in self.factors if f not in codes.ASSESSMENT_FACTOR]
            if unknown:
                errors.setdefault("factors", []).append(
                    f"Not known assessment factor codes: {', '.join(map(repr, unknown))}."
                )
            if len(set(self.factors)) != len(self.factors):
                errors.setdefault("factors", []).append("A factor is given twice.")
            if self.authorisation_date is not None and not self.factors:
                errors.setdefault("factors", []).append(
                    "An authorised assessment names its factors (21: no factors identified)."
                )
        _raise(errors)


class CINPlan(EpisodePart):
    """A child in need plan (CIN census ``CINPlanDates``; SSD ``ssd_cin_plans``)."""

    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cin_plans")
    episode = models.ForeignKey(EpisodeOfNeed, on_delete=models.PROTECT, related_name="cin_plans")
    start_date = models.DateField()  # CINPlanStartDate
    end_date = models.DateField(null=True, blank=True)  # CINPlanEndDate
    status_period = models.ForeignKey(
        StatusPeriod, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    CORRECTABLE = ("start_date", "end_date")

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = "child in need plan"
        constraints = [_ordered("end_date", "start_date", "cin_plan_dates_ordered")]

    def __str__(self) -> str:
        return f"Child in need plan from {self.start_date:%Y-%m-%d}"

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        self._check_episode(errors, self.start_date)
        check_date(errors, "start_date", self.start_date, "plan start date")
        check_date(errors, "end_date", self.end_date, "plan end date")
        check_order(errors, "end_date", self.start_date, self.end_date, "end date", "start date")
        _raise(errors)


class StrategyOutcome(models.TextChoices):
    SECTION47 = "section47", "Start a section 47 enquiry"
    NO_SECTION47 = "no_section47", "No section 47 enquiry"


class StrategyDiscussion(EpisodePart):
    """A strategy discussion (SSD ``ssd_s47_enquiry`` holds its date as the enquiry's
    start; the census only the section 47 that follows)."""

    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="strategy_discussions")
    episode = models.ForeignKey(
        EpisodeOfNeed, on_delete=models.PROTECT, related_name="strategy_discussions"
    )
    date = models.DateField()
    outcome = models.CharField(max_length=16, choices=StrategyOutcome.choices)

    CORRECTABLE = ("date", "outcome")

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"Strategy discussion on {self.date:%Y-%m-%d}"

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        self._check_episode(errors, self.date)
        check_date(errors, "date", self.date, "date of the strategy discussion")
        if self.outcome not in StrategyOutcome.values:
            errors.setdefault("outcome", []).append(f"{self.outcome!r} is not a known outcome.")
        _raise(errors)


class Section47(EpisodePart):
    """A section 47 enquiry (CIN census ``Section47``; SSD ``ssd_s47_enquiry``)."""

    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="section47s")
    episode = models.ForeignKey(EpisodeOfNeed, on_delete=models.PROTECT, related_name="section47s")
    strategy_discussion = models.ForeignKey(
        StrategyDiscussion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="section47s",
    )
    start_date = models.DateField()  # S47ActualStartDate
    initial_cpc_target = models.DateField(null=True, blank=True)  # InitialCPCtarget
    date_of_initial_cpc = models.DateField(null=True, blank=True)  # DateOfInitialCPC
    icpc_not_required = models.BooleanField(default=False)  # ICPCnotRequired

    CORRECTABLE = ("start_date", "initial_cpc_target", "date_of_initial_cpc", "icpc_not_required")

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = "section 47 enquiry"
        verbose_name_plural = "section 47 enquiries"
        constraints = [
            _ordered("date_of_initial_cpc", "start_date", "s47_conference_after_start"),
            models.CheckConstraint(
                condition=Q(icpc_not_required=False) | Q(date_of_initial_cpc__isnull=True),
                name="s47_conference_or_not_required",
            ),
        ]

    def __str__(self) -> str:
        return f"Section 47 enquiry from {self.start_date:%Y-%m-%d}"

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        self._check_episode(errors, self.start_date)
        check_date(errors, "start_date", self.start_date, "section 47 start date")
        check_date(errors, "initial_cpc_target", self.initial_cpc_target, "conference target date")
        check_date(errors, "date_of_initial_cpc", self.date_of_initial_cpc, "conference date")
        check_order(
            errors,
            "initial_cpc_target",
            self.start_date,
            self.initial_cpc_target,
            "conference target date",
            "start date",
        )
        check_order(
            errors,
            "date_of_initial_cpc",
            self.start_date,
            self.date_of_initial_cpc,
            "conference date",
            "start date",
        )
        if self.icpc_not_required and self.date_of_initial_cpc is not None:
            errors.setdefault("icpc_not_required", []).append(
                "A conference was held: it cannot also be not required."
            )
        _raise(errors)


class ConferenceKind(models.TextChoices):
    INITIAL = "initial", "Initial child protection conference"
    REVIEW = "review", "Review child protection conference"


class ConferenceOutcome(models.TextChoices):
    PLAN = "plan", "Child protection plan"
    NO_PLAN = "no_plan", "No child protection plan"
    CONTINUE = "continue", "The plan continues"
    END_PLAN = "end_plan", "End the plan"


# Which outcomes each kind of conference may reach.
CONFERENCE_OUTCOMES: Mapping[str, frozenset[str]] = {
    ConferenceKind.INITIAL: frozenset({ConferenceOutcome.PLAN, ConferenceOutcome.NO_PLAN}),
    ConferenceKind.REVIEW: frozenset({ConferenceOutcome.CONTINUE, ConferenceOutcome.END_PLAN}),
}


class ChildProtectionConference(EpisodePart):
    """An initial or review child protection conference and its outcome (SSD
    ``ssd_initial_cp_conference``, ``ssd_cp_reviews``)."""

    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cp_conferences")
    episode = models.ForeignKey(EpisodeOfNeed, on_delete=models.PROTECT, related_name="conferences")
    section47 = models.ForeignKey(
        Section47, on_delete=models.PROTECT, null=True, blank=True, related_name="conferences"
    )
    plan = models.ForeignKey(
        "ChildProtectionPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conferences",
        help_text="The plan a review conference reviews, or the plan an initial one started.",
    )
    kind = models.CharField(max_length=8, choices=ConferenceKind.choices)
    date = models.DateField()
    outcome = models.CharField(max_length=8, choices=ConferenceOutcome.choices)

    CORRECTABLE = ("date", "outcome")

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.date:%Y-%m-%d}"

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        self._check_episode(errors, self.date)
        check_date(errors, "date", self.date, "conference date")
        if self.kind not in ConferenceKind.values:
            errors.setdefault("kind", []).append(f"{self.kind!r} is not a kind of conference.")
        elif self.outcome not in CONFERENCE_OUTCOMES[self.kind]:
            allowed = ", ".join(sorted(CONFERENCE_OUTCOMES[self.kind]))
            errors.setdefault("outcome", []).append(
                f"{self.outcome!r} is not an outcome of this conference; choose one of: {allowed}."
            )
        if self.kind == ConferenceKind.REVIEW and self.plan_id is None:
            errors.setdefault("plan", []).append("Choose the plan the conference reviews.")
        _raise(errors)


class ChildProtectionPlan(EpisodePart):
    """A child protection plan (CIN census ``ChildProtectionPlans``; SSD ``ssd_cp_plans``).

    While it is open the child is flagged: the plan keeps a ``people.StatusPeriod`` of kind
    child protection in step (``status_period``), which the flags, search and the
    12-month rule read."""

    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cp_plans")
    episode = models.ForeignKey(EpisodeOfNeed, on_delete=models.PROTECT, related_name="cp_plans")
    start_date = models.DateField()  # CPPstartDate
    end_date = models.DateField(null=True, blank=True)  # CPPendDate
    initial_category = models.CharField(max_length=3)  # InitialCategoryOfAbuse
    latest_category = models.CharField(max_length=3)  # LatestCategoryOfAbuse
    number_of_previous_cpp = models.PositiveSmallIntegerField(default=0)  # NumberOfPreviousCPP
    status_period = models.ForeignKey(
        StatusPeriod, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    CORRECTABLE = (
        "start_date",
        "end_date",
        "initial_category",
        "latest_category",
        "number_of_previous_cpp",
    )

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = "child protection plan"
        indexes = [models.Index(fields=["child", "start_date"], name="cp_plan_child_idx")]
        constraints = [_ordered("end_date", "start_date", "cp_plan_dates_ordered")]

    def __str__(self) -> str:
        return f"Child protection plan from {self.start_date:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.end_date is None

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        self._check_episode(errors, self.start_date)
        check_date(errors, "start_date", self.start_date, "plan start date")
        check_date(errors, "end_date", self.end_date, "plan end date")
        check_order(errors, "end_date", self.start_date, self.end_date, "end date", "start date")
        check_code(
            errors,
            "initial_category",
            self.initial_category,
            codes.CP_CATEGORY,
            "initial category of abuse",
        )
        check_code(
            errors,
            "latest_category",
            self.latest_category,
            codes.CP_CATEGORY,
            "latest category of abuse",
        )
        _raise(errors)


class ChildProtectionReview(CaseRecord):
    """A review of a child protection plan (CIN census ``Reviews/CPPreviewDate``)."""

    plan = models.ForeignKey(ChildProtectionPlan, on_delete=models.PROTECT, related_name="reviews")
    review_date = models.DateField()  # CPPreviewDate
    conference = models.ForeignKey(
        ChildProtectionConference,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    CORRECTABLE = ("review_date",)

    class Meta:
        ordering = ["review_date", "id"]

    def __str__(self) -> str:
        return f"Plan review on {self.review_date:%Y-%m-%d}"

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        check_date(errors, "review_date", self.review_date, "review date")
        if self.plan_id is not None:
            check_order(
                errors,
                "review_date",
                self.plan.start_date,
                self.review_date,
                "review date",
                "plan start date",
            )
        _raise(errors)


class CoreGroupMember(CaseRecord):
    """A member of the core group of a child protection plan: a family member, an agency,
    or a named practitioner (with their agency). A practitioner's membership gives them
    an ``access.CaseRelationship`` for as long as it lasts (``relationship``)."""

    plan = models.ForeignKey(
        ChildProtectionPlan, on_delete=models.PROTECT, related_name="core_group"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="core_groups"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Proposed from the agencies involved, until the worker confirms it.
    proposed = models.BooleanField(default=False)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    relationship = models.ForeignKey(
        "access.CaseRelationship",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    CORRECTABLE = ("started_on", "ended_on")

    class Meta:
        ordering = ["started_on", "id"]
        constraints = [
            _ordered("ended_on", "started_on", "core_group_dates_ordered"),
            models.CheckConstraint(
                condition=Q(person__isnull=False)
                | Q(agency__isnull=False)
                | Q(practitioner__isnull=False),
                name="core_group_member_is_someone",
            ),
        ]

    def __str__(self) -> str:
        who = self.practitioner or self.person or self.agency
        return f"Core group: {who}"

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.person_id is None and self.agency_id is None and self.practitioner_id is None:
            errors.setdefault("person", []).append(
                "Choose a family member, an agency or a practitioner."
            )
        check_date(errors, "started_on", self.started_on, "start date")
        check_date(errors, "ended_on", self.ended_on, "end date")
        check_order(errors, "ended_on", self.started_on, self.ended_on, "end date", "start date")
        _raise(errors)


# -- looked after -------------------------------------------------------------------------


class LookedAfterEpisode(CaseRecord):
    """A period with one legal status and one placement (SSDA903 ``Episodes``; SSD
    ``ssd_cla_episodes``, ``ssd_legal_status``, ``ssd_cla_placement``).

    A change of either is a new episode (``RNE``), the old one ending the same day with
    ``REC`` = ``X1``. One ``people.StatusPeriod`` of kind looked after spans a period of
    care, from the episode that started it (``RNE`` = ``S``) to the one that ended it."""

    child = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="looked_after_episodes"
    )
    decom = models.DateField()  # DECOM
    rne = models.CharField(max_length=1)  # RNE
    ls = models.CharField(max_length=2)  # LS
    cin = models.CharField(max_length=2)  # CIN (category of need, N1-N8)
    place = models.CharField(max_length=3)  # PLACE
    place_provider = models.CharField(max_length=3, blank=True)  # PLACE_PROVIDER
    dec = models.DateField(null=True, blank=True)  # DEC
    rec = models.CharField(max_length=3, blank=True)  # REC
    reason_place_change = models.CharField(max_length=6, blank=True)  # REASON_PLACE_CHANGE
    home_post = models.CharField(max_length=8, blank=True)  # HOME_POST
    pl_post = models.CharField(max_length=8, blank=True)  # PL_POST
    urn = models.CharField(max_length=8, blank=True)  # URN
    status_period = models.ForeignKey(
        StatusPeriod, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    CORRECTABLE = (
        "decom",
        "rne",
        "ls",
        "cin",
        "place",
        "place_provider",
        "dec",
        "rec",
        "reason_place_change",
        "home_post",
        "pl_post",
        "urn",
    )

    class Meta:
        ordering = ["-decom", "-id"]
        indexes = [models.Index(fields=["child", "decom"], name="lac_episode_child_idx")]
        constraints = [
            _ordered("dec", "decom", "lac_episode_dates_ordered"),
            models.CheckConstraint(
                condition=(Q(dec__isnull=True) & Q(rec="")) | (Q(dec__isnull=False) & ~Q(rec="")),
                name="lac_episode_end_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Looked-after episode from {self.decom:%Y-%m-%d} ({self.ls}, {self.place})"

    @property
    def is_open(self) -> bool:
        return self.dec is None

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        check_date(errors, "decom", self.decom, "episode start date")
        check_date(errors, "dec", self.dec, "episode end date")
        check_order(errors, "dec", self.decom, self.dec, "episode end date", "start date")
        check_code(errors, "rne", self.rne, codes.REASON_NEW_EPISODE, "reason for new episode")
        check_code(errors, "ls", self.ls, codes.LEGAL_STATUS, "legal status")
        check_code(errors, "cin", self.cin, codes.PRIMARY_NEED_903, "category of need")
        check_code(errors, "place", self.place, codes.PLACEMENT, "placement type")
        check_code(
            errors,
            "place_provider",
            self.place_provider,
            codes.PLACEMENT_PROVIDER,
            "placement provider",
            required=False,
        )
        check_code(
            errors,
            "rec",
            self.rec,
            codes.REASON_EPISODE_CEASED,
            "reason episode ceased",
            required=False,
        )
        if self.dec is not None and not self.rec:
            errors.setdefault("rec", []).append("Give the reason the episode ceased.")
        if self.rec and self.dec is None:
            errors.setdefault("dec", []).append("Give the date the episode ceased.")
        if self.child_id is None:
            errors.setdefault("child", []).append("Choose the child.")
        elif (
            self.decom is not None
            and "decom" not in errors
            and "dec" not in errors
            and not getattr(self, "overlap_checked", False)
        ):
            # ``cases.bulk`` checks a whole file's episodes at once and sets the flag.
            self._check_overlap(errors)
        _raise(errors)

    def _check_overlap(self, errors: dict[str, list[str]]) -> None:
        """Episodes of one child do not overlap; one may start the day another ends."""
        others = LookedAfterEpisode.objects.current().filter(child_id=self.child_id)
        if self.pk is not None:
            others = others.exclude(pk=self.pk)
        if self.supersedes_id is not None:
            others = others.exclude(pk=self.supersedes_id)
        end = self.dec
        clash = others.filter(Q(dec__isnull=True) | Q(dec__gt=self.decom))
        if end is not None:
            clash = clash.filter(decom__lt=end)
        found = clash.order_by("decom").first()
        if found is not None:
            until = f"{found.dec:%Y-%m-%d}" if found.dec else "open"
            errors.setdefault("decom", []).append(
                f"This episode overlaps the child's looked-after episode from "
                f"{found.decom:%Y-%m-%d} ({until})."
            )


class LookedAfterReview(CaseRecord):
    """A looked-after review (SSDA903 ``Reviews``; SSD ``ssd_cla_reviews``)."""

    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="looked_after_reviews")
    review = models.DateField()  # REVIEW
    review_code = models.CharField(max_length=3)  # REVIEW_CODE (participation)

    CORRECTABLE = ("review", "review_code")

    class Meta:
        ordering = ["-review", "-id"]

    def __str__(self) -> str:
        return f"Looked-after review on {self.review:%Y-%m-%d}"

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        check_date(errors, "review", self.review, "review date")
        check_code(
            errors,
            "review_code",
            self.review_code,
            codes.REVIEW_PARTICIPATION,
            "review participation",
        )
        _raise(errors)


class MissingEpisode(CaseRecord):
    """Missing from care, or away without authorisation (SSDA903 ``Missing``; SSD
    ``ssd_missing``)."""

    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="missing_episodes")
    missing = models.CharField(max_length=1)  # MISSING: M or A
    mis_start = models.DateField()  # MIS_START
    mis_end = models.DateField(null=True, blank=True)  # MIS_END
    # The return interview (SSD ``ssd_missing.missing_rhi_offered``/``_accepted``; the 903
    # does not carry it): None until known.
    rhi_offered = models.BooleanField(null=True, blank=True)
    rhi_accepted = models.BooleanField(null=True, blank=True)

    CORRECTABLE = ("missing", "mis_start", "mis_end", "rhi_offered", "rhi_accepted")

    class Meta:
        ordering = ["-mis_start", "-id"]
        constraints = [_ordered("mis_end", "mis_start", "missing_dates_ordered")]

    def __str__(self) -> str:
        return f"{codes.label(codes.MISSING_KIND, self.missing)} from {self.mis_start:%Y-%m-%d}"

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        check_code(errors, "missing", self.missing, codes.MISSING_KIND, "missing or away")
        check_date(errors, "mis_start", self.mis_start, "start date")
        check_date(errors, "mis_end", self.mis_end, "end date")
        check_order(errors, "mis_end", self.mis_start, self.mis_end, "end date", "start date")
        if self.rhi_accepted and not self.rhi_offered:
            errors.setdefault("rhi_accepted", []).append(
                "A return interview can be accepted only if it was offered."
            )
        if self.rhi_offered is not None and self.mis_end is None:
            errors.setdefault("rhi_offered", []).append(
                "A return interview is offered once the child has returned."
            )
        _raise(errors)


# -- allocation ---------------------------------------------------------------------------


class Allocation(CaseRecord):
    """A worker and/or team allocated to the child (SSDA903 ``SWEpisodes``; SSD
    ``ssd_involvements`` with role ``CW``).

    An allocated worker is the ``people.Involvement`` of role allocated social worker
    that the access rules read (``involvement``): it starts and ends with the allocation.
    """

    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="allocations")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="allocations"
    )
    start_date = models.DateField()  # SW_DECOM
    end_date = models.DateField(null=True, blank=True)  # SW_DEC
    reason_for_change = models.CharField(max_length=200, blank=True)  # SW_REASON
    involvement = models.ForeignKey(
        "people.Involvement", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    CORRECTABLE = ("start_date", "end_date", "reason_for_change")

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["worker", "end_date"], name="allocation_worker_idx"),
            models.Index(fields=["team", "end_date"], name="allocation_team_idx"),
        ]
        constraints = [
            _ordered("end_date", "start_date", "allocation_dates_ordered"),
            models.CheckConstraint(
                condition=Q(worker__isnull=False) | Q(team__isnull=False),
                name="allocation_worker_or_team",
            ),
        ]

    def __str__(self) -> str:
        return f"Allocated to {self.worker or self.team} from {self.start_date:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.end_date is None

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.worker_id is None and self.team_id is None:
            errors.setdefault("worker", []).append("Choose a worker or a team.")
        check_date(errors, "start_date", self.start_date, "allocation start date")
        check_date(errors, "end_date", self.end_date, "allocation end date")
        check_order(errors, "end_date", self.start_date, self.end_date, "end date", "start date")
        _raise(errors)


# Every kind of case row, for the generic correction and withdrawal actions and the API.
CASE_MODELS: tuple[type[CaseRecord], ...] = (
    EpisodeOfNeed,
    CINAssessment,
    CINPlan,
    StrategyDiscussion,
    Section47,
    ChildProtectionConference,
    ChildProtectionPlan,
    ChildProtectionReview,
    CoreGroupMember,
    LookedAfterEpisode,
    LookedAfterReview,
    MissingEpisode,
    Allocation,
)
