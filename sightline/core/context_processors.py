from django.conf import settings
from django.http import HttpRequest


def service(request: HttpRequest) -> dict[str, object]:
    return {"service_name": "Sightline", "demo_mode": settings.DEMO_MODE}
