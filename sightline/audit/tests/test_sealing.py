"""Search criteria are sealed in the audit trail: no name is kept, yet a search can be found."""

import io

import pytest
from django.core.management import call_command

from sightline.audit.actions import CLI, record_audit
from sightline.audit.models import AuditAction
from sightline.audit.sealing import PREFIX, seal, seal_criteria


def test_a_seal_keeps_nothing_of_the_value_and_is_the_same_for_the_same_criterion():
    sealed = seal("name", "Jamie Testchild")
    assert sealed.startswith(PREFIX)
    assert "jamie" not in sealed.casefold()
    assert seal("name", "  jamie   TESTCHILD ") == sealed  # normalised as typed
    assert seal("family_name", "Jamie Testchild") != sealed  # the field is sealed too
    assert seal("name", "Jamie Testchilb") != sealed


def test_only_the_criteria_given_are_kept(settings):
    assert seal_criteria({"name": "Jamie", "postcode": ""}) == {"name": seal("name", "Jamie")}


def test_a_new_secret_key_gives_new_seals(settings):
    before = seal("name", "Jamie")
    settings.SECRET_KEY = "another-key-for-this-test-only-" + "x" * 40
    assert seal("name", "Jamie") != before


@pytest.mark.django_db
def test_an_investigator_finds_the_searches_for_a_name(social_worker):
    criteria = seal_criteria({"name": "Jamie Testchild", "date_of_birth": "2015-03-14"})
    row = record_audit(
        actor=social_worker, action=AuditAction.SEARCH, origin=CLI, detail={"criteria": criteria}
    )
    record_audit(
        actor=social_worker,
        action=AuditAction.SEARCH,
        origin=CLI,
        detail={"criteria": seal_criteria({"name": "Someone Else"})},
    )
    out = io.StringIO()
    call_command("audit-search-for", "--name", "jamie testchild", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[-1] == "1 row(s)"
    assert lines[0].startswith(f"{row.pk}\t")
