"""Impact accounting of exchanges (CO2e, tonnes diverted, water, energy, EUR).

Pure Python + numpy: no Django import, so the matching engine, scripts and
benchmarks use it without settings. Method and sources: docs/impact-method.md.
"""

from .aggregate import aggregate
from .engine import Breakdown, Term, exchange_breakdown
from .vector import material_index, score_exchanges

__all__ = ["Breakdown", "Term", "aggregate", "exchange_breakdown", "material_index", "score_exchanges"]
