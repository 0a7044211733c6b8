"""Held-out protocol figures (issue 11): the development and check sets run end to end on the command
line as the held-out parks are (scripts/heldout_protocol.py: sites imported with words or a
division-level NACE code, offers only, ``boucle match`` default output), each F1 next to the
everyone-to-everyone baseline of the same run. Deterministic: one run each."""
import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("heldout_protocol", ROOT / "scripts" / "heldout_protocol.py")
protocol = importlib.util.module_from_spec(spec)
spec.loader.exec_module(protocol)
sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_all import merge  # noqa: E402

RUNS = [("maestri", "words"), ("maestri", "codes"), ("literature", "words"), ("literature", "codes"),
        ("literature", "name"), ("process", "words"), ("heavy", "words"), ("heavy", "name"),
        ("codes", "codes"), ("codes", "words"), ("fresh", "codes"), ("fresh", "words"),
        ("fresh2", "codes"), ("fresh2", "words"), ("fresh3", "codes"), ("fresh3", "words"),
        ("fresh4", "codes"), ("fresh4", "words"),
        ("fresh5", "codes"), ("fresh5", "words")]

figures = {}
for dataset, describe in RUNS:
    res, _ = protocol.run_protocol(dataset, describe=describe, level="division")
    assert res["cross_park_proposals"] == 0, f"{dataset}: a proposal crossed from one park to another"
    key = f"heldout_protocol_{dataset}_{describe}"
    figures[f"{key}_f1"] = res["pooled"]["f1"]
    figures[f"{key}_precision"] = res["pooled"]["precision"]
    figures[f"{key}_recall"] = res["pooled"]["recall"]
    figures[f"{key}_everyone_f1"] = res["baselines"]["everyone_to_everyone"]["f1"]
    print(f"{key}: F1 {res['pooled']['f1']} (everyone-to-everyone {res['baselines']['everyone_to_everyone']['f1']})",
          file=sys.stderr)
merge(figures)
print(json.dumps(figures, indent=1))
