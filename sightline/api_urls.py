"""Version 1 of the REST API: each app's ``api.py`` contributes its routes here."""

urlpatterns: list = [  # type: ignore[type-arg]
]
