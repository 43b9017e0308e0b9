from django.apps import AppConfig


class ImportingConfig(AppConfig):
    name = "sightline.importing"
    label = "importing"
