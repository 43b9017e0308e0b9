from django.apps import AppConfig


class RecordConfig(AppConfig):
    """An app without models: installed so that django-rules finds ``record/rules.py``."""

    name = "sightline.record"
    label = "record"
    verbose_name = "Child's record (read side)"
