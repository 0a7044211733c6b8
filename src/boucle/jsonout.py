"""JSON that every parser reads: no ``Infinity`` or ``NaN`` (Python writes them, JSON has none).

A figure that overflowed or is undefined goes out as ``null`` (unknown), which the pages already
show as "—"; a browser's ``JSON.parse`` would otherwise reject the whole document and the public
map would stop loading. Framework-free.
"""

import json
import math


def finite(value):
    """``value`` with every non-finite float, however deep, replaced by ``None``."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def dumps(value, **kwargs) -> str:
    return json.dumps(finite(value), allow_nan=False, **kwargs)
