"""Run every ``bench/bench_*.py`` and write ``bench/results.json``, a flat object of named figures.

Each benchmark merges its own keys. The file is started afresh so no figure survives
from an earlier run; it records the commit measured (``commit``: git HEAD, ``+dirty`` when the
working tree differs). One that crashes or runs out of time is reported under
``<name>_failed`` with the reason, and ``make bench`` still exits 0 within its
25-minute budget (each benchmark at most 6 minutes, data generation included).
"""

import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
BUDGET_S = 24 * 60
MAX_ONE_S = 6 * 60
# Quick ones first, so a slow benchmark can only cost its own figures.
ORDER = ["bench_impact", "bench_materials", "bench_epcis", "bench_allocate", "bench_match", "bench_heldout", "bench_indicators",
         "bench_web", "bench_match_e2e", "bench_sourcing", "bench_aids", "bench_national", "bench_backup"]


def merge(values):
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data.update(values)
    RESULTS.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def commit() -> str:
    """The git HEAD measured, marked when uncommitted changes were measured with it."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=HERE, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=HERE, capture_output=True,
                               text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def main() -> int:
    RESULTS.write_text("{}\n")
    merge({"commit": commit()})
    scripts = sorted(HERE.glob("bench_*.py"), key=lambda p: (ORDER.index(p.stem) if p.stem in ORDER else 99, p.name))
    started = time.monotonic()
    for script in scripts:
        left = BUDGET_S - (time.monotonic() - started)
        name = script.stem.removeprefix("bench_")
        if left < 30:
            merge({f"{name}_failed": "not run: the 25-minute budget of make bench was spent"})
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
