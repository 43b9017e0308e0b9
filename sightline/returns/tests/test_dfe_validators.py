"""Our writers' output for a synthetic case passes the DfE's own rules with 0 errors.

Runs in `make test` (which builds .venv-validators first); skips, saying why, only when the
validators' environment is absent.
"""

import dataclasses

import pytest

from sightline.returns import cin_census, dfe_validators, ssda903
from sightline.returns.tests import synthetic

pytestmark = [
    pytest.mark.validators,
    pytest.mark.skipif(
        dfe_validators.unavailable_reason() is not None,
        reason=dfe_validators.unavailable_reason() or "",
    ),
]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("returns")
    (out / "cin_census.xml").write_bytes(cin_census.write(synthetic.census()))
    ssda903.write_directory(synthetic.return903(), out / "ssda903")
    return dfe_validators.check(cin=out / "cin_census.xml", ssda903=out / "ssda903", year=2026)


def test_our_returns_pass_the_dfe_rules_with_no_errors(report):
    assert [(i.collection, i.rule, i.message) for i in report.errors] == []
    assert report.crashed == []


def test_the_queries_are_few_and_known(report):
    # 2887Q asks about a return using fewer than 8 disability codes: a three-child case does.
    assert [(i.collection, i.rule) for i in report.queries] == [("cin", "2887Q")]


def test_the_rules_skipped_by_name_are_reported(report):
    assert report.skipped == ["903 231", "903 233"]


def test_the_check_finds_a_faulty_return(tmp_path):
    """The check can fail: a placement without its Ofsted URN is an error (rule 218)."""
    result = synthetic.return903()
    first, second = result.episodes
    faulty = dataclasses.replace(result, episodes=(first, dataclasses.replace(second, urn=None)))
    ssda903.write_directory(faulty, tmp_path)
    found = dfe_validators.check(ssda903=tmp_path, year=2026)
    assert "218" in [i.rule for i in found.errors]
