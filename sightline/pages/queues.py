"""How much work waits in each queue across the service: what ``sightline stats``
reports beside the record counts, and what the demo is checked against (every queue
holds something after ``load-demo-data``).

It counts across features, so it lives with the pages that compose them.
"""

import datetime as dt

from django.db.models import Q

from sightline.assessments.models import Challenge, ChallengeStatus, DecisionPoint
from sightline.governance.models import DisposalProposal, ProposalStatus
from sightline.incidents.models import RapidReview, SeriousIncidentNotification
from sightline.learning.models import ReviewDocument
from sightline.linkage.models import MatchReview, ReviewStatus
from sightline.networks.models import ExploitationMeeting
from sightline.sharing.models import InboxItem, Referral, ReferralStatus
from sightline.subjectaccess.models import Status as SubjectAccessStatus
from sightline.subjectaccess.models import SubjectAccessRequest

QUEUES = (
    "linkage_reviews_open",
    "decisions_open",
    "challenges_open",
    "notifications_open",
    "rapid_reviews_open",
    "referrals_open",
    "alerts_unread",
    "meetings_upcoming",
    "reviews_to_code",
    "subject_access_open",
    "disposals_to_review",
)


def queue_counts(*, on: dt.date) -> dict[str, int]:
    """Each queue's open items on ``on``, in the order of ``QUEUES``."""
    counts = {
        # Possible duplicate records waiting for a person to decide.
        "linkage_reviews_open": MatchReview.objects.filter(status=ReviewStatus.PENDING).count(),
        # Case decisions not yet made (an accepted referral, a strategy discussion...).
        "decisions_open": DecisionPoint.objects.open().count(),
        # Challenges neither answered nor signed off.
        "challenges_open": Challenge.objects.filter(
            status__in=[ChallengeStatus.OPEN, ChallengeStatus.RATIONALE_RECORDED]
        ).count(),
        # Serious incident notifications whose rapid review is not yet complete.
        "notifications_open": SeriousIncidentNotification.objects.filter(
            Q(rapid_review__isnull=True) | Q(rapid_review__completed_on__isnull=True)
        ).count(),
        "rapid_reviews_open": RapidReview.objects.filter(completed_on__isnull=True).count(),
        "referrals_open": Referral.objects.exclude(status=ReferralStatus.CLOSED).count(),
        # Alerts delivered to someone's (or a team's) inbox and not yet read.
        "alerts_unread": InboxItem.objects.filter(read_at__isnull=True).count(),
        "meetings_upcoming": ExploitationMeeting.objects.filter(held_on__gte=on).count(),
        # Reviews with no final coding yet: the panel's coding queue.
        "reviews_to_code": ReviewDocument.objects.filter(final_codings__isnull=True).count(),
        # Subject access requests not yet answered.
        "subject_access_open": SubjectAccessRequest.objects.exclude(
            status=SubjectAccessStatus.SENT
        ).count(),
        # Records past the retention schedule proposed for disposal, not yet decided.
        "disposals_to_review": DisposalProposal.objects.filter(
            status=ProposalStatus.PROPOSED
        ).count(),
    }
    return {name: counts[name] for name in QUEUES}
