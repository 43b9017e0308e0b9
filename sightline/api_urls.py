"""Version 1 of the REST API: each app's ``api.py`` contributes its routes here."""

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("sightline.agencies.api")),
    path("", include("sightline.pages.api")),
    path("", include("sightline.record.api")),
    path("", include("sightline.importing.api")),
    path("", include("sightline.linkage.api")),
    path("", include("sightline.chronology.api")),
    path("", include("sightline.sharing.api")),
    path("", include("sightline.cases.api")),
]
