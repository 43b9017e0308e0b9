from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "sightline.governance"
    label = "governance"
    verbose_name = "Information governance: retention, legal holds and disposal"
