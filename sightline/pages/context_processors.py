from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from sightline.access.queries import may_review_any
from sightline.accounts.models import Role
from sightline.assessments.access import in_social_care
from sightline.incidents.access import PARTNER_ROLES
from sightline.learning.access import Capability, can
from sightline.linkage.queries import is_reviewer


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
    namespace = (match.namespace if match else "") or ""
    items.extend(
        NavItem(
            text, reverse(url), namespace == url.split(":")[0] if ":" in url else url_name == url
        )
        for text, url, shown in _SECTIONS
        if shown(user)
    )
    return items


def _role(*roles: str) -> Callable[[Any], bool]:
    return lambda user: user.role in roles


# Each section's link appears only for the roles its own access rules let in; the
# pages still decide for themselves (a link is not a permission).
_SECTIONS: list[tuple[str, str, Callable[[Any], bool]]] = [
    ("Decisions", "assessments:dashboard", lambda user: in_social_care(user)),
    ("Serious incidents", "incidents:dashboard", _role(*PARTNER_ROLES, Role.PANEL_ANALYST)),
    (
        "Exploitation meeting",
        "networks:meeting-list",
        lambda user: user.has_perm("networks.view_exploitation_meeting"),
    ),
    ("Identity reviews", "linkage-reviews", lambda user: is_reviewer(user)),
    ("Access reviews", "access-reviews", lambda user: may_review_any(user)),
    ("Administration", "administration", _role(Role.ADMINISTRATOR)),
    ("Subject access", "subjectaccess:list", _role(Role.DATA_QUALITY)),
    ("Retention", "governance:disposals", _role(Role.INFORMATION_GOVERNANCE)),
    ("Retention schedule", "governance:schedule", _role(Role.ADMINISTRATOR)),
    (
        "Learning",
        "learning:index",
        lambda user: any(can(user, capability) for capability in Capability),
    ),
]
