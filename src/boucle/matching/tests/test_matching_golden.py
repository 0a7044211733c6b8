"""The default output of ``boucle match --format jsonl`` on a small fixed territory, line for line.

``data/golden_sites.csv`` and ``data/golden_flows.csv`` (drawn once by ``make_golden_territory.py``:
codes, activity words, sector words in names, EWC codes, hazardous wastes, heat with temperatures,
chosen classes, current routes, a yearly total, quantities in t / MWh / m3 or unknown).

- ``golden_default.jsonl.gz``: today's output, byte for byte (the no-net-gain filter runs before
  the cap of receivers per offer). A first golden of the output before that change was checked
  line for line when the change landed, then dropped when the process recipes changed the
  knowledge it was drawn with.

When the matching knowledge or the impact data change on purpose, the goldens change: rewrite
``golden_default.jsonl.gz`` with ``python -m boucle.matching.tests.test_matching_golden`` and
read the difference before committing it.
"""

import collections
import csv
import gzip
import json
import sys
from pathlib import Path

import pytest
from django.utils import translation

from boucle.matching.commands import _row
from boucle.matching.pipeline import FlowIn, SiteIn, bulk_allocation, propose_table
from boucle.matching.selection import MAX_RECEIVERS_PER_OFFER

DATA = Path(__file__).resolve().parent / "data"


def territory() -> tuple[list[SiteIn], list[FlowIn]]:
    with (DATA / "golden_sites.csv").open(encoding="utf-8") as f:
        sites = [SiteIn(r["site_id"], float(r["latitude"]), float(r["longitude"]), r["naf_code"] or None,
                        r["activity"] or None, r["name"] or None) for r in csv.DictReader(f)]
    with (DATA / "golden_flows.csv").open(encoding="utf-8") as f:
        flows = [FlowIn(r["flow_id"], r["site_id"], r["direction"], label=r["label"], ewc_code=r["ewc_code"] or None,
                        kind=r["kind"], quantity_t=float(r["quantity"]) if r["quantity"] else None,
                        temperature_c=float(r["temperature_c"]) if r["temperature_c"] else None,
                        hazardous=r["hazardous"] == "true", class_key=r["class_key"] or None,
                        unit=r["unit"] or None, current_route=r["current_route"] or None)
                 for r in csv.DictReader(f)]
    return sites, flows


def output() -> list[str]:
    """The lines ``boucle match --format jsonl`` writes for the fixed territory (in French)."""
    with bulk_allocation(), translation.override("fr"):
        return "".join(propose_table(*territory()).jsonl_chunks()).splitlines()


def _golden(name: str) -> list[str]:
    return gzip.decompress((DATA / name).read_bytes()).decode("utf-8").splitlines()


def test_output_equals_the_golden_byte_for_byte():
    assert output() == _golden("golden_default.jsonl.gz")


def test_no_offer_shows_more_receivers_than_the_cap():
    count = collections.Counter(json.loads(line)["offer_flow_id"] for line in output())
    assert count and max(count.values()) <= MAX_RECEIVERS_PER_OFFER


@pytest.mark.parametrize("language", ["fr", "en"])
def test_lines_written_from_columns_equal_the_proposals_encoded(language):
    encode = json.JSONEncoder(ensure_ascii=False, default=str, check_circular=False).encode
    with bulk_allocation(), translation.override(language):
        table = propose_table(*territory())
        assert "".join(table.jsonl_chunks()).splitlines() == [encode(_row(p)) for p in table.proposals()]


def test_no_proposal_with_a_known_quantity_gains_nothing():
    for p in propose_table(*territory()):
        if p.quantity is not None and p.co2e_avoided_t_per_year is not None and p.unit == "t":
            assert p.co2e_avoided_t_per_year > 0, p


if __name__ == "__main__":  # rewrite the golden of today's output
    from boucle.bootstrap import setup_django

    setup_django()
    (DATA / "golden_default.jsonl.gz").write_bytes(gzip.compress(("\n".join(output()) + "\n").encode("utf-8"), 9))
    print(f"{len(output())} lines", file=sys.stderr)
