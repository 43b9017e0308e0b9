import io
import json

import pytest

from sightline.learning import corpus
from sightline.learning.themes import STARTING_THEMES

GOOD = {
    "reference": "SYN-1",
    "kind": "rapid",
    "title": "Synthetic review",
    "text": "Synthetic text.",
    "notified_on": "2023-05-01",
    "completed_on": None,
    "local_authority": "Tynebury",
    "region": "north_east",
    "nature": "death",
    "age_band": "under_1",
    "sex": "male",
    "ethnicity": "white",
    "disability": "no",
    "known_to_social_care": True,
    "child_protection_plan": False,
    "child_in_need_plan": False,
    "looked_after": False,
    "known_to_police": False,
    "known_to_health": True,
    "known_to_education": False,
    "is_synthetic": True,
    "themes": ["sudi"],
}
HEADER = {"format": "sightline-review-corpus", "version": 1, "synthetic": True}


def lines(*objects):
    return io.StringIO("\n".join(json.dumps(o) for o in objects) + "\n")


def test_it_reads_a_header_and_records():
    header, records = corpus.read_corpus(lines(HEADER, GOOD))
    assert header["synthetic"] is True
    assert records[0].themes == ("sudi",)
    assert records[0].notified_on.isoformat() == "2023-05-01"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"region": "mars"}, "line 2: region: 'mars' is not one of"),
        ({"title": ""}, "line 2: title: is required text"),
        ({"notified_on": "01/05/2023"}, "line 2: notified_on: '01/05/2023' is not a date"),
        ({"completed_on": "2023-04-01"}, "line 2: completed_on: is before notified_on"),
        ({"looked_after": "no"}, "line 2: looked_after: must be true or false"),
        ({"themes": "sudi"}, "line 2: themes: must be a list"),
        ({"themes": ["sudi", "sudi"]}, "line 2: themes: a theme is listed twice"),
        ({"colour": "red"}, "line 2: colour: is not a field"),
        ({"is_synthetic": False}, "line 2: is_synthetic: the header says the file is synthetic"),
    ],
)
def test_it_names_the_line_and_field_of_a_bad_record(change, message):
    with pytest.raises(corpus.CorpusError, match=message):
        corpus.read_corpus(lines(HEADER, GOOD | change))


def test_it_requires_the_header_first():
    with pytest.raises(corpus.CorpusError, match="line 1: format: the first line must be"):
        corpus.read_corpus(lines(GOOD))
    with pytest.raises(corpus.CorpusError, match="line 1: format: the file is empty"):
        corpus.read_corpus(io.StringIO(""))
    with pytest.raises(corpus.CorpusError, match="line 1: not valid JSON"):
        corpus.read_corpus(io.StringIO("{nope\n"))


def test_generated_reviews_are_marked_synthetic_use_known_themes_and_repeat_by_seed():
    codes = {code for _, code, _ in STARTING_THEMES}
    first = list(corpus.generate_corpus(50, seed=7))
    assert first == list(corpus.generate_corpus(50, seed=7))
    assert first != list(corpus.generate_corpus(50, seed=8))
    for record in first:
        assert record.is_synthetic
        assert record.reference.startswith("SYN-")
        assert record.title.startswith("Synthetic ")
        assert "synthetic" in record.text.split(".")[0]
        assert set(record.themes) <= codes
        assert record.themes
        assert 2019 <= record.notified_on.year <= 2024


def test_a_written_corpus_reads_back_the_same():
    records = list(corpus.generate_corpus(5, seed=1))
    stream = io.StringIO()
    corpus.write_corpus(stream, records, note=corpus.SYNTHETIC_NOTE)
    stream.seek(0)
    header, again = corpus.read_corpus(stream)
    assert header["synthetic"] is True
    assert again == records


def test_the_shipped_corpus_is_what_the_generator_makes():
    stream = io.StringIO()
    corpus.write_corpus(stream, corpus.generate_corpus(600, seed=20181), note=corpus.SYNTHETIC_NOTE)
    assert corpus.SHIPPED_CORPUS.read_text(encoding="utf-8") == stream.getvalue()
