"""The collection year of the national returns: 1 April to 31 March, named by its end year.

"2026" is the year 1 April 2025 to 31 March 2026 (2025/26), as the DfE names it.
"""

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class CollectionYear:
    end_year: int

    @classmethod
    def containing(cls, day: dt.date) -> "CollectionYear":
        return cls(day.year + 1 if day.month >= 4 else day.year)

    @property
    def start(self) -> dt.date:
        return dt.date(self.end_year - 1, 4, 1)

    @property
    def end(self) -> dt.date:
        """The last day of the year (the census reference date), inclusive."""
        return dt.date(self.end_year, 3, 31)

    @property
    def label(self) -> str:
        return f"{self.end_year - 1}/{self.end_year % 100:02d}"

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end

    def overlaps(self, start: dt.date, end: dt.date | None) -> bool:
        """Whether a period from ``start`` to ``end`` (open if None) touches this year."""
        return start <= self.end and (end is None or end >= self.start)
