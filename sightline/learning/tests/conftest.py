from typing import Any

import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The personas' passwords are hashed on creation; a slow hasher adds a second per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class HttpsClient(Client):
    """Requests as if over HTTPS, as production serves them (no redirect in the way)."""

    def generic(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["secure"] = True
        return super().generic(*args, **kwargs)


@pytest.fixture
def client() -> HttpsClient:
    return HttpsClient()


@pytest.fixture(autouse=True)
def _fresh_suggestions():
    """The fitted suggester is kept in the process; each test starts without one."""
    from sightline.learning import suggestions

    suggestions._fitted = None
    yield
    suggestions._fitted = None
