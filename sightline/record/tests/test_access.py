import pytest
from django.http import Http404

from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.record.access import Intent, open_record
from sightline.record.queries import visible_to
from sightline.testing import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("social_worker", True),
        ("police_officer", True),
        ("team_manager", True),
        ("teacher", False),
        ("panel_analyst", False),
        ("administrator", False),
    ],
)
def test_it_decides_and_audits_each_persona(request, child, persona, allowed):
    user = request.getfixturevalue(persona)
    if allowed:
        assert (
            open_record(user, child.public_id, intent=Intent.VIEW_RECORD, origin=CLI).person
            == child
        )
        expected = AuditAction.VIEW_PERSON
    else:
        with pytest.raises(Http404):
            open_record(user, child.public_id, intent=Intent.VIEW_RECORD, origin=CLI)
        expected = AuditAction.DENIED
    row = AuditEvent.objects.get()
    assert (row.actor, row.action, row.person) == (user, expected, child)
    assert (child in visible_to(user)) is allowed


def test_it_denies_an_ended_involvement(child, social_worker):
    involvement = child.involvements.get(practitioner=social_worker)
    involvement.ended_on = involvement.started_on
    involvement.save()
    with pytest.raises(Http404):
        open_record(social_worker, child.public_id, intent=Intent.VIEW_RECORD, origin=CLI)
    assert child not in visible_to(social_worker)


def test_it_gives_404_for_unknown_and_malformed_ids(social_worker):
    for bad in ["not-a-uuid", "00000000-0000-0000-0000-000000000000"]:
        with pytest.raises(Http404):
            open_record(social_worker, bad, intent=Intent.VIEW_RECORD, origin=CLI)
    assert AuditEvent.objects.filter(action=AuditAction.DENIED).count() == 2


def test_it_follows_a_merge_to_the_surviving_person(child, social_worker):
    merged = factories.PersonFactory.create(merged_into=child)
    assert (
        open_record(social_worker, merged.public_id, intent=Intent.VIEW_RECORD, origin=CLI).person
        == child
    )
