from typing import Any

import pytest
from django.utils import timezone

from sightline.linkage import batch, engine, modelfile
from sightline.linkage.features import Problems
from sightline.linkage.models import ModelVersion
from sightline.linkage.tests.synthetic import households


@pytest.fixture(scope="session")
def trained_model() -> dict[str, Any]:
    """A model trained (no labels) on synthetic households: trained once per test run."""
    records, _siblings, _namesakes = households(250, seed=5)
    rows, _positions, _unmatchable = batch.matchable_rows([r.record for r in records], Problems())
    return engine.train(rows, config=engine.EngineConfig(memory_limit="1GB"), max_pairs=5e4)


@pytest.fixture
def model_version(db, trained_model) -> ModelVersion:
    model = modelfile.new_model(trained_model, training={"records": 0}, now=timezone.now())
    return ModelVersion.objects.create(
        version=model.version,
        path="test",
        trained_at=timezone.now(),
        training={},
        splink_model=trained_model,
    )


@pytest.fixture(autouse=True)
def plain_http(settings):
    """Test clients speak plain HTTP; production settings redirect it to HTTPS."""
    settings.SECURE_SSL_REDIRECT = False
