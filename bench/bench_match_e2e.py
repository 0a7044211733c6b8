"""`boucle match --no-store` end to end on a dense region: 50,000 sites, 200,000 declared flows.

The dense case: every flow inside one region (Hauts-de-France communes, ~1 km jitter) and all of
them drawn from a few dozen common labels, so each offer has thousands of compatible needs within
the radius, and each site brings the needs inferred from its activity (NAF code). The territory is
generated here (seeded), imported through `boucle import sites|flows` into a fresh database in a
temporary folder, then `boucle match --no-store --format jsonl` runs as a user runs it, three
times: database read, classification, inference, search, proposals written.

Figures: ``match_e2e_200k_seconds`` (wall time of the command, median of 3) and
``match_e2e_200k_peak_mb`` (peak resident memory of the command's process, from ``wait4``, median
of 3). The answer is checked: for a sample of offers, the proposals printed must equal those of
the full enumeration of every pair in reach (``pipeline.propose(..., exhaustive=True)``, run here
on those offers and every need) followed by the same selection.

Usage: .venv/bin/python bench/bench_match_e2e.py [--sites 50000] [--flows 200000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results.json"
COMMUNES = ROOT / "src/boucle/data/geo/communes.csv"
REGION = "32"  # Hauts-de-France
RUNS = 3
SAMPLE_OFFERS = 8

# Common labels as companies write them (several classify to more than one material class), with
# the unit they are declared in and the share of flows using them.
OFFER_LABELS = [
    ("ferraille", "t"), ("carton", "t"), ("palettes bois", "t"), ("plastique", "t"), ("sciure", "t"),
    ("verre", "t"), ("gravats", "t"), ("boues de station", "t"), ("cendres volantes", "t"),
    ("laitier de haut fourneau", "t"), ("huile usagée", "t"), ("déchets alimentaires", "t"), ("papier", "t"),
    ("sable de fonderie", "t"), ("drêches", "t"), ("pulpes de betteraves", "t"), ("DIB", "t"),
    ("films plastiques", "t"), ("big bags", "t"), ("boues de papeterie", "t"), ("mâchefers", "t"),
    ("emballages", "t"), ("terres", "t"), ("aluminium", "t"), ("chaleur fatale", "MWh"),
    ("eau de refroidissement", "m3"),
]
NEED_LABELS = [
    ("ferraille", "t"), ("carton", "t"), ("palettes bois", "t"), ("plastique", "t"), ("sciure", "t"),
    ("calcin", "t"), ("gravats", "t"), ("cendres volantes", "t"), ("laitier de haut fourneau", "t"),
    ("papier", "t"), ("sable de fonderie", "t"), ("drêches", "t"), ("pulpes de betteraves", "t"), ("gypse", "t"),
    ("terres", "t"), ("aluminium", "t"), ("vapeur", "MWh"), ("eau de process", "m3"), ("big bags", "t"),
    ("emballages", "t"),
]
KIND = {"t": "material", "MWh": "energy", "m3": "water"}
# Activities of the sites (NAF), so that inferred needs weigh as in a SIRENE-scale directory.
NAF = ["10.11Z", "10.51A", "10.71A", "10.81Z", "11.05Z", "16.10A", "17.12Z", "20.14Z", "20.15Z", "22.22Z",
       "23.51Z", "23.61Z", "24.10Z", "24.51Z", "25.11Z", "25.62B", "28.29B", "29.10Z", "35.11Z", "35.30Z",
       "38.11Z", "38.21Z", "38.32Z", "41.20A", "43.99C", "46.77Z", "49.41A", "52.10B", "01.13Z", "01.11Z"]


def generate(folder: Path, n_sites: int, n_flows: int, seed: int = 7) -> tuple[Path, Path]:
    rng = np.random.default_rng(seed)
    with COMMUNES.open(newline="", encoding="utf-8") as f:
        communes = [r for r in csv.DictReader(f) if r["region"] == REGION and r["lat"] and r["lon"]]
    pick = rng.integers(0, len(communes), n_sites)
    lat = np.array([float(communes[i]["lat"]) for i in pick]) + rng.normal(0, 0.01, n_sites)
    lon = np.array([float(communes[i]["lon"]) for i in pick]) + rng.normal(0, 0.014, n_sites)
    naf = rng.choice(NAF, n_sites)
    sites_csv = folder / "sites.csv"
    with sites_csv.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["site_id", "name", "naf_code", "latitude", "longitude", "commune_insee", "country"])
        for i in range(n_sites):
            w.writerow([f"S{i:06d}", f"Site {i}", naf[i], f"{lat[i]:.6f}", f"{lon[i]:.6f}",
                        communes[pick[i]]["code_insee"], "FR"])
    flows_csv = folder / "flows.csv"
    # Draw a quarter more than needed and keep the first of each (site, direction, label): the
    # import refuses a site declaring the same flow twice.
    n_draw = n_flows + n_flows // 4
    offer = rng.random(n_draw) < 0.5
    zipf = lambda n: (p := 1.0 / np.arange(1, n + 1) ** 0.6) / p.sum()  # noqa: E731
    o_lab = rng.choice(len(OFFER_LABELS), n_draw, p=zipf(len(OFFER_LABELS)))
    n_lab = rng.choice(len(NEED_LABELS), n_draw, p=zipf(len(NEED_LABELS)))
    site = rng.integers(0, n_sites, n_draw)
    _, first = np.unique((site * 2 + offer) * 64 + np.where(offer, o_lab, n_lab), return_index=True)
    keep = np.sort(first)[:n_flows]
    offer, o_lab, n_lab, site = offer[keep], o_lab[keep], n_lab[keep], site[keep]
    qty = np.round(rng.lognormal(3.0, 1.5, n_flows), 1)
    known = rng.random(n_flows) < 0.8
    with flows_csv.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["site_id", "direction", "label", "kind", "quantity", "unit", "period"])
        for j in range(n_flows):
            label, unit = OFFER_LABELS[o_lab[j]] if offer[j] else NEED_LABELS[n_lab[j]]
            w.writerow([f"S{site[j]:06d}", "offer" if offer[j] else "need", label, KIND[unit],
                        qty[j] if known[j] else "", unit if known[j] else "", "year" if known[j] else ""])
    return sites_csv, flows_csv


def boucle(env, *args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "boucle", *args], env=env, cwd=ROOT, check=True, **kw)


def timed_match(env, out: Path) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MB) and CPU seconds of one `boucle match --no-store` process."""
    t0 = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-m", "boucle", "match", "--no-store", "--format", "jsonl",
                          "--output", str(out)], env=env, cwd=ROOT, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    seconds = time.perf_counter() - t0
    err = p.stderr.read().decode()
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise RuntimeError(f"boucle match exited {p.returncode}: {err[-2000:]}")
    return seconds, usage.ru_maxrss / 1024.0, usage.ru_utime + usage.ru_stime  # ru_maxrss: KiB on Linux


def check(env, out: Path) -> tuple[int, int]:
    """Proposals of a sample of offers against the full enumeration; returns (offers, lines) checked."""
    os.environ.update({k: v for k, v in env.items() if k.startswith(("BOUCLE_", "DATABASE_"))})
    sys.path.insert(0, str(ROOT / "src"))
    from boucle.bootstrap import setup_django

    setup_django()
    from boucle.matching.commands import _row
    from boucle.matching.pipeline import propose
    from boucle.matching.service_run import pipeline_inputs, territory_sites

    sites, flows = pipeline_inputs(territory_sites(None))
    printed: dict[str, list] = {}
    with out.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            printed.setdefault(row["offer_flow_id"], []).append(row)
    offers = sorted(f.flow_id for f in flows if f.direction == "offer")
    rng = np.random.default_rng(0)
    sample = set(rng.choice(offers, SAMPLE_OFFERS, replace=False).tolist())
    needs = [f for f in flows if f.direction == "need"]
    by_id = {f.flow_id: f for f in flows}
    lines = 0
    for chunk in np.array_split(sorted(sample), 2):
        want = propose(sites, [by_id[i] for i in chunk] + needs, exhaustive=True)
        want_rows = json.loads(json.dumps([_row(p) for p in want], ensure_ascii=False, default=str))
        got_rows = [r for i in chunk for r in printed.get(i, [])]
        key = lambda r: (r["offer_flow_id"], -r["score"], r["need_site_id"], str(r["need_flow_id"]))  # noqa: E731
        if sorted(got_rows, key=key) != sorted(want_rows, key=key):
            raise AssertionError(f"offers {list(chunk)}: boucle match printed {len(got_rows)} lines, "
                                 f"the full enumeration gives {len(want_rows)} (or different ones)")
        lines += len(want_rows)
    return len(sample), lines


def merge_results(values: dict) -> None:
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data.update(values)
    RESULTS.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=50_000)
    ap.add_argument("--flows", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=RUNS)
    ap.add_argument("--keep", help="build the database in this folder and keep it (reused if present)")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    tmp = None
    if args.keep:
        folder = Path(args.keep)
        folder.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="boucle-bench-e2e-")
        folder = Path(tmp.name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOUCLE_", "DATABASE_"))}
    env.update({"BOUCLE_DATA_DIR": str(folder), "PYTHONPATH": str(ROOT / "src"), "BOUCLE_LANG": "fr"})
    t0 = time.perf_counter()
    if not (folder / "imported").exists():
        sites_csv, flows_csv = generate(folder, args.sites, args.flows)
        t1 = time.perf_counter()
        boucle(env, "import", "sites", str(sites_csv), stdout=subprocess.DEVNULL)
        t2 = time.perf_counter()
        boucle(env, "import", "flows", str(flows_csv), stdout=subprocess.DEVNULL)
        (folder / "imported").write_text("")
        print(f"generated in {t1 - t0:.0f} s, sites imported in {t2 - t1:.0f} s, flows in {time.perf_counter() - t2:.0f} s",
              file=sys.stderr)
    setup_s = time.perf_counter() - t0
    print(f"territory: {args.sites} sites, {args.flows} flows, ready in {setup_s:.0f} s", file=sys.stderr)

    out = folder / "proposals.jsonl"
    runs = []
    for i in range(args.runs):
        seconds, peak, cpu = timed_match(env, out)
        runs.append((seconds, peak, cpu))
        print(f"run {i + 1}: {seconds:.2f} s, {cpu:.2f} s CPU, peak {peak:.0f} MB", file=sys.stderr)
    n_lines = sum(1 for _ in out.open(encoding="utf-8"))
    offers_checked, lines_checked = check(env, out)
    print(f"{n_lines} proposals; {offers_checked} sampled offers ({lines_checked} lines) equal the full "
          "enumeration", file=sys.stderr)
    values = {
        "match_e2e_200k_seconds": round(statistics.median(r[0] for r in runs), 2),
        "match_e2e_200k_peak_mb": round(statistics.median(r[1] for r in runs)),
        "match_e2e_200k_runs_seconds": [round(r[0], 2) for r in runs],
        # CPU time (user + system) of the command: less sensitive than wall time to a shared machine.
        "match_e2e_200k_cpu_seconds": round(statistics.median(r[2] for r in runs), 2),
        "match_e2e_200k_proposals": n_lines,
        "match_e2e_200k_setup_seconds": round(setup_s, 1),
    }
    print(json.dumps(values))
    if not args.no_write:
        merge_results(values)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
