import pytest
from django.urls import reverse

from sightline.audit.actions import CLI
from sightline.audit.models import AuditAction, AuditEvent
from sightline.learning import actions
from sightline.learning.models import AuthorityRegion, Coding, FinalCoding, Taxonomy, TaxonomyStatus
from sightline.testing.factories import ReviewDocumentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_analyst(agencies):
    return UserFactory.create(username="bo.analyst", agency=agencies["CSC"], role="panel_analyst")


def login(client, user):
    client.force_login(user)
    return client


def last_audit():
    return AuditEvent.objects.order_by("-id").first()


# --- who may see what ----------------------------------------------------------------


@pytest.mark.parametrize("persona", ["social_worker", "police_officer", "teacher"])
def test_practitioners_see_none_of_the_learning_pages(client, request, persona):
    login(client, request.getfixturevalue(persona))
    document = ReviewDocumentFactory.create()
    for url in (
        reverse("learning:index"),
        reverse("learning:taxonomy-list"),
        reverse("learning:taxonomy", args=[1]),
        reverse("learning:review-list"),
        reverse("learning:review", args=[document.public_id]),
        reverse("learning:adjudicate", args=[document.public_id]),
        reverse("learning:agreement"),
    ):
        assert client.get(url).status_code == 404, url


def test_a_denied_review_is_audited_as_a_denial(client, teacher):
    document = ReviewDocumentFactory.create()
    login(client, teacher).get(reverse("learning:review", args=[document.public_id]))
    audit = last_audit()
    assert audit.action == AuditAction.DENIED
    assert audit.detail["intent"] == AuditAction.VIEW_REVIEW_DOCUMENT


def test_managers_and_administrators_do_not_read_reviews(client, team_manager, administrator):
    document = ReviewDocumentFactory.create()
    for user in (team_manager, administrator):
        response = login(client, user).get(reverse("learning:review", args=[document.public_id]))
        assert response.status_code == 404
    assert login(client, administrator).get(reverse("learning:taxonomy-list")).status_code == 200
    assert login(client, team_manager).get(reverse("learning:taxonomy-list")).status_code == 404


def test_an_unknown_review_is_a_404_like_a_forbidden_one(client, panel_analyst):
    response = login(client, panel_analyst).get(reverse("learning:review", args=["not-a-uuid"]))
    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("learning:index"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


# --- taxonomy pages ------------------------------------------------------------------


def test_an_administrator_drafts_adds_a_theme_and_publishes(client, administrator):
    login(client, administrator)
    response = client.post(reverse("learning:taxonomy-list"), {"notes": "Add racism"})
    assert response.status_code == 302
    assert last_audit().action == AuditAction.DRAFT_TAXONOMY
    page = reverse("learning:taxonomy", args=[2])
    response = client.post(
        page,
        {"label": "Racism and identity", "code": "racism_identity", "group": "practice"},
    )
    assert response.status_code == 302
    assert "<code>racism_identity</code>" in client.get(page).content.decode()
    assert Taxonomy.objects.get(version=2).themes.get(code="racism_identity").order == 35
    response = client.post(reverse("learning:taxonomy-publish", args=[2]))
    assert response.status_code == 302
    assert Taxonomy.objects.get(version=2).status == TaxonomyStatus.PUBLISHED
    assert last_audit().action == AuditAction.PUBLISH_TAXONOMY


def test_a_bad_theme_is_shown_beside_its_field_and_nothing_is_saved(client, panel_analyst):
    actions.draft_taxonomy(actor=panel_analyst, origin=CLI)
    login(client, panel_analyst)
    response = client.post(
        reverse("learning:taxonomy", args=[2]),
        {"label": "Neglect again", "code": "neglect", "group": "harm_type"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "neglect is already used in version 2" in html
    assert Taxonomy.objects.get(version=2).themes.filter(label="Neglect again").count() == 0


def test_a_published_version_shows_no_edit_controls(client, panel_analyst):
    html = login(client, panel_analyst).get(reverse("learning:taxonomy", args=[1])).content.decode()
    assert "Optimism bias" in html
    assert "Add a theme" not in html
    assert "Publish version" not in html


def test_removing_a_theme_from_a_published_version_is_refused(client, panel_analyst):
    theme = Taxonomy.objects.get(version=1).themes.get(code="workload")
    login(client, panel_analyst).post(reverse("learning:theme-remove", args=[1, theme.pk]))
    assert Taxonomy.objects.get(version=1).themes.filter(code="workload").exists()


# --- coding and adjudication pages ---------------------------------------------------


def test_an_analyst_reads_codes_and_submits_a_review_with_audit_rows(client, panel_analyst):
    document = ReviewDocumentFactory.create(text="The family did not engage.")
    page = reverse("learning:review", args=[document.public_id])
    login(client, panel_analyst)
    response = client.get(page)
    assert response.status_code == 200
    assert "The family did not engage." in response.content.decode()
    assert last_audit().action == AuditAction.VIEW_REVIEW_DOCUMENT
    assert last_audit().detail == {"review": document.reference}
    response = client.post(
        page, {"themes": ["reluctant_engagement", "neglect"], "note": "", "submit": "on"}
    )
    assert response.status_code == 302
    coding = Coding.objects.get()
    assert coding.status == "submitted"
    assert AuditEvent.objects.filter(action=AuditAction.SUBMIT_CODING).count() == 1


def test_coders_do_not_see_each_others_coding_until_they_submit(
    client, panel_analyst, second_analyst
):
    document = ReviewDocumentFactory.create()
    taxonomy = actions.published_taxonomy()
    actions.save_coding(
        actor=second_analyst,
        origin=CLI,
        document=document,
        taxonomy=taxonomy,
        theme_codes=["supervision"],
        note="Bo's private note",
        submit=True,
    )
    page = reverse("learning:review", args=[document.public_id])
    login(client, panel_analyst)
    assert "Bo&#x27;s private note" not in client.get(page).content.decode()
    client.post(page, {"themes": ["neglect"], "submit": "on"})
    assert "Bo&#x27;s private note" in client.get(page).content.decode()


def test_an_unknown_theme_code_in_the_post_is_refused(client, panel_analyst):
    document = ReviewDocumentFactory.create()
    response = login(client, panel_analyst).post(
        reverse("learning:review", args=[document.public_id]), {"themes": ["invented"]}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Coding.objects.exists()


def test_the_adjudication_page_records_the_final_coding(client, panel_analyst, second_analyst):
    document = ReviewDocumentFactory.create()
    taxonomy = actions.published_taxonomy()
    for user, codes in ((panel_analyst, ["neglect", "workload"]), (second_analyst, ["neglect"])):
        actions.save_coding(
            actor=user,
            origin=CLI,
            document=document,
            taxonomy=taxonomy,
            theme_codes=codes,
            submit=True,
        )
    page = reverse("learning:adjudicate", args=[document.public_id])
    login(client, panel_analyst)
    html = client.get(page).content.decode()
    assert "Differ" in html
    assert 'value="neglect" checked' in html
    assert 'value="workload" checked' not in html
    response = client.post(page, {"themes": ["neglect", "workload"], "note": ""})
    assert response.status_code == 302
    final = FinalCoding.objects.get(document=document)
    assert sorted(final.themes.values_list("code", flat=True)) == ["neglect", "workload"]
    assert last_audit().action == AuditAction.ADJUDICATE_CODING


def test_the_agreement_page_shows_kappa_per_theme(client, panel_analyst, second_analyst):
    taxonomy = actions.published_taxonomy()
    for text, first, second in (
        ("a", ["neglect"], ["neglect"]),
        ("b", ["neglect"], []),
        ("c", [], ["workload"]),
    ):
        document = ReviewDocumentFactory.create(text=text)
        for user, codes in ((panel_analyst, first), (second_analyst, second)):
            actions.save_coding(
                actor=user,
                origin=CLI,
                document=document,
                taxonomy=taxonomy,
                theme_codes=codes,
                submit=True,
            )
    html = login(client, panel_analyst).get(reverse("learning:agreement")).content.decode()
    assert "3 reviews coded by two analysts" in html
    assert "Pooled kappa" in html


def test_adjudication_uses_the_version_the_review_was_coded_against(
    client, panel_analyst, second_analyst, administrator
):
    document = ReviewDocumentFactory.create()
    version_one = actions.published_taxonomy()
    for user in (panel_analyst, second_analyst):
        actions.save_coding(
            actor=user,
            origin=CLI,
            document=document,
            taxonomy=version_one,
            theme_codes=["neglect"],
            submit=True,
        )
    draft = actions.draft_taxonomy(actor=administrator, origin=CLI)
    actions.publish_taxonomy(actor=administrator, origin=CLI, taxonomy=draft)
    client.force_login(panel_analyst)
    response = client.post(
        reverse("learning:adjudicate", args=[document.public_id]), {"themes": ["neglect"]}
    )
    assert response.status_code == 302
    assert FinalCoding.objects.get(document=document).taxonomy == version_one


def test_a_second_submission_is_refused_with_a_message(client, panel_analyst):
    document = ReviewDocumentFactory.create()
    page = reverse("learning:review", args=[document.public_id])
    client.force_login(panel_analyst)
    client.post(page, {"themes": ["neglect"], "submit": "on"})
    response = client.post(page, {"themes": ["workload"], "submit": "on"})
    assert response.status_code == 200
    assert "you have already submitted your coding" in response.content.decode()
    assert list(Coding.objects.get().themes.values_list("code", flat=True)) == ["neglect"]


def test_a_third_analyst_is_offered_adjudication_without_seeing_the_codings(
    client, panel_analyst, second_analyst, agencies
):
    third = UserFactory.create(username="cy.analyst", agency=agencies["CSC"], role="panel_analyst")
    document = ReviewDocumentFactory.create()
    for user in (panel_analyst, second_analyst):
        actions.save_coding(
            actor=user,
            origin=CLI,
            document=document,
            taxonomy=actions.published_taxonomy(),
            theme_codes=["neglect"],
            note=f"{user.username} note",
            submit=True,
        )
    client.force_login(third)
    html = client.get(reverse("learning:review", args=[document.public_id])).content.decode()
    assert "decide the final coding" in html
    assert "ana.analyst note" not in html


def test_the_final_coding_stays_hidden_until_the_coder_submits_their_own(
    client, panel_analyst, second_analyst, agencies
):
    """Independent coding: a third analyst with a coding in progress sees neither the two
    codings nor the final coding, on the review page or the adjudication page, until
    they submit theirs."""
    third = UserFactory.create(username="cy.analyst", agency=agencies["CSC"], role="panel_analyst")
    document = ReviewDocumentFactory.create()
    taxonomy = actions.published_taxonomy()
    for user in (panel_analyst, second_analyst):
        actions.save_coding(
            actor=user,
            origin=CLI,
            document=document,
            taxonomy=taxonomy,
            theme_codes=["neglect"],
            note=f"{user.username} note",
            submit=True,
        )
    actions.adjudicate(
        actor=panel_analyst,
        origin=CLI,
        document=document,
        taxonomy=taxonomy,
        theme_codes=["neglect"],
    )
    actions.save_coding(
        actor=third,
        origin=CLI,
        document=document,
        taxonomy=taxonomy,
        theme_codes=["workload"],
        submit=False,
    )
    client.force_login(third)
    page = reverse("learning:review", args=[document.public_id])
    html = client.get(page).content.decode()
    assert 'id="final-hidden"' in html
    assert 'id="final-coding"' not in html
    assert "decide the final coding" not in html
    adjudication = client.get(reverse("learning:adjudicate", args=[document.public_id]))
    assert adjudication.status_code == 302
    assert adjudication["Location"] == page
    html = client.get(page).content.decode()
    assert "You cannot decide the final coding yet" in html
    assert "ana.analyst note" not in html
    with pytest.raises(actions.LearningError, match="coding of this review in progress"):
        actions.adjudicate(
            actor=third, origin=CLI, document=document, taxonomy=taxonomy, theme_codes=[]
        )
    client.post(page, {"themes": ["workload"], "submit": "on"})
    html = client.get(page).content.decode()
    assert 'id="final-coding"' in html
    assert "ana.analyst note" in html


def test_the_review_page_says_who_knew_the_child(client, panel_analyst):
    document = ReviewDocumentFactory.create(
        known_to_social_care=True,
        child_protection_plan=True,
        child_in_need_plan=False,
        known_to_police=True,
        known_to_health=False,
    )
    assert document.known_to == [
        "children's social care (child protection plan now or before)",
        "police",
    ]
    client.force_login(panel_analyst)
    html = client.get(reverse("learning:review", args=[document.public_id])).content.decode()
    assert "children&#x27;s social care (child protection plan now or before); police" in html


def test_an_administrator_sets_a_local_authoritys_region(client, administrator, teacher, agencies):
    page = reverse("learning:regions")
    client.force_login(teacher)
    assert client.get(page).status_code == 404
    client.force_login(administrator)
    assert 'name="local_authority" value="CSC"' in client.get(page).content.decode()
    client.post(page, {"local_authority": "CSC", "region": "yorkshire"})
    assert AuthorityRegion.objects.get(local_authority=agencies["CSC"]).region == "yorkshire"
    assert last_audit().action == AuditAction.SET_AUTHORITY_REGION
    response = client.post(page, {"local_authority": "CSC", "region": "mars"}, follow=True)
    assert "region: &#x27;mars&#x27; is not one of" in response.content.decode()
    # Only local authorities' children's social care have a region.
    assert client.post(page, {"local_authority": "POLICE", "region": "london"}).status_code == 404


def test_the_final_coding_is_hidden_until_the_coder_submits_their_own(
    client, panel_analyst, second_analyst, agencies
):
    third = UserFactory.create(username="cy.analyst", agency=agencies["CSC"], role="panel_analyst")
    document = ReviewDocumentFactory.create()
    taxonomy = actions.published_taxonomy()
    for user, codes in ((second_analyst, ["supervision"]), (third, ["supervision", "workload"])):
        actions.save_coding(
            actor=user,
            origin=CLI,
            document=document,
            taxonomy=taxonomy,
            theme_codes=codes,
            submit=True,
        )
    actions.adjudicate(
        actor=third,
        origin=CLI,
        document=document,
        taxonomy=taxonomy,
        theme_codes=["supervision", "workload"],
    )
    page = reverse("learning:review", args=[document.public_id])
    login(client, panel_analyst)
    html = client.get(page).content.decode()
    assert 'id="final-hidden"' in html
    assert 'id="final-coding"' not in html
    client.post(page, {"themes": ["neglect"], "submit": "on"})
    html = client.get(page).content.decode()
    assert 'id="final-coding"' in html
    assert 'id="final-hidden"' not in html
