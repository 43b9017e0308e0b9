import datetime as dt

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "sightline.cases"
    label = "cases"
    verbose_name = "The case: episodes of need, plans, care and allocations"

    def statistics(self, *, as_of: dt.date) -> dict[str, object]:
        """What the case adds to ``sightline stats`` (``cases.queries.statistics``)."""
        from sightline.cases.queries import statistics

        return statistics(as_of=as_of)
