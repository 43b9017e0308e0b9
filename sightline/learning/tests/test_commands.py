import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from sightline.audit.models import AuditAction, AuditEvent
from sightline.learning import corpus
from sightline.learning.models import FinalCoding, ReviewDocument
from sightline.testing.factories import ReviewDocumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_file(tmp_path):
    path = tmp_path / "reviews.jsonl"
    with path.open("w") as stream:
        corpus.write_corpus(stream, corpus.generate_corpus(120, seed=5), note="test")
    return path


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_it_loads_a_corpus_file_with_one_audit_row(small_file):
    output = run("load-review-corpus", str(small_file))
    assert "Imported 120 synthetic reviews" in output
    assert ReviewDocument.objects.count() == FinalCoding.objects.count() == 120
    audit = AuditEvent.objects.get(action=AuditAction.IMPORT_REVIEW_CORPUS)
    assert audit.via == "cli"
    assert audit.actor is None


def test_it_loads_nothing_from_a_file_with_a_bad_line(tmp_path, small_file):
    lines = small_file.read_text().splitlines()
    bad = json.loads(lines[3])
    bad["nature"] = "unknown"
    lines[3] = json.dumps(bad)
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines))
    with pytest.raises(CommandError, match="line 4: nature: 'unknown' is not one of"):
        run("load-review-corpus", str(path))
    assert not ReviewDocument.objects.exists()
    with pytest.raises(CommandError, match="file: cannot read"):
        run("load-review-corpus", str(tmp_path / "missing.jsonl"))


def test_it_loads_the_shipped_corpus_by_default_and_once_with_if_empty():
    assert "Imported 600 synthetic reviews" in run("load-review-corpus", "--if-empty")
    assert "nothing imported" in run("load-review-corpus", "--if-empty")
    assert ReviewDocument.objects.count() == 600


def test_it_evaluates_suggestions_on_a_file_as_json(small_file):
    figures = json.loads(
        run("evaluate-theme-suggestions", "--file", str(small_file), "--folds", "2", "--json")
    )
    assert figures["reviews"] == 120
    assert figures["source"] == "reviews.jsonl (synthetic)"
    assert figures["micro"]["f1"] > figures["baseline_micro"]["f1"]
    assert "domestic_abuse" in figures["per_theme"]


def test_it_evaluates_the_final_codings_in_the_database(small_file):
    run("load-review-corpus", str(small_file))
    output = run("evaluate-theme-suggestions", "--from-database", "--folds", "2")
    assert "120 reviews from final codings in the database" in output
    assert "all themes (micro)" in output


def test_it_refuses_bad_evaluation_options(small_file):
    with pytest.raises(CommandError, match="--threshold: must be between 0 and 1"):
        run("evaluate-theme-suggestions", "--threshold", "2")
    with pytest.raises(CommandError, match="too few for 50 folds"):
        run("evaluate-theme-suggestions", "--file", str(small_file), "--folds", "50")


def test_it_generates_a_corpus_file(tmp_path):
    out = tmp_path / "made.jsonl"
    assert "Wrote 12 synthetic reviews" in run(
        "generate-review-corpus", "--count", "12", "--out", str(out)
    )
    with out.open() as stream:
        header, records = corpus.read_corpus(stream)
    assert header["synthetic"] is True
    assert len(records) == 12


def test_the_coding_page_shows_suggestions_unticked_once_reviews_are_coded(
    client, panel_analyst, small_file
):
    run("load-review-corpus", str(small_file))
    document = ReviewDocumentFactory.create(
        text="There were repeated police call-outs to domestic abuse between the parents."
    )
    client.force_login(panel_analyst)
    html = client.get(reverse("learning:review", args=[document.public_id])).content.decode()
    assert "Themes the text suggests" in html
    assert "<strong>Domestic abuse</strong>" in html
    assert 'value="domestic_abuse" checked' not in html


def test_the_benchmark_fills_once_and_reports_figures():
    figures = json.loads(run("bench-learning", "--reviews", "30", "--runs", "1", "--json"))
    assert figures["reviews_in_year"] == 30
    assert figures["double_coded"] == 30
    assert [t["name"] for t in figures["timings"]] == [
        "annual report figures",
        "annual report page",
        "annual report CSV",
        "national tables",
    ]
    run("bench-learning", "--reviews", "30", "--runs", "1", "--json")
    assert ReviewDocument.objects.count() == 30  # reused, not added again
    with pytest.raises(CommandError, match="over the 1e-06 s budget"):
        run("bench-learning", "--reviews", "30", "--runs", "1", "--budget", "0.000001")


def test_it_loads_reviews_for_coding_without_their_themes(small_file):
    assert "Imported 120 synthetic reviews to be coded" in run(
        "load-review-corpus", str(small_file), "--for-coding"
    )
    assert ReviewDocument.objects.count() == 120
    assert not FinalCoding.objects.exists()
    assert AuditEvent.objects.get(action=AuditAction.IMPORT_REVIEW_CORPUS).detail["coded"] is False
