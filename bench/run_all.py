"""Run every ``bench/bench_*.py`` and keep ``bench/results.json`` a flat object of named figures.

Each benchmark merges its own keys. One that crashes or times out is reported, and
``make bench`` still exits 0 so the other figures are kept.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
TIMEOUT_S = 240


def main() -> int:
    if not RESULTS.exists():
        RESULTS.write_text("{}\n")
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        started = time.monotonic()
        try:
            code = subprocess.call([sys.executable, str(script)], timeout=TIMEOUT_S, cwd=HERE.parent)
        except subprocess.TimeoutExpired:
            code = "timeout"
        print(f"== {script.name}: exit {code} in {time.monotonic() - started:.1f} s", flush=True)
    print(json.dumps(json.loads(RESULTS.read_text()), indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
