"""Progress lines on standard error (standard output stays for results)."""

import sys
import time
from collections.abc import Callable

from rich.console import Console


def reporter(*, quiet: bool = False) -> Callable[[str], None]:
    console = Console(file=sys.stderr, highlight=False)
    started = time.monotonic()

    def say(message: str) -> None:
        if not quiet:
            console.print(f"[dim]{time.monotonic() - started:7.1f}s[/dim] {message}")

    return say
