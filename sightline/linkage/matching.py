"""Point-of-entry matching for one caller: the real-time matcher's candidates, handed to
the read side (``record.match``), which decides what the caller may learn of each. The
"record a person" page and ``POST /api/v1/match/`` are thin adapters over this."""

import datetime as dt
from dataclasses import dataclass

from sightline.accounts.models import User
from sightline.audit.actions import Origin
from sightline.linkage import realtime
from sightline.linkage.features import IdentityRecord
from sightline.linkage.models import ModelVersion
from sightline.people import normalise
from sightline.people.models import Person
from sightline.record import match, rules

# Candidates asked of the matcher whatever the caller's limit: the limit applies to the
# rows the caller may open, so it cannot be used to rank the others against them.
MAX_CANDIDATES = 10


@dataclass(frozen=True)
class MatchAnswer:
    outcome: match.MatchOutcome
    # The model that scored the candidates, or "" when none has been trained yet.
    model_version: str


def criteria_of(identity: IdentityRecord) -> match.MatchCriteria:
    dob = identity.date_of_birth
    nhs = normalise.nhs_digits(identity.nhs_number)
    return match.MatchCriteria(
        given_name=identity.given_name,
        family_name=identity.family_name,
        date_of_birth=dob if isinstance(dob, dt.date) else None,
        nhs_number=nhs if normalise.is_valid_nhs_number(nhs) else "",
        postcode=identity.postcode,
    )


def match_record(
    user: User,
    identity: IdentityRecord,
    *,
    origin: Origin,
    model: ModelVersion | None,
    limit: int = MAX_CANDIDATES,
) -> MatchAnswer:
    """What ``user`` may learn of the existing persons ``identity`` may describe.

    Raises ``match.InsufficientCriteriaError`` or ``match.SearchRateLimitedError``
    (``record.match.match``). With no model, nobody is matched (the probe still counts
    and is audited).
    """

    def find() -> list[realtime.Candidate]:
        if model is None:
            return []
        realtime.catch_up()
        return realtime.candidates(
            identity,
            weights=realtime.weights_for(model),
            limit=MAX_CANDIDATES,
            common_names=realtime.common_names_for(model),
        )

    outcome = match.match(user, criteria_of(identity), origin=origin, find=find, limit=limit)
    return MatchAnswer(outcome=outcome, model_version=model.version if model else "")


def offered(user: User, identity: IdentityRecord, person_public_id: str) -> Person | None:
    """The person ``user`` chose among the rows they were shown, if it is
    still a candidate for ``identity`` and one they may open; otherwise None.

    Checks a choice already made (the answer is about a person the caller may open), so
    it is not a probe: not counted, and the recording action writes the audit row.
    """
    try:
        model = realtime.current_model()
    except realtime.NoModelError:
        return None
    realtime.catch_up()
    found = realtime.candidates(
        identity,
        weights=realtime.weights_for(model),
        limit=MAX_CANDIDATES,
        common_names=realtime.common_names_for(model),
    )
    chosen = next((c for c in found if c.public_id == person_public_id), None)
    if chosen is None:
        return None
    person = Person.objects.filter(pk=chosen.person_id, merged_into__isnull=True).first()
    if person is None or not rules.standing(user, person).allowed:
        return None
    return person
