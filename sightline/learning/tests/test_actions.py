import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.learning import actions
from sightline.learning.models import (
    Coding,
    CodingStatus,
    FinalCoding,
    FinalCodingSource,
    ReviewDocument,
    Taxonomy,
    TaxonomyStatus,
    Theme,
)
from sightline.learning.tests.helpers import record
from sightline.learning.themes import STARTING_THEMES
from sightline.testing.factories import ReviewDocumentFactory, UserFactory

pytestmark = pytest.mark.django_db


def last_audit():
    return AuditEvent.objects.order_by("-id").first()


def test_it_starts_with_version_one_published_from_the_starting_set():
    taxonomy = actions.published_taxonomy()
    assert taxonomy.version == 1
    assert taxonomy.themes.count() == len(STARTING_THEMES)
    assert taxonomy.themes.get(code="optimism_bias").label == "Optimism bias"


# --- importing -----------------------------------------------------------------------


def test_it_imports_coded_reviews_with_their_final_themes_and_one_audit_row(panel_analyst):
    result = actions.import_review_corpus(
        actor=panel_analyst,
        origin=CLI,
        records=[record("SYN-1"), record("SYN-2", themes=("sudi",))],
    )
    assert (result.documents, result.theme_links, result.taxonomy_version) == (2, 3, 1)
    final = FinalCoding.objects.get(document__reference="SYN-1")
    assert final.source == FinalCodingSource.IMPORTED
    assert sorted(final.themes.values_list("code", flat=True)) == ["neglect", "risk_assessment"]
    audit = last_audit()
    assert audit.action == AuditAction.IMPORT_REVIEW_CORPUS
    assert audit.detail["documents"] == 2
    assert audit.detail["synthetic"] == 2


def test_it_imports_nothing_when_one_theme_is_unknown(panel_analyst):
    with pytest.raises(
        actions.LearningError,
        match=r"record 2 \(SYN-2\): themes: not in taxonomy version 1: made_up",
    ):
        actions.import_review_corpus(
            actor=panel_analyst,
            origin=CLI,
            records=[record("SYN-1"), record("SYN-2", themes=("neglect", "made_up"))],
        )
    assert not ReviewDocument.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.IMPORT_REVIEW_CORPUS).exists()


def test_it_refuses_repeated_and_existing_references(panel_analyst):
    with pytest.raises(actions.LearningError, match="record 2: reference: SYN-1 is repeated"):
        actions.import_review_corpus(
            actor=panel_analyst, origin=CLI, records=[record("SYN-1"), record("SYN-1")]
        )
    ReviewDocumentFactory.create(reference="SYN-1")
    with pytest.raises(actions.LearningError, match="reference: already recorded: SYN-1"):
        actions.import_review_corpus(actor=panel_analyst, origin=CLI, records=[record("SYN-1")])


def test_only_analysts_or_the_command_line_import_reviews(teacher, administrator):
    for user in (teacher, administrator):
        with pytest.raises(PermissionDenied):
            actions.import_review_corpus(actor=user, origin=CLI, records=[record()])
    actions.import_review_corpus(actor=None, origin=CLI, records=[record()])
    assert last_audit().actor is None


def test_it_records_one_review_for_coding_without_final_themes(panel_analyst):
    document = actions.record_review_document(actor=panel_analyst, origin=CLI, record=record())
    assert document.recorded_by == panel_analyst
    assert not FinalCoding.objects.exists()
    assert last_audit().action == AuditAction.RECORD_REVIEW_DOCUMENT
    with pytest.raises(actions.LearningError, match="reference: SYN-1 is already recorded"):
        actions.record_review_document(actor=panel_analyst, origin=CLI, record=record())


# --- taxonomy ------------------------------------------------------------------------


def test_it_drafts_the_next_version_as_a_copy_and_allows_only_one_draft(administrator):
    draft = actions.draft_taxonomy(actor=administrator, origin=CLI, notes="Add racism")
    assert draft.based_on is not None
    assert (draft.version, draft.status, draft.based_on.version) == (2, TaxonomyStatus.DRAFT, 1)
    assert draft.themes.count() == len(STARTING_THEMES)
    assert last_audit().detail == {"version": 2, "based_on": 1}
    with pytest.raises(actions.LearningError, match="taxonomy: a draft version already exists"):
        actions.draft_taxonomy(actor=administrator, origin=CLI)


def test_it_adds_edits_and_removes_themes_in_a_draft_only(administrator):
    published = actions.published_taxonomy()
    with pytest.raises(
        actions.LearningError, match="taxonomy: version 1 is published; only a draft"
    ):
        actions.record_theme(
            actor=administrator,
            origin=CLI,
            taxonomy=published,
            code="x",
            group="practice",
            label="X",
        )
    draft = actions.draft_taxonomy(actor=administrator, origin=CLI)
    theme = actions.record_theme(
        actor=administrator,
        origin=CLI,
        taxonomy=draft,
        code="racism_and_identity",
        group="practice",
        label="Racism, identity and culture",
    )
    assert theme.order == len(STARTING_THEMES) + 1
    assert last_audit().detail["change"] == "add"
    actions.record_theme(
        actor=administrator,
        origin=CLI,
        taxonomy=draft,
        theme=theme,
        code="racism_and_identity",
        group="practice",
        label="Racism and identity",
    )
    theme.refresh_from_db()
    assert theme.label == "Racism and identity"
    assert last_audit().detail["before"]["label"] == "Racism, identity and culture"
    actions.remove_theme(actor=administrator, origin=CLI, theme=theme)
    assert not draft.themes.filter(code="racism_and_identity").exists()
    assert last_audit().detail["change"] == "remove"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"group": "colour"}, "group: 'colour' is not one of"),
        ({"label": "  "}, "label: a theme needs a label"),
        ({"code": "has space"}, "code: use lower-case letters, digits and underscores"),
        ({"code": "Upper"}, "code: use lower-case letters"),
        ({"code": "neglect"}, "code: neglect is already used in version 2"),
        ({"order": -1}, "order: must be zero or more"),
    ],
)
def test_it_refuses_bad_themes_naming_the_field(administrator, changes, message):
    draft = actions.draft_taxonomy(actor=administrator, origin=CLI)
    values = {"code": "new_theme", "group": "practice", "label": "New"} | changes
    with pytest.raises(actions.LearningError, match=message):
        actions.record_theme(actor=administrator, origin=CLI, taxonomy=draft, **values)
    assert draft.themes.count() == len(STARTING_THEMES)


def test_it_keeps_the_code_of_a_theme_from_the_earlier_version(administrator):
    draft = actions.draft_taxonomy(actor=administrator, origin=CLI)
    neglect = draft.themes.get(code="neglect")
    with pytest.raises(actions.LearningError, match="code: neglect came from version 1"):
        actions.record_theme(
            actor=administrator,
            origin=CLI,
            taxonomy=draft,
            theme=neglect,
            code="neglect_renamed",
            group="harm_type",
            label="Neglect",
        )


def test_publishing_retires_the_previous_version(panel_analyst):
    draft = actions.draft_taxonomy(actor=panel_analyst, origin=CLI)
    actions.publish_taxonomy(actor=panel_analyst, origin=CLI, taxonomy=draft)
    assert actions.published_taxonomy() == draft
    assert Taxonomy.objects.get(version=1).status == TaxonomyStatus.RETIRED
    assert last_audit().detail == {"version": 2, "retired": [1]}
    with pytest.raises(actions.LearningError, match="taxonomy: version 2 is published"):
        actions.publish_taxonomy(actor=panel_analyst, origin=CLI, taxonomy=draft)


def test_the_database_allows_one_published_version_only():
    taxonomy = Taxonomy.objects.get(version=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Taxonomy.objects.create(
            version=9,
            status="published",
            created_at=taxonomy.created_at,
            published_at=taxonomy.created_at,
        )


def test_teachers_and_managers_cannot_edit_the_taxonomy(teacher, team_manager):
    for user in (teacher, team_manager):
        with pytest.raises(PermissionDenied):
            actions.draft_taxonomy(actor=user, origin=CLI)


# --- coding and adjudication ---------------------------------------------------------


@pytest.fixture
def second_analyst(agencies):
    return UserFactory.create(username="bo.analyst", agency=agencies["CSC"], role="panel_analyst")


@pytest.fixture
def third_analyst(agencies):
    return UserFactory.create(username="cy.analyst", agency=agencies["CSC"], role="panel_analyst")


def code(user, document, codes, *, submit=True, note=""):
    return actions.save_coding(
        actor=user,
        origin=CLI,
        document=document,
        taxonomy=actions.published_taxonomy(),
        theme_codes=codes,
        note=note,
        submit=submit,
    )


def test_a_coder_saves_then_submits_and_cannot_change_after(panel_analyst):
    document = ReviewDocumentFactory.create()
    coding = code(panel_analyst, document, ["neglect"], submit=False)
    assert coding.status == CodingStatus.IN_PROGRESS
    assert last_audit().action == AuditAction.RECORD_CODING
    coding = code(panel_analyst, document, ["neglect", "optimism_bias"])
    assert coding.status == CodingStatus.SUBMITTED
    assert sorted(coding.themes.values_list("code", flat=True)) == ["neglect", "optimism_bias"]
    assert Coding.objects.count() == 1
    audit = last_audit()
    assert audit.action == AuditAction.SUBMIT_CODING
    assert audit.detail["themes"] == ["neglect", "optimism_bias"]
    with pytest.raises(actions.LearningError, match="coding: you have already submitted"):
        code(panel_analyst, document, ["neglect"])


def test_coding_refuses_unknown_themes_and_unpublished_versions(panel_analyst, administrator):
    document = ReviewDocumentFactory.create()
    with pytest.raises(actions.LearningError, match="themes: not in taxonomy version 1: nope"):
        code(panel_analyst, document, ["nope"])
    draft = actions.draft_taxonomy(actor=administrator, origin=CLI)
    with pytest.raises(actions.LearningError, match="taxonomy: version 2 is not the published"):
        actions.save_coding(
            actor=panel_analyst, origin=CLI, document=document, taxonomy=draft, theme_codes=[]
        )
    assert not Coding.objects.exists()


def test_adjudication_needs_two_submitted_codings(panel_analyst, second_analyst, third_analyst):
    document = ReviewDocumentFactory.create()
    taxonomy = actions.published_taxonomy()
    code(panel_analyst, document, ["neglect"])
    code(second_analyst, document, ["neglect"], submit=False)
    with pytest.raises(actions.LearningError, match="codings: 1 submitted coding"):
        actions.adjudicate(
            actor=third_analyst, origin=CLI, document=document, taxonomy=taxonomy, theme_codes=[]
        )
    assert not FinalCoding.objects.exists()


def test_adjudication_records_agreement_disagreement_and_the_decision(
    panel_analyst, second_analyst, third_analyst
):
    document = ReviewDocumentFactory.create()
    taxonomy = actions.published_taxonomy()
    code(panel_analyst, document, ["neglect", "optimism_bias"])
    code(second_analyst, document, ["neglect", "information_sharing"])
    final = actions.adjudicate(
        actor=third_analyst,
        origin=CLI,
        document=document,
        taxonomy=taxonomy,
        theme_codes=["neglect", "information_sharing"],
    )
    assert final.source == FinalCodingSource.ADJUDICATED
    assert sorted(final.themes.values_list("code", flat=True)) == ["information_sharing", "neglect"]
    detail = last_audit().detail
    assert detail["agreed"] == ["neglect"]
    assert detail["disputed"] == ["information_sharing", "optimism_bias"]
    assert detail["coders"] == ["ana.analyst", "bo.analyst"]
    assert detail["before"] is None


def test_adjudication_that_overrules_both_coders_needs_a_note(
    panel_analyst, second_analyst, third_analyst
):
    document = ReviewDocumentFactory.create()
    taxonomy = actions.published_taxonomy()
    code(panel_analyst, document, ["neglect"])
    code(second_analyst, document, ["neglect"])
    with pytest.raises(actions.LearningError, match="note: explain the decision"):
        actions.adjudicate(
            actor=third_analyst, origin=CLI, document=document, taxonomy=taxonomy, theme_codes=[]
        )
    actions.adjudicate(
        actor=third_analyst,
        origin=CLI,
        document=document,
        taxonomy=taxonomy,
        theme_codes=["neglect", "workload"],
        note="Workload is described in the manager's account.",
    )
    # A second decision replaces the first, and the audit row keeps what it replaced.
    actions.adjudicate(
        actor=third_analyst,
        origin=CLI,
        document=document,
        taxonomy=taxonomy,
        theme_codes=["neglect"],
    )
    assert FinalCoding.objects.count() == 1
    assert last_audit().detail["before"] == {"version": 1, "themes": ["neglect", "workload"]}


def test_codings_keep_their_version_when_a_new_one_is_published(panel_analyst, administrator):
    document = ReviewDocumentFactory.create()
    coding = code(panel_analyst, document, ["neglect"])
    draft = actions.draft_taxonomy(actor=administrator, origin=CLI)
    actions.publish_taxonomy(actor=administrator, origin=CLI, taxonomy=draft)
    coding.refresh_from_db()
    assert coding.taxonomy.version == 1
    assert Theme.objects.get(pk=coding.themes.get().pk).taxonomy.version == 1


def test_it_imports_independent_codings_all_or_nothing(panel_analyst, second_analyst, teacher):
    actions.import_review_corpus(actor=None, origin=CLI, records=[record("SYN-1"), record("SYN-2")])
    good = [
        actions.CodingRecord("SYN-1", panel_analyst, ("neglect",)),
        actions.CodingRecord("SYN-1", second_analyst, ("neglect", "workload")),
        actions.CodingRecord("SYN-2", panel_analyst, ()),
    ]
    for bad, message in (
        (actions.CodingRecord("SYN-9", panel_analyst, ()), r"coding 4 \(SYN-9\): reference"),
        (actions.CodingRecord("SYN-2", teacher, ()), "coder: .* is not a panel analyst"),
        (actions.CodingRecord("SYN-1", panel_analyst, ()), "coder: .* has already coded it"),
        (actions.CodingRecord("SYN-2", second_analyst, ("x",)), "themes: not in taxonomy"),
    ):
        with pytest.raises(actions.LearningError, match=message):
            actions.import_codings(actor=None, origin=CLI, codings=[*good, bad])
        assert not Coding.objects.exists()
    assert actions.import_codings(actor=None, origin=CLI, codings=good) == 3
    assert Coding.objects.filter(status=CodingStatus.SUBMITTED).count() == 3
    assert last_audit().detail["coders"] == ["ana.analyst", "bo.analyst"]
