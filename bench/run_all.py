"""Run every ``bench/bench_*.py`` and write ``bench/results.json``, a flat object of named figures.

Each benchmark merges its own keys. The file is started afresh so no figure survives
from an earlier run. One that crashes or runs out of time is reported under
``<name>_failed`` with the reason, and ``make bench`` still exits 0 within its
15-minute budget.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
BUDGET_S = 14 * 60
MAX_ONE_S = 6 * 60
# Quick ones first, so a slow benchmark can only cost its own figures.
ORDER = ["bench_impact", "bench_materials", "bench_epcis", "bench_allocate", "bench_match", "bench_indicators",
         "bench_web", "bench_sourcing"]


def merge(values):
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data.update(values)
    RESULTS.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def main() -> int:
    RESULTS.write_text("{}\n")
    scripts = sorted(HERE.glob("bench_*.py"), key=lambda p: (ORDER.index(p.stem) if p.stem in ORDER else 99, p.name))
    started = time.monotonic()
    for script in scripts:
        left = BUDGET_S - (time.monotonic() - started)
        name = script.stem.removeprefix("bench_")
        if left < 30:
            merge({f"{name}_failed": "not run: the 15-minute budget of make bench was spent"})
            continue
        print(f"== {script.name}", flush=True)
        t0 = time.monotonic()
        try:
            code = subprocess.call([sys.executable, str(script)], timeout=min(MAX_ONE_S, left), cwd=HERE.parent)
        except subprocess.TimeoutExpired:
            code = "timeout"
        if code != 0:
            merge({f"{name}_failed": f"exit {code}"})
        print(f"== {script.name}: exit {code} in {time.monotonic() - t0:.1f} s", flush=True)
    print(json.dumps(json.loads(RESULTS.read_text()), indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
