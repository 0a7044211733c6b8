"""Label classification throughput: vectorised batch vs one-label-at-a-time, same process.

Labels are synthetic declarations built from a fixed word list (seeded), so that almost all
100k are distinct: deduplication, which makes real imports much faster, does not help here.
Merges its keys into bench/results.json.
"""
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "src" / "boucle" / "materials" / "tests"))

from boucle.materials.classify import classify_label, classify_labels  # noqa: E402
from boucle.materials.index import lexical_index  # noqa: E402
from test_materials_labels_holdout import FLOORS, _accuracy  # noqa: E402

N = 100_000
SINGLE_SAMPLE = 500


def main() -> int:
    t0 = time.perf_counter()
    lexical_index()
    build_s = time.perf_counter() - t0

    words = [w for cases, _ in FLOORS.values() for label, _ in cases for w in label.split()]
    rng = random.Random(42)
    labels = [" ".join(rng.sample(words, rng.randint(1, 5)))
              + (f" {rng.randint(1, 999)} t" if rng.random() < 0.3 else "") for _ in range(N)]
    print(f"{len(set(labels))} distinct labels of {N}", file=sys.stderr)

    t0, c0 = time.perf_counter(), time.process_time()
    classify_labels(labels)
    batch_s, batch_cpu_s = time.perf_counter() - t0, time.process_time() - c0

    t0 = time.perf_counter()
    for label in labels[:SINGLE_SAMPLE]:
        classify_label(label)
    single_s = (time.perf_counter() - t0) * N / SINGLE_SAMPLE

    results = {
        "materials_index_build_s": round(build_s, 3),
        "materials_classify_100k_s": round(batch_s, 2),
        "materials_classify_100k_cpu_s": round(batch_cpu_s, 2),  # wall time varies with load
        "materials_batch_speedup_vs_single": round(single_s / batch_s, 1),
    }
    for name in FLOORS:
        results[f"materials_holdout_{name}_top1"] = round(_accuracy(FLOORS[name][0])[0], 3)
    for k, v in results.items():
        print(f"{k}: {v}")

    path = ROOT / "bench" / "results.json"
    current = json.loads(path.read_text()) if path.exists() else {}
    current.update(results)
    path.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
