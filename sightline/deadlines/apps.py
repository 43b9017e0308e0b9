from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "sightline.deadlines"
    label = "deadlines"
    verbose_name = "Deadlines and local closures"
