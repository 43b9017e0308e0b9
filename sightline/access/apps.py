from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "sightline.access"
    label = "access"
    verbose_name = "Access governance"

    def ready(self) -> None:
        from django.conf import settings
        from django.contrib.auth.signals import user_login_failed
        from django.core.exceptions import ImproperlyConfigured

        from sightline.access.clientip import parse_proxies
        from sightline.access.signals import audit_failed_sign_in

        try:  # a typo in the proxy list should stop the start, not every sign-in
            parse_proxies(tuple(settings.SIGHTLINE_TRUSTED_PROXIES))
        except ValueError as error:
            raise ImproperlyConfigured(str(error)) from error

        user_login_failed.connect(audit_failed_sign_in, dispatch_uid="sightline.access.sign_in")
