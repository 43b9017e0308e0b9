from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from sightline.pages import home

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", home.login, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", home.healthz, name="healthz"),
    path("access/", include("sightline.access.urls")),
    path("people/", include("sightline.pages.urls")),
    path("linkage/", include("sightline.linkage.urls")),
    path("networks/", include("sightline.networks.urls")),
    path("incidents/", include("sightline.incidents.urls")),
    path("imports/", include("sightline.importing.urls")),
    path("learning/", include("sightline.learning.urls")),
    path("assessments/", include("sightline.assessments.urls")),
    path("sharing/", include("sightline.sharing.urls")),
    path("subject-access/", include("sightline.subjectaccess.urls")),
    path("governance/", include("sightline.governance.urls")),
    path("api/v1/", include("sightline.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]
