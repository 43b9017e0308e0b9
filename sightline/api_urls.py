"""Version 1 of the REST API: each app's ``api.py`` contributes its routes here."""

from django.urls import include, path

urlpatterns: list = [  # type: ignore[type-arg]
]
