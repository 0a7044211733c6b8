"""Benchmark: CBV 2.0 event hashing and chain verification of a passport's history.

Run: .venv/bin/python bench/bench_epcis.py
Merges into bench/results.json:
- ``epcis_event_hash_per_s``: events hashed per second (canonicalisation + sha-256);
- ``epcis_hash_cost_vs_json_sha256``: time of ``event_hash`` over a naive
  ``sha256(json.dumps(event, sort_keys=True))`` on the same events, in this process (the
  price of serialisation independence);
- ``epcis_verify_chain_1000_s``: verifying a 1000-event chain (hashes every event once);
- ``epcis_validate_event_per_s``: events checked against the GS1 JSON schema per second.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from boucle.epcis import (  # noqa: E402
    association_event,
    build_chain,
    event_hash,
    object_event,
    validate_event,
    verify_chain,
)
from boucle.epcis.gs1keys import normalise_gs1_uri  # noqa: E402

RESULTS = ROOT / "bench" / "results.json"
N = 1000


def history(n: int) -> list[dict]:
    events = []
    for i in range(n):
        epc = f"urn:epc:id:sgtin:3012345.012345.S{i % 50}"
        when = f"2024-01-01T{i % 24:02d}:{i % 60:02d}:00+01:00"
        if i % 3 == 0:
            events.append(association_event("urn:epc:id:giai:3012345.LINE", [epc], event_time=when,
                                            biz_location="urn:epc:id:sgln:3012345.00001.0"))
        else:
            events.append(object_event([epc], biz_step="repairing" if i % 2 else "inspecting",
                                       event_time=when, read_point="urn:epc:id:sgln:3012345.00001.0",
                                       disposition="in_progress",
                                       biz_transactions=[("po", f"urn:epcglobal:cbv:bt:3012345000002:{i}")]))
    return events


def best(fn, repeat=3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    events = history(N)
    def hash_all():
        normalise_gs1_uri.cache_clear()  # time cold identifier canonicalisation too
        return [event_hash(e) for e in events]

    t_hash = best(hash_all)
    t_naive = best(lambda: [hashlib.sha256(json.dumps(e, sort_keys=True).encode()).hexdigest()
                            for e in events])
    links = build_chain(events)
    def verify():
        normalise_gs1_uri.cache_clear()
        return verify_chain(events, links, links[-1])

    t_verify = best(verify)
    sample = events[:200]
    t_validate = best(lambda: [validate_event(e) for e in sample])
    figures = {
        "epcis_event_hash_per_s": round(N / t_hash),
        "epcis_hash_cost_vs_json_sha256": round(t_hash / t_naive, 1),
        "epcis_verify_chain_1000_s": round(t_verify, 3),
        "epcis_validate_event_per_s": round(len(sample) / t_validate),
    }
    for key, value in figures.items():
        print(f"{key}: {value}")
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.update(figures)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
