"""Is `boucle match --no-store --format jsonl` byte-identical to a saved reference on a bench database?

A speed-up of the reading side (database, classification, activities, search) must not change one
proposal. Save the output of the tree before the change, then compare the tree after it:

    .venv/bin/python bench/bench_match_e2e.py --keep /tmp/db --runs 1 --no-write   # builds the database
    .venv/bin/python bench/match_output_identity.py /tmp/db --save /tmp/ref.jsonl   # before
    .venv/bin/python bench/match_output_identity.py /tmp/db --ref /tmp/ref.jsonl    # after: exit 1 if it differs

Also prints the command's CPU seconds (user + system: less sensitive than wall time on a shared
machine) and peak memory.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(folder: Path, out: Path) -> tuple[float, float, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOUCLE_", "DATABASE_"))}
    env.update({"BOUCLE_DATA_DIR": str(folder), "PYTHONPATH": str(ROOT / "src"), "BOUCLE_LANG": "fr"})
    t0 = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-m", "boucle", "match", "--no-store", "--format", "jsonl",
                          "--output", str(out)], env=env, cwd=ROOT, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    err = p.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"boucle match failed: {err[-2000:]}")
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024.0


def first_difference(a: Path, b: Path) -> str:
    with a.open(encoding="utf-8") as fa, b.open(encoding="utf-8") as fb:
        for n, (la, lb) in enumerate(zip(fa, fb), 1):
            if la != lb:
                return f"line {n}:\n  got  {la[:300]}\n  want {lb[:300]}"
    return "one output is a prefix of the other"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", help="a bench database folder (bench_match_e2e.py --keep)")
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", help="write the output here (the reference)")
    group.add_argument("--ref", help="compare the output with this reference")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="boucle-identity-") as tmp:
        out = Path(tmp) / "proposals.jsonl"
        cpu, wall, peak = run(Path(args.folder), out)
        digest = hashlib.sha256(out.read_bytes()).hexdigest()[:16]
        lines = sum(1 for _ in out.open(encoding="utf-8"))
        print(f"{lines} proposals, sha256 {digest}; {cpu:.2f} s CPU, {wall:.2f} s wall, peak {peak:.0f} MB")
        if args.save:
            shutil.copyfile(out, args.save)
            return 0
        ref = Path(args.ref)
        if out.read_bytes() == ref.read_bytes():
            print("byte-identical to the reference")
            return 0
        print("DIFFERS from the reference: " + first_difference(out, ref))
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
