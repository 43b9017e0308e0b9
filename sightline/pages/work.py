""" "Your work" on the home page: for each role, what is waiting for the user, as counts
with a link to where it is done. It composes several features, so it lives in pages.

Counts are of what the user may see: each feature's own ``visible_to`` rule or its
own queue query is used, never a count of its own.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from sightline.access import queries as access_queries
from sightline.accounts.models import PARTNER_LEAD_FOR, PARTNERSHIP_ROLES, Role, User
from sightline.agencies.models import Agency, Team
from sightline.assessments import queries as assessments_queries
from sightline.assessments.models import (
    Assessment,
    AssessmentStatus,
    Challenge,
    ChallengeStatus,
    Decision,
    DecisionPoint,
)
from sightline.assessments.queries import assessments_awaiting
from sightline.chronology.models import Category
from sightline.deadlines.models import LocalClosure
from sightline.governance.access import may_review_disposals
from sightline.governance.queries import open_proposals
from sightline.incidents import access as incidents_access
from sightline.incidents import queries as incidents_queries
from sightline.incidents.models import LocalReview, RapidReview
from sightline.learning.access import Capability, can
from sightline.learning.models import Coding, CodingStatus, ReviewDocument
from sightline.linkage.queries import pending_reviews
from sightline.people.models import Involvement
from sightline.sharing import queries as sharing
from sightline.sharing.models import ReferralStatus
from sightline.subjectaccess.access import requests_for
from sightline.subjectaccess.models import Status as SubjectAccessStatus

# "Due" on the home page: overdue, or due within this many days.
DUE_WITHIN_DAYS = 7


@dataclass(frozen=True)
class WorkItem:
    key: str  # a stable name (the list item's id)
    label: str
    count: int | None  # None: a link to a place of work with nothing to count
    href: str


@dataclass(frozen=True)
class PlanCounts:
    """Children on a plan and looked-after children in one worker's caseload."""

    on_plan: int
    looked_after: int


@dataclass(frozen=True)
class WorkerLoad:
    worker: User
    children: int
    decisions: int
    challenged: int
    overridden: int
    plans: PlanCounts | None  # None until the case record provides them

    @property
    def challenge_rate(self) -> int | None:
        """Per cent of the worker's decisions that drew a challenge."""
        return round(100 * self.challenged / self.decisions) if self.decisions else None

    @property
    def override_rate(self) -> int | None:
        """Per cent of challenged decisions kept against the challenge (rationale signed off)."""
        return round(100 * self.overridden / self.challenged) if self.challenged else None


@dataclass(frozen=True)
class YourWork:
    items: list[WorkItem]
    caseload: list[WorkerLoad] | None = None
    referrals_made: list[WorkItem] | None = None


def caseload_plan_counts(workers: Iterable[User], *, on: dt.date) -> dict[int, PlanCounts] | None:
    """HOOK for the case record (issue #14, the ``cases`` app): children on a plan and
    looked-after children per worker's caseload, by user id. Until the cases app
    provides it this returns None and the page says the figures are not yet available;
    it never shows a made-up number."""
    return None


def your_work(user: User, *, today: dt.date) -> YourWork:
    role = user.role
    if role == Role.TEAM_MANAGER:
        return _team_manager(user, today)
    if role == Role.SAFEGUARDING_LEAD:
        return _safeguarding_lead(user)
    if role in PARTNERSHIP_ROLES:
        return _partnership(user, today)
    if role == Role.PANEL_ANALYST:
        return _panel(user)
    if role == Role.ADMINISTRATOR:
        return _administrator(today)
    if role == Role.PRACTITIONER:
        return _practitioner(user, today)
    if role == Role.DATA_QUALITY:
        return _data_quality(user)
    if role == Role.INFORMATION_GOVERNANCE:
        return _information_governance(user)
    return YourWork(items=[])


def _data_quality(user: User) -> YourWork:
    """Possible duplicates across the agencies (every pair, each view audited) and the
    agency's subject access requests, counted from the lists they lead to."""
    requests = requests_for(user).exclude(status=SubjectAccessStatus.SENT)
    return YourWork(
        items=[
            WorkItem(
                "identity-reviews",
                "Possible duplicate records to review",
                pending_reviews(user).count(),
                reverse("linkage-reviews"),
            ),
            WorkItem(
                "subject-access-open",
                "Subject access requests to answer",
                requests.count(),
                reverse("subjectaccess:list"),
            ),
        ]
    )


def _identity_reviews(user: User) -> list[WorkItem]:
    """Possible duplicates touching the children a team manager or safeguarding lead has
    a relationship with (``linkage.queries``' scope), when there are any."""
    pending = pending_reviews(user).count()
    if not pending:
        return []
    return [
        WorkItem(
            "identity-reviews",
            "Possible duplicate records to review",
            pending,
            reverse("linkage-reviews"),
        )
    ]


def _information_governance(user: User) -> YourWork:
    """Records past the retention schedule proposed for disposal, to approve or refuse."""
    if not may_review_disposals(user):
        return YourWork(items=[])
    return YourWork(
        items=[
            WorkItem(
                "disposals",
                "Records proposed for disposal, to approve or refuse",
                open_proposals().count(),
                reverse("governance:disposals"),
            ),
            WorkItem(
                "retention-schedule", "The retention schedule", None, reverse("governance:schedule")
            ),
        ]
    )


def _alerts_and_referrals(user: User) -> list[WorkItem]:
    inbox = reverse("sharing-inbox")
    return [
        WorkItem(
            "referrals-to-acknowledge",
            "Referrals to acknowledge",
            sharing.referrals_to_acknowledge(user).count(),
            f"{inbox}#to-acknowledge",
        ),
        WorkItem("unread-alerts", "Unread alerts", sharing.unread_count(user), inbox),
    ]


def _practitioner(user: User, today: dt.date) -> YourWork:
    decisions = reverse("assessments:dashboard")
    return YourWork(
        items=[
            WorkItem(
                "challenges-to-answer",
                "Challenges to answer",
                Challenge.objects.filter(
                    decision_made_by=user, status=ChallengeStatus.OPEN
                ).count(),
                f"{decisions}#challenges-to-answer",
            ),
            WorkItem(
                "drafts",
                "Assessments in draft or returned to you",
                Assessment.objects.filter(
                    author=user, status__in=[AssessmentStatus.DRAFT, AssessmentStatus.RETURNED]
                ).count(),
                f"{decisions}#drafts",
            ),
            WorkItem(
                "steps-due",
                f"Steps overdue or due in the next {DUE_WITHIN_DAYS} days",
                DecisionPoint.objects.open()
                .filter(responsible=user, due_on__lte=today + dt.timedelta(days=DUE_WITHIN_DAYS))
                .count(),
                f"{decisions}#your-steps",
            ),
            *_alerts_and_referrals(user),
        ]
    )


def _team_manager(user: User, today: dt.date) -> YourWork:
    decisions = reverse("assessments:dashboard")
    rationales = Challenge.objects.none()
    overdue = DecisionPoint.objects.none()
    if user.team_id is not None:
        # A rationale waits for a second manager: not the one who wrote it.
        rationales = Challenge.objects.filter(
            status=ChallengeStatus.RATIONALE_RECORDED, decision__team_id=user.team_id
        ).exclude(rationale_by=user)
        overdue = DecisionPoint.objects.open().filter(team_id=user.team_id, due_on__lt=today)
    sign_offs = assessments_awaiting(user).count() + rationales.count()
    items = [
        WorkItem("sign-offs", "Sign-offs waiting for you", sign_offs, decisions),
        WorkItem("overdue-steps", "Overdue steps across your team", overdue.count(), decisions),
        *_rapid_review_tasks(user),
        *_identity_reviews(user),
        *_alerts_and_referrals(user),
    ]
    return YourWork(items=items, caseload=_caseload(user, today))


def _caseload(manager: User, today: dt.date) -> list[WorkerLoad]:
    if manager.team_id is None:
        return []
    workers = list(
        User.objects.filter(team_id=manager.team_id, is_active=True)
        .exclude(pk=manager.pk)
        .order_by("last_name", "first_name", "username")
    )
    ids = [w.pk for w in workers]
    children = dict(
        Involvement.objects.active_on(today)
        .filter(practitioner_id__in=ids)
        .values("practitioner_id")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("practitioner_id", "n")
    )
    made = dict(
        Decision.objects.filter(made_by_id__in=ids)
        .values("made_by_id")
        .annotate(n=Count("id"))
        .values_list("made_by_id", "n")
    )
    challenged: dict[int, tuple[int, int]] = {
        row["decision__made_by_id"]: (row["decisions"], row["overridden"])
        for row in Challenge.objects.filter(decision__made_by_id__in=ids)
        .values("decision__made_by_id")
        .annotate(
            decisions=Count("decision_id", distinct=True),
            overridden=Count(
                "decision_id", distinct=True, filter=Q(status=ChallengeStatus.OVERRIDDEN)
            ),
        )
    }
    plans = caseload_plan_counts(workers, on=today)
    return [
        WorkerLoad(
            worker=worker,
            children=children.get(worker.pk, 0),
            decisions=made.get(worker.pk, 0),
            challenged=challenged.get(worker.pk, (0, 0))[0],
            overridden=challenged.get(worker.pk, (0, 0))[1],
            plans=None if plans is None else plans.get(worker.pk, PlanCounts(0, 0)),
        )
        for worker in workers
    ]


def _safeguarding_lead(user: User) -> YourWork:
    """Counted from the list they lead to: referrals the lead and their team sent."""
    made = sharing.referrals_sent(user)
    # order_by(): the list's newest-first order would otherwise split the groups.
    by_status = dict(
        made.order_by().values("status").annotate(n=Count("id")).values_list("status", "n")
    )
    sent = reverse("sharing-referrals-sent")
    return YourWork(
        items=[
            *_rapid_review_tasks(user),
            *_identity_reviews(user),
            WorkItem(
                "referrals-made",
                "Referrals you and your team made, awaiting an outcome",
                made.exclude(status=ReferralStatus.CLOSED).count(),
                sent,
            ),
            *_alerts_and_referrals(user),
        ],
        referrals_made=[
            WorkItem(
                f"referrals-{value.replace('_', '-')}",
                label,
                by_status.get(value, 0),
                f"{sent}?{urlencode({'status': value})}",
            )
            for value, label in ReferralStatus.choices
        ],
    )


def _partnership(user: User, today: dt.date) -> YourWork:
    notifications = incidents_access.visible_to(user)
    reviews = RapidReview.objects.filter(notification__in=notifications)
    open_reviews = reviews.filter(completed_on__isnull=True)
    dashboard = reverse("incidents:dashboard")
    items = [
        WorkItem(
            "notifications",
            "Notifications not yet sent to the national panel",
            notifications.filter(submitted_on__isnull=True).count(),
            f"{dashboard}#notifications-to-send",
        ),
        WorkItem("rapid-reviews", "Rapid reviews under way", open_reviews.count(), dashboard),
        WorkItem(
            "local-reviews",
            "Local reviews not yet published",
            LocalReview.objects.filter(review__in=reviews, published_on__isnull=True).count(),
            dashboard,
        ),
    ]
    to_start = incidents_queries.reviews_to_start_for(user)
    if to_start:
        items.insert(
            1,
            WorkItem(
                "rapid-reviews-to-start",
                "Rapid reviews to start",
                len(to_start),
                f"{dashboard}#reviews-to-start",
            ),
        )
    to_commission = incidents_queries.local_reviews_to_commission_for(user)
    if to_commission:
        items.append(
            WorkItem(
                "local-reviews-to-commission",
                "Local reviews decided on, to commission",
                len(to_commission),
                f"{dashboard}#local-reviews-to-commission",
            )
        )
    return YourWork(items=[*_rapid_review_tasks(user), *items])


def _rapid_review_tasks(user: User) -> list[WorkItem]:
    """Rapid reviews waiting on ``user``: sign-offs for a partner and agency summaries to
    write. A partner lead always sees the sign-off count; a safeguarding lead or team
    manager of a partner's agency (who may sign and write too) sees each when there is
    something waiting."""
    dashboard = reverse("incidents:dashboard")
    items = []
    sign_offs = incidents_queries.sign_offs_waiting_for(user)
    if sign_offs or user.role in PARTNER_LEAD_FOR:
        items.append(
            WorkItem(
                "rapid-review-sign-offs",
                "Rapid reviews waiting for your sign-off",
                len(sign_offs),
                f"{dashboard}#sign-offs-waiting",
            )
        )
    summaries = incidents_queries.summaries_to_write_for(user)
    if summaries:
        items.append(
            WorkItem(
                "summaries-to-write",
                "Rapid review summaries for your agency to write",
                len(summaries),
                f"{dashboard}#summaries-to-write",
            )
        )
    return items


def _panel(user: User) -> YourWork:
    unfinished = ReviewDocument.objects.filter(final_codings__isnull=True)
    submitted = Count("codings", filter=Q(codings__status=CodingStatus.SUBMITTED))
    mine = Coding.objects.filter(coder=user, status=CodingStatus.SUBMITTED).values("document_id")
    reviews = reverse("learning:review-list")
    items = [
        WorkItem(
            "panel-responses",
            "Rapid reviews waiting for the panel's response",
            len(incidents_queries.panel_responses_for(user)),
            f"{reverse('incidents:dashboard')}#panel-responses",
        )
    ]
    if can(user, Capability.CODE_REVIEWS):
        items.append(
            WorkItem(
                "reviews-to-code",
                "Reviews to code",
                unfinished.exclude(pk__in=mine).count(),
                reviews,
            )
        )
        items.append(
            WorkItem(
                "adjudications",
                "Reviews coded twice, waiting for adjudication",
                unfinished.annotate(n=submitted).filter(n__gte=2).count(),
                reviews,
            )
        )
    if can(user, Capability.PRODUCE_REPORTS):
        items.append(
            WorkItem("themes-report", "The themes report", None, reverse("learning:annual-report"))
        )
    return YourWork(items=items)


def _administrator(today: dt.date) -> YourWork:
    """The administration area (``access/administration*.py``): each count is of a list
    an administrator acts on, and links to that list; each section has a link."""
    users = reverse("access-users")
    tokens = reverse("administration-tokens")
    rules_page = reverse("administration-challenge-rules")
    now = timezone.now()

    def user_list(key: str) -> WorkItem:
        label, which = access_queries.USER_LISTS[key]
        count = User.objects.filter(which).count()
        key_name = "users" if key == "active" else f"users-{key}"
        return WorkItem(key_name, label, count, f"{users}?show={key}")

    return YourWork(
        items=[
            user_list("active"),
            user_list("without-team"),
            user_list("never-signed-in"),
            WorkItem("add-user", "Add a user", None, reverse("administration-new-user")),
            WorkItem("roles", "Roles: find a user to change theirs", None, f"{users}?show=active"),
            WorkItem("teams", "Teams", Team.objects.count(), reverse("administration-teams")),
            WorkItem(
                "agencies",
                "Agencies",
                Agency.objects.count(),
                reverse("administration-agencies"),
            ),
            WorkItem("api-tokens", "API tokens", Token.objects.count(), tokens),
            WorkItem(
                "api-tokens-unused",
                f"API tokens not used for {access_queries.TOKEN_UNUSED_DAYS} days",
                access_queries.tokens_unused(now).count(),
                f"{tokens}?show=unused",
            ),
            WorkItem(
                "closure-days",
                "Local closure days coming up",
                LocalClosure.objects.live().filter(date__gte=today).count(),
                f"{reverse('administration-closure-days')}#closure-days",
            ),
            WorkItem(
                "challenge-rules-off",
                "Challenge rules switched off",
                sum(not rule.active for rule in assessments_queries.current_rule_set().rules),
                f"{rules_page}?show=off",
            ),
            WorkItem(
                "event-categories",
                "Event categories in use",
                Category.objects.filter(active=True).count(),
                reverse("administration-categories"),
            ),
            WorkItem(
                "administration", "Everything in administration", None, reverse("administration")
            ),
        ]
    )
