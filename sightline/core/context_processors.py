from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    text: str
    href: str
    active: bool


def service(request: HttpRequest) -> dict[str, object]:
    return {
        "service_name": "Sightline",
        "demo_mode": settings.DEMO_MODE,
        "navigation": _navigation(request),
    }


def _navigation(request: HttpRequest) -> list[NavItem]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    match = getattr(request, "resolver_match", None)
    url_name = (match.url_name if match else "") or ""
    items = [
        NavItem("Home", reverse("home"), url_name == "home"),
        NavItem(
            "Find a child",
            reverse("people-search"),
            url_name in {"people-search", "person-detail", "person-chronology"},
        ),
    ]
    if getattr(user, "agency_id", None) is not None:
        try:
            imports = reverse("importing-upload")
        except NoReverseMatch:  # the import pages are not mounted in this deployment
            pass
        else:
            items.append(NavItem("Import files", imports, url_name.startswith("importing-")))
    return items
