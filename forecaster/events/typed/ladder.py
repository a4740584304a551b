"""The thresholds a CDF is read at: a few positions of the question's scale where the model gives P(value <= t).

Eight reads: enough to place a median and a spread, few enough that all of them together cost about one prefill
of the question (they share its prompt prefix). A closed end needs no read (its CDF value is fixed, 0 or 1); an
open end is read at the bound itself, giving the tail's mass.
"""

from __future__ import annotations

import numpy as np

from forecaster.events.typed.scale import Scale

THRESHOLDS = 8


def ladder_positions(scale: Scale, count: int = THRESHOLDS) -> list[float]:
    """`count` positions, evenly spaced on the scale: from the open lower bound (or 1/(count+1) in from a closed
    one) to the open upper bound (or as far in from a closed one)."""
    inset = 1.0 / (count + 1)
    low = 0.0 if scale.open_lower_bound else inset
    high = 1.0 if scale.open_upper_bound else 1.0 - inset
    return [float(x) for x in np.linspace(low, high, count)]
