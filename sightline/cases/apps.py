from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "sightline.cases"
    label = "cases"
    verbose_name = "The case: episodes of need, plans, care and allocations"
