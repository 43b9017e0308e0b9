import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from sightline.assessments import actions
from sightline.assessments.models import Assessment, AssessmentStatus
from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.chronology.models import ChronologyEvent

pytestmark = pytest.mark.django_db

COMPLETE = {
    "harm": "Jamie was left alone overnight twice in February.",
    "complicating_factors": "Mother's new job has night shifts.",
    "working_well": "Grandmother now stays on shift nights.",
    "needs_to_happen": "A written plan for night-time care.",
    "seen_alone": "yes",
    "seen_alone_on": dt.date(2025, 3, 20),
    "child_words": '"I don\'t like it when the house is dark."',
    "safety_scale": 6,
    "danger_statements": "If no adult is at home at night, Jamie could be hurt.",
    "safety_goals": "An adult Jamie trusts is at home every night.",
}


@pytest.fixture
def draft(social_worker, child):
    return actions.start_assessment(actor=social_worker, origin=CLI, child=child)


def submitted(social_worker, assessment, values=COMPLETE):
    actions.save_assessment(actor=social_worker, origin=CLI, assessment=assessment, values=values)
    return actions.submit_assessment(actor=social_worker, origin=CLI, assessment=assessment)


def test_draft_submitted_signed_off(social_worker, team_manager, draft):
    assert (draft.status, draft.version) == (AssessmentStatus.DRAFT, 1)
    submitted(social_worker, draft)
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.SUBMITTED
    actions.sign_off_assessment(actor=team_manager, origin=CLI, assessment=draft)
    draft.refresh_from_db()
    assert (draft.status, draft.reviewed_by) == (AssessmentStatus.SIGNED_OFF, team_manager)
    actions_seen = list(
        AuditEvent.objects.filter(person=draft.child).values_list("action", flat=True)
    )
    assert actions_seen == [
        AuditAction.START_ASSESSMENT,
        AuditAction.EDIT_ASSESSMENT,
        AuditAction.SUBMIT_ASSESSMENT,
        AuditAction.RECORD_EVENT,  # its event in the chronology
        AuditAction.SIGN_OFF_ASSESSMENT,
    ]


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("harm", "Describe the harm"),
        ("working_well", "Describe what is working well."),
        ("seen_alone", "Say whether the child was seen alone."),
        ("child_words", "Record the child's words"),
        ("safety_scale", "Give the safety scale, from 0 to 10."),
        ("safety_goals", "Write the safety goals."),
        ("seen_alone_on", "Give the date the child was seen alone."),
    ],
)
def test_submitting_needs_every_part(social_worker, draft, missing, message):
    values = {**COMPLETE, missing: None if missing in {"safety_scale", "seen_alone_on"} else ""}
    with pytest.raises(ValidationError) as error:
        submitted(social_worker, draft, values)
    assert error.value.message_dict[missing][0].startswith(message)
    draft.refresh_from_db()
    assert draft.status == AssessmentStatus.DRAFT


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"safety_scale": 11}, "safety_scale"),
        ({"safety_scale": -1}, "safety_scale"),
        ({"safety_scale": "7"}, "safety_scale"),
        ({"seen_alone": "maybe"}, "seen_alone"),
        ({"seen_alone_on": dt.date(2025, 4, 2)}, "seen_alone_on"),
        ({"risk_score": 9}, "risk_score"),
    ],
)
def test_bad_values_are_refused_naming_the_field(social_worker, draft, values, field):
    with pytest.raises(ValidationError) as error:
        actions.save_assessment(actor=social_worker, origin=CLI, assessment=draft, values=values)
    assert field in error.value.message_dict
    draft.refresh_from_db()
    assert draft.safety_scale is None


def test_the_author_cannot_sign_off_and_a_manager_can_return(social_worker, team_manager, draft):
    submitted(social_worker, draft)
    with pytest.raises(PermissionDenied):
        actions.sign_off_assessment(actor=social_worker, origin=CLI, assessment=draft)
    with pytest.raises(ValidationError, match="Say what needs to change"):
        actions.return_assessment(actor=team_manager, origin=CLI, assessment=draft, comments="")
    actions.return_assessment(
        actor=team_manager, origin=CLI, assessment=draft, comments="Add the school's view."
    )
    draft.refresh_from_db()
    assert (draft.status, draft.review_comments) == (
        AssessmentStatus.RETURNED,
        "Add the school's view.",
    )
    # Returned: the author edits and submits again.
    actions.save_assessment(
        actor=social_worker,
        origin=CLI,
        assessment=draft,
        values={"working_well": "School reports Jamie is settled."},
    )
    actions.submit_assessment(actor=social_worker, origin=CLI, assessment=draft)


def test_a_manager_who_wrote_the_assessment_cannot_sign_it_off(team_manager, second_manager, child):
    assessment = actions.start_assessment(actor=team_manager, origin=CLI, child=child)
    submitted(team_manager, assessment)
    with pytest.raises(ValidationError) as error:
        actions.sign_off_assessment(actor=team_manager, origin=CLI, assessment=assessment)
    assert "another manager must review it" in error.value.message_dict["reviewed_by"][0]
    actions.sign_off_assessment(actor=second_manager, origin=CLI, assessment=assessment)


def test_a_signed_off_assessment_cannot_change_and_amendments_are_new_versions(
    social_worker, team_manager, draft
):
    submitted(social_worker, draft)
    actions.sign_off_assessment(actor=team_manager, origin=CLI, assessment=draft)
    with pytest.raises(ValidationError, match="start an amended version"):
        actions.save_assessment(
            actor=social_worker, origin=CLI, assessment=draft, values={"safety_scale": 2}
        )
    amended = actions.amend_assessment(actor=social_worker, origin=CLI, assessment=draft)
    assert (amended.version, amended.amends, amended.series) == (2, draft, draft.series)
    assert amended.status == AssessmentStatus.DRAFT
    assert amended.harm == COMPLETE["harm"]
    actions.save_assessment(
        actor=social_worker, origin=CLI, assessment=amended, values={"safety_scale": 3}
    )
    draft.refresh_from_db()
    assert draft.safety_scale == 6  # the signed-off version is as it was
    with pytest.raises(ValidationError, match="Only a signed-off assessment is amended"):
        actions.amend_assessment(actor=social_worker, origin=CLI, assessment=amended)
    with pytest.raises(ValidationError, match="A later version already exists"):
        actions.amend_assessment(actor=social_worker, origin=CLI, assessment=draft)


def test_only_the_author_edits_and_only_social_care_writes(
    social_worker, team_manager, police_officer, teacher, child, draft
):
    with pytest.raises(ValidationError, match="Only the author edits"):
        actions.save_assessment(
            actor=team_manager, origin=CLI, assessment=draft, values={"harm": "x"}
        )
    with pytest.raises(PermissionDenied):
        actions.start_assessment(actor=police_officer, origin=CLI, child=child)
    with pytest.raises(PermissionDenied):
        actions.start_assessment(actor=teacher, origin=CLI, child=child)


def test_the_database_keeps_one_working_version_and_a_scale_of_0_to_10(social_worker, draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(
            child=draft.child, series=draft.series, version=2, author=social_worker
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.filter(pk=draft.pk).update(safety_scale=11)


def test_a_signed_off_assessment_appears_in_the_chronology(social_worker, team_manager, draft):
    submitted(social_worker, draft)
    assert not ChronologyEvent.objects.filter(person=draft.child).exists()
    actions.sign_off_assessment(actor=team_manager, origin=CLI, assessment=draft)
    event = ChronologyEvent.objects.get(person=draft.child)
    assert event.category.code == "assessment_signed_off"
    assert event.agency == team_manager.agency
    assert social_worker.get_full_name() in event.summary
