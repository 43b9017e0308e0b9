"""Static charts for the PDF and PNG exports (matplotlib, no display). No Django imports.

The page draws the same figures with Chart.js beside a table; these are for print.
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

_BLUE = "#1d70b8"
_GREY = "#505a5f"


@dataclass(frozen=True)
class Bar:
    label: str
    share: float
    low: float
    high: float


def theme_bars(bars: Sequence[Bar], *, title: str, fmt: str) -> bytes:
    """Horizontal bars of shares (0-1) with their 95% intervals, as ``png`` or ``svg``."""
    if fmt not in {"png", "svg"}:
        raise ValueError(f"fmt: {fmt!r} is not png or svg")
    rows = list(reversed(bars))  # matplotlib draws the first bar at the bottom
    height = max(2.0, 0.32 * len(rows) + 1.0)
    figure, axes = plt.subplots(figsize=(7.5, height), dpi=150)
    try:
        positions = range(len(rows))
        shares = [100 * b.share for b in rows]
        errors = [
            [100 * (b.share - b.low) for b in rows],
            [100 * (b.high - b.share) for b in rows],
        ]
        axes.barh(list(positions), shares, color=_BLUE, height=0.6)
        axes.errorbar(shares, list(positions), xerr=errors, fmt="none", ecolor=_GREY, capsize=2)
        axes.set_yticks(list(positions), [b.label for b in rows], fontsize=8)
        axes.set_xlim(0, 100)
        axes.set_xlabel("Per cent of reviews (bars: 95% Wilson interval)", fontsize=8)
        axes.set_title(title, fontsize=10, loc="left")
        axes.spines[["top", "right"]].set_visible(False)
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format=fmt, metadata={"Date": None} if fmt == "svg" else {})
        return out.getvalue()
    finally:
        plt.close(figure)
