"""The one error a national return's reader raises: the place, the field and what is wrong."""


class ReturnError(ValueError):
    """A return that cannot be read, rejected whole.

    ``place`` names where: an element path in a CIN census (``Children/Child[3]/CINdetails[1]``)
    or a file name in an SSDA903 return; ``line`` is the line in that file, ``field`` the
    element or column.
    """

    def __init__(self, place: str, problem: str, *, field: str = "", line: int | None = None):
        self.place = place
        self.problem = problem
        self.field = field
        self.line = line
        where = place + (f", line {line}" if line is not None else "")
        super().__init__(f"{where}: {field}: {problem}" if field else f"{where}: {problem}")
