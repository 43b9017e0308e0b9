from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "sightline.access"
    label = "access"
    verbose_name = "Access governance"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from sightline.access.signals import audit_failed_sign_in

        user_login_failed.connect(audit_failed_sign_in, dispatch_uid="sightline.access.sign_in")
