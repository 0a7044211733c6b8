"""Run a dataset in the MAESTRI layout through the held-out protocol, end to end on the command line.

The protocol of issue 11 (the one used on parks we never see): per park, ``boucle import sites``
with ``site_id,name,activity,latitude,longitude,country`` (and sometimes ``naf_code`` at division
or group level), ``boucle import flows`` with offers only (``site_id,direction,label,confidential``:
no quantity, no unit, no EWC code, no declared need), then ``boucle match --format jsonl`` with no
other option. Each line is scored as (offer_site_id, offer_label lower-cased, need_site_id).

Unlike ``boucle evaluate`` (which calls the engine in-process and passes exact EWC codes), this goes
through the import, the database and the default output of ``boucle match``: it measures what a
held-out run sees. Sites of a park stand within ~1 km of each other, parks thousands of km apart.

    python scripts/heldout_protocol.py literature --describe words   # activity text + name
    python scripts/heldout_protocol.py maestri --describe codes      # + NACE at division/group level
    python scripts/heldout_protocol.py literature --describe name    # name only
    ... [--json] [--keep DIR] [--misses]

Baselines in the same run: everyone-to-everyone (every offer to every other site of its park).
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from boucle.matching.evaluate import (  # noqa: E402
    CODES_CSV, FRESH2_CSV, FRESH3_CSV, FRESH4_CSV, FRESH5_CSV, FRESH_CSV, HEAVY_CSV, LITERATURE_CSV, MAESTRI_CSV, PROCESS_CSV,
    _code, _site_only, read_rows)

DATASETS = {"maestri": MAESTRI_CSV, "literature": LITERATURE_CSV, "process": PROCESS_CSV, "heavy": HEAVY_CSV, "codes": CODES_CSV,
            "fresh": FRESH_CSV, "fresh2": FRESH2_CSV, "fresh3": FRESH3_CSV,
            "fresh4": FRESH4_CSV, "fresh5": FRESH5_CSV}


# The country column of the layout holds English names; the protocol imports ISO 3166 codes.
ISO = {"DENMARK": "DK", "CHINA": "CN", "AUSTRALIA": "AU", "SWEDEN": "SE", "AUSTRIA": "AT", "NETHERLANDS": "NL",
       "SOUTH KOREA": "KR", "FRANCE": "FR", "FINLAND": "FI", "JAPAN": "JP", "UNITED KINGDOM": "GB", "UK": "GB",
       "GERMANY": "DE", "ITALY": "IT", "SPAIN": "ES", "PORTUGAL": "PT", "BELGIUM": "BE", "USA": "US",
       "UNITED STATES": "US", "INDIA": "IN", "CANADA": "CA", "BRAZIL": "BR", "SWITZERLAND": "CH", "NORWAY": "NO",
       "POLAND": "PL", "GREECE": "GR", "TURKEY": "TR", "MEXICO": "MX", "PUERTO RICO": "PR", "SLOVENIA": "SI",
       "HUNGARY": "HU", "CZECH REPUBLIC": "CZ", "IRELAND": "IE", "TAIWAN": "TW", "THAILAND": "TH", "SINGAPORE": "SG",
       "SOUTH AFRICA": "ZA", "UNITED STATES OF AMERICA": "US", "US": "US", "FIJI": "FJ", "EGYPT": "EG", "LUXEMBOURG": "LU", "ROMANIA": "RO", "EUROPE": "",
       "ICELAND": "IS", "CHILE": "CL", "NEW ZEALAND": "NZ", "ARGENTINA": "AR", "MAURITIUS": "MU", "MALAWI": "MW",
       "MOROCCO": "MA", "MALAYSIA": "MY", "KENYA": "KE"}


def naf_level(code: str, level: str) -> str:
    digits = "".join(ch for ch in (code or "").split(";")[0] if ch.isdigit())
    if len(digits) < 2:
        return ""
    if level == "division":
        return digits[:2]
    if level == "group":
        return f"{digits[:2]}.{digits[2]}" if len(digits) >= 3 else digits[:2]
    return f"{digits[:2]}.{digits[2:4]}" if len(digits) >= 4 else digits[:2]


def build(rows: list[dict], describe: str, level: str, countries: dict[str, str]):
    """(sites rows, flow rows, truth triples, case of each site)."""
    by_case: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_case[r["case"]].append(r)
    sites, flows, truth, case_of = [], [], set(), {}
    for n, case_id in enumerate(sorted(by_case, key=lambda c: int(c) if c.isdigit() else 10**6)):
        # parks far apart: a grid over the world, each > 1,000 km from the next
        lat0, lon0 = -45 + (n * 17) % 100, -170 + (n * 47) % 340
        ids: dict[tuple, str] = {}
        named: dict[tuple, set] = defaultdict(set)
        mentions = [(_code(r[f"{s}_nace"]), r[f"{s}_activity"].strip(), r[f"{s}_company"].strip())
                    for r in by_case[case_id] for s in ("provider", "receiver") if s == "provider" or not _site_only(r)]
        for code, act, name in mentions:
            if name:
                named[(code, act.lower())].add(name)

        def key(code, act, name):
            if not name and len(named.get((code, act.lower()), ())) == 1:
                name = next(iter(named[(code, act.lower())]))
            return (code, act.lower(), name)

        for code, act, name in mentions:
            k = key(code, act, name)
            if k in ids:
                continue
            sid = ids[k] = f"p{case_id}-{len(ids) + 1}"
            i = len(ids)
            case_of[sid] = case_id
            sites.append({
                "site_id": sid, "name": name or act or f"Site {i}",
                "activity": "" if describe == "name" else act,
                "latitude": f"{lat0 + 0.003 * (i % 3):.5f}",
                "longitude": f"{lon0 + 0.003 * (i // 3) / max(0.2, math.cos(math.radians(lat0))):.5f}",
                "country": ISO.get(countries.get(case_id, "").upper(), "") or "",
                "naf_code": naf_level(code, level) if describe == "codes" else "",
            })
        seen = set()
        for r in by_case[case_id]:
            if _site_only(r):
                continue
            prov = ids[key(_code(r["provider_nace"]), r["provider_activity"].strip(), r["provider_company"].strip())]
            recv = ids[key(_code(r["receiver_nace"]), r["receiver_activity"].strip(), r["receiver_company"].strip())]
            label = r["waste_description"].strip()
            if (prov, label.lower()) not in seen:
                seen.add((prov, label.lower()))
                flows.append({"site_id": prov, "direction": "offer", "label": label, "confidential": "false"})
            if prov != recv:
                truth.add((prov, label.lower(), recv))
    return sites, flows, truth, case_of


def blind(case: str) -> bool:
    """A blind case of the literature check set (case number a multiple of 3): never read."""
    return case.isdigit() and int(case) % 3 == 0


def write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4),
            "tp": tp, "fp": fp, "fn": fn}


def import_and_match(sites: list[dict], flows: list[dict], keep: str | None = None, prefix: str = "heldout-") -> set:
    """The protocol's run: ``boucle import sites``, ``boucle import flows`` and ``boucle match --format
    jsonl`` with no other option, in a database of its own; the proposed (offer_site_id, offer_label
    lower-cased, need_site_id)."""
    work = Path(keep or tempfile.mkdtemp(prefix=prefix))
    work.mkdir(parents=True, exist_ok=True)
    write_csv(work / "sites.csv", sites)
    write_csv(work / "flows.csv", flows)
    env = {**os.environ, "BOUCLE_DATA_DIR": str(work / "data"), "PYTHONPATH": str(ROOT / "src")}
    # a database of its own (SQLite in the temporary data directory), whatever the caller's settings
    for name in ("BOUCLE_LANG", "DATABASE_URL", "BOUCLE_CACHE_URL", "BOUCLE_BROKER_URL", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    boucle = [sys.executable, "-m", "boucle"]

    def run(*cmd):
        res = subprocess.run(boucle + list(cmd), env=env, capture_output=True, text=True)
        if res.returncode != 0:
            sys.stderr.write(res.stdout + res.stderr)
            raise SystemExit(f"boucle {' '.join(cmd)} failed")
        return res.stdout

    # the first import makes the database: migrated, reference tables loaded (copied from a pre-migrated
    # file when BOUCLE_SQLITE_TEMPLATES names a folder holding one)
    run("import", "sites", str(work / "sites.csv"), "--json")
    run("import", "flows", str(work / "flows.csv"), "--json")
    out = run("match", "--format", "jsonl", "--no-store")
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    pred = set()
    for line in out.splitlines():
        if line.strip():
            p = json.loads(line)
            pred.add((p["offer_site_id"], p["offer_label"].lower(), p["need_site_id"]))
    return pred


def read_dataset(dataset: str) -> tuple[list[dict], dict[str, str]]:
    """A dataset's rows (``evaluate.read_rows``) and each case's country as the layout writes it."""
    path = DATASETS.get(dataset, Path(dataset))
    countries = {}
    for r in csv.DictReader(open(path, encoding="utf-8")):
        countries.setdefault((r.get("Case Number") or r.get("case") or "").strip(),
                             (r.get("Country") or r.get("country") or "").strip())
    return read_rows(path), countries


def run_protocol(dataset: str, describe: str = "words", level: str = "division", cases: list[str] | None = None,
                 keep: str | None = None) -> tuple[dict, dict]:
    """Import the dataset's parks, run ``boucle match`` and score it: (report, details for --misses)."""
    rows, countries = read_dataset(dataset)
    if cases:
        rows = [r for r in rows if r["case"] in set(cases)]
    sites, flows, truth, case_of = build(rows, describe, level, countries)

    pred = import_and_match(sites, flows, keep, prefix="heldout-")

    tp = len(pred & truth)
    res = {"dataset": dataset, "describe": describe, "naf_level": level if describe == "codes" else None,
           "sites": len(sites), "offers": len(flows), "truth_pairs": len(truth), "proposed": len(pred),
           "pooled": prf(tp, len(pred) - tp, len(truth) - tp),
           "cross_park_proposals": sum(1 for p in pred if case_of.get(p[0]) != case_of.get(p[2]))}
    sites_of_case = defaultdict(list)
    for s in sites:
        sites_of_case[case_of[s["site_id"]]].append(s["site_id"])
    everyone = {(f["site_id"], f["label"].lower(), s) for f in flows for s in sites_of_case[case_of[f["site_id"]]]
                if s != f["site_id"]}
    etp = len(everyone & truth)
    res["baselines"] = {"everyone_to_everyone": prf(etp, len(everyone) - etp, len(truth) - etp)}
    res["cases"] = {}
    for c in sorted(set(case_of.values()), key=lambda c: int(c) if c.isdigit() else 0):
        t = {x for x in truth if case_of[x[0]] == c}
        p = {x for x in pred if case_of[x[0]] == c}
        res["cases"][c] = prf(len(p & t), len(p - t), len(t - p))
    return res, {"sites": sites, "truth": truth, "pred": pred, "case_of": case_of}


def is_literature(dataset: str) -> bool:
    """The literature check set, by its name or by its file's path (a copy elsewhere is not recognised)."""
    return dataset == "literature" or Path(dataset).resolve() == LITERATURE_CSV.resolve()


def print_misses(dataset: str, details: dict, out=None) -> None:
    """The false negatives (MISS) and false positives (FP) of a run, one a line on ``out`` (stderr by
    default). The blind literature cases (case numbers multiples of 3, :func:`blind`) are scored, never
    printed: nobody writing rules reads them, neither as the offering site nor as the receiving one."""
    out = sys.stderr if out is None else out
    d = details
    name = {s["site_id"]: f"{s['name']} [{s['activity']}|{s['naf_code']}]" for s in d["sites"]}
    hidden = {sid for sid, c in d["case_of"].items() if is_literature(dataset) and blind(c)}
    if hidden:
        print(f"(blind literature cases not printed: {len({d['case_of'][s] for s in hidden})})", file=out)
    for tag, pairs in (("MISS", d["truth"] - d["pred"]), ("FP  ", d["pred"] - d["truth"])):
        for x in sorted(pairs):
            if x[0] not in hidden and x[2] not in hidden:
                print(f"{tag} {x[0]} {name[x[0]]} --{x[1]}--> {name[x[2]]}", file=out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dataset", help="maestri, literature, process, heavy, codes, fresh, fresh2, fresh3, fresh4, fresh5, or a CSV path in the MAESTRI layout")
    ap.add_argument("--describe", choices=["words", "codes", "name"], default="words")
    ap.add_argument("--naf-level", choices=["division", "group", "class"], default="division")
    ap.add_argument("--case", action="append", help="only this case (repeatable)")
    ap.add_argument("--keep", help="keep the data directory here")
    ap.add_argument("--misses", action="store_true", help="print false negatives and false positives")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    res, d = run_protocol(args.dataset, args.describe, args.naf_level, args.case, args.keep)
    if args.json:
        print(json.dumps(res, indent=1))
    else:
        print(f"{args.dataset} ({args.describe}): {res['sites']} sites, {res['offers']} offers, "
              f"{res['truth_pairs']} documented pairs, {res['proposed']} proposed")
        print(f"  boucle match default output: {res['pooled']}")
        print(f"  everyone-to-everyone:        {res['baselines']['everyone_to_everyone']}")
    if args.misses:
        print_misses(args.dataset, d)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
