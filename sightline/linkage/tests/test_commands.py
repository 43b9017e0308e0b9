import copy
import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from sightline.linkage import modelfile
from sightline.linkage.linkfile import COLUMNS
from sightline.linkage.models import ModelVersion
from sightline.linkage.tests.synthetic import households


def write_people(path, records, *, agencies=None):
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for index, labelled in enumerate(records):
            r = labelled.record
            writer.writerow(
                [
                    labelled.record_id,
                    agencies[index] if agencies else labelled.agency,
                    r.given_name,
                    r.family_name,
                    r.other_names,
                    r.date_of_birth or "",
                    r.sex,
                    r.nhs_number,
                    r.address,
                    r.postcode,
                ]
            )


@pytest.fixture
def model_file(tmp_path, trained_model):
    model = modelfile.new_model(trained_model, training={}, now=timezone.now())
    return modelfile.save(model, tmp_path / "models")


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_links_a_file_one_row_per_input_row_in_input_order(tmp_path, model_file):
    records, _siblings, _namesakes = households(40, seed=4)
    source = tmp_path / "people.csv"
    write_people(source, records)
    output = tmp_path / "out.csv"
    stdout, _err = run(
        "link-file", str(source), "--output", str(output), "--model", str(model_file), "--quiet"
    )
    rows = list(csv.DictReader(output.open()))
    assert [row["record_id"] for row in rows] == [r.record_id for r in records]
    by_person: dict[str, set[int]] = {}
    for row, labelled in zip(rows, records, strict=True):
        by_person.setdefault(row["person_id"], set()).add(labelled.person)
    # Records judged the same person share a person id, and almost never wrongly.
    assert sum(len(truth) > 1 for truth in by_person.values()) <= 1
    assert len(by_person) < len(records)
    summary = json.loads(stdout.split(": ", 1)[1])
    assert summary["records"] == len(records)


def test_it_prefixes_agency_when_bare_ids_collide_and_reports_bad_values(tmp_path, model_file):
    records, _s, _n = households(3, seed=8)
    records = records[:4]
    source = tmp_path / "people.csv"
    write_people(source, records, agencies=["CSC", "POLICE", "HEALTH", "EDUCATION"])
    text = source.read_text().splitlines()
    # Two agencies use the same bare id; one row has nothing to match on.
    text[2] = text[2].replace(records[1].record_id, records[0].record_id, 1)
    text.append("R999,HOUSING,,,,,F,1234567890,1 Mill Lane,LS1 4AP")
    source.write_text("\n".join(text) + "\n")
    output = tmp_path / "out.csv"
    _out, err = run(
        "link-file", str(source), "--output", str(output), "--model", str(model_file), "--quiet"
    )
    rows = list(csv.DictReader(output.open()))
    assert len(rows) == 5
    assert all(":" in row["record_id"] for row in rows)
    assert rows[-1]["record_id"] == "HOUSING:R999"
    assert "could not be matched" in err
    assert "invalid NHS number" in err


def test_it_links_two_deduplicated_agencies_one_to_one(tmp_path, model_file):
    records, _siblings, _namesakes = households(40, seed=5, records_per_child=(2, 3))
    # One record per person in each of two agencies (a school roll and a health register).
    first: dict[int, int] = {}
    second: dict[int, int] = {}
    for index, labelled in enumerate(records):
        (second if labelled.person in first else first).setdefault(labelled.person, index)
    chosen = sorted([*first.values(), *second.values()])
    picked = [records[i] for i in chosen]
    agencies = ["EDUCATION" if i in first.values() else "HEALTH" for i in chosen]
    source = tmp_path / "people.csv"
    write_people(source, picked, agencies=agencies)
    output = tmp_path / "out.csv"
    run(
        "link-file",
        str(source),
        "--output",
        str(output),
        "--model",
        str(model_file),
        "--across-agencies",
        "--quiet",
    )
    rows = list(csv.DictReader(output.open()))
    members: dict[str, list[int]] = {}
    for position, row in enumerate(rows):
        members.setdefault(row["person_id"], []).append(position)
    # Never two records of one agency in one person; almost every person found.
    for positions in members.values():
        assert len({agencies[p] for p in positions}) == len(positions)
        assert len({picked[p].person for p in positions}) == 1
    linked = sum(len(positions) == 2 for positions in members.values())
    assert linked >= 0.9 * len(second)


@pytest.mark.parametrize("across", [False, True])
def test_it_links_a_pre_birth_record_to_the_one_child_born(tmp_path, model_file, across):
    home = '"3 Mill Lane, Leeds",LS6 2BB'
    lines = [
        ",".join(COLUMNS),
        f"U1,CSC,Unborn,Okafor,,2026-03-01,,,{home}",
        f"H1,HEALTH,Amara,Okafor,,2026-03-15,F,9990000018,{home}",
        f"H2,HEALTH,Ngozi,Okafor,,1994-06-02,F,9990000026,{home}",
        f"H3,HEALTH,Chidi,Okafor,,2024-02-11,M,,{home}",
    ]
    source = tmp_path / "people.csv"
    source.write_text("\n".join(lines) + "\n")
    output = tmp_path / "out.csv"
    options = ["--across-agencies"] if across else []
    stdout, _err = run(
        "link-file", str(source), "--output", str(output), "--model", str(model_file), *options
    )
    person = {row["record_id"]: row["person_id"] for row in csv.DictReader(output.open())}
    # The unborn record is Amara's; not her mother's, nor her brother's two years older.
    assert person["U1"] == person["H1"]
    assert len({person["H1"], person["H2"], person["H3"]}) == 3
    summary = json.loads(stdout.split(": ", 1)[1])
    assert summary["prebirth_links"] == 1


@pytest.mark.parametrize(
    "content",
    ["", "record_id,agency\n", "record_id,agency,colour\nR1,CSC,red\n", "given_name\nAmy\n"],
)
def test_it_refuses_an_empty_or_malformed_file_and_writes_nothing(tmp_path, model_file, content):
    source = tmp_path / "bad.csv"
    source.write_text(content)
    output = tmp_path / "out.csv"
    with pytest.raises(CommandError, match="no output written"):
        run("link-file", str(source), "--output", str(output), "--model", str(model_file))
    assert not output.exists()


def test_it_refuses_a_model_file_from_another_version(tmp_path, model_file):
    document = json.loads(model_file.read_text())
    document["code_fingerprint"] = "0000"
    other = tmp_path / "other.json"
    other.write_text(json.dumps(document))
    records, _s, _n = households(2, seed=1)
    source = tmp_path / "people.csv"
    write_people(source, records)
    with pytest.raises(CommandError, match="trained for other comparisons") as caught:
        run("link-file", str(source), "--output", str(tmp_path / "o.csv"), "--model", str(other))
    assert "Train a new one with `sightline train-linkage-model`." in str(caught.value)
    document["format_version"] = 99
    other.write_text(json.dumps(document))
    with pytest.raises(CommandError, match="format 99"):
        modelfile_error(other)
    assert not (tmp_path / "o.csv").exists()


def modelfile_error(path):
    try:
        modelfile.load(path)
    except modelfile.ModelFileError as error:
        raise CommandError(str(error)) from None


@pytest.mark.django_db
def test_it_trains_a_versioned_model_from_the_database(tmp_path, agencies, settings):
    from sightline.testing import factories

    settings.SIGHTLINE_LINKAGE_MODEL_DIR = tmp_path / "models"
    records, _s, _n = households(60, seed=2)
    for labelled in records:
        r = labelled.record
        factories.SourceRecordFactory.create(
            agency=agencies[labelled.agency],
            record_id=labelled.record_id,
            given_name=r.given_name,
            family_name=r.family_name,
            date_of_birth=r.date_of_birth,
            nhs_number="",
            postcode=r.postcode,
            address=r.address,
            sex=r.sex,
        )
    stdout, _err = run("train-linkage-model", "--max-pairs", "20000", "--quiet")
    version = ModelVersion.objects.get()
    assert version.version in stdout
    path = modelfile.latest(tmp_path / "models")
    assert path is not None
    loaded = modelfile.load(path)
    assert loaded.version == version.version
    assert loaded.training["records"] == len(records)
    stdout, _err = run("link", "--quiet")
    assert f"model {version.version}" in stdout


@pytest.mark.django_db
def test_it_refuses_a_registered_model_from_another_version(model_version):
    """A model trained before the comparisons changed (a level added) is refused by
    ``sightline link`` and real-time matching, with the command that retrains."""
    # A copy: the fixture's model is the session's trained model.
    model = copy.deepcopy(model_version.splink_model)
    model_version.splink_model = model
    dates = next(c for c in model["comparisons"] if c["output_column_name"] == "date_of_birth")
    dates["comparison_levels"] = [
        level
        for level in dates["comparison_levels"]
        if level.get("label_for_charts") != "placeholder"
    ]
    model_version.save()
    with pytest.raises(CommandError) as caught:
        run("link", "--quiet")
    message = str(caught.value)
    assert f"Linkage model {model_version.version} was trained by another version" in message
    assert "its date_of_birth levels are not this code's" in message
    assert "Train a new one with `sightline train-linkage-model`." in message
