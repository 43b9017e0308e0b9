from sightline.importing.rows import RowError


class RowsRejectedError(Exception):
    """Input was refused; ``errors`` lists every problem found, with line and column."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s): " + "; ".join(str(e) for e in errors[:5]))
