import pytest

from sightline.chronology.benchmark import percentile, summarise


def test_percentile_uses_nearest_rank():
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert percentile(values, 0.95) == 95.0
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 1.0) == 100.0
    assert percentile([3.0, 1.0, 2.0], 0.95) == 3.0


def test_percentile_refuses_nonsense():
    with pytest.raises(ValueError, match="no values"):
        percentile([], 0.5)
    with pytest.raises(ValueError, match="fraction"):
        percentile([1.0], 0)


def test_summarise_reports_milliseconds():
    timing = summarise("x", [0.001, 0.002, 0.003])
    assert (timing.median_ms, timing.p95_ms, timing.samples) == (2.0, 3.0, 3)
