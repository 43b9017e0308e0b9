from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "sightline.incidents"
    label = "incidents"
    verbose_name = "Serious incidents and reviews"
