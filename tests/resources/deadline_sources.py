"""Checkouts of the two upstream deadline repositories, built from tests/resources/data/deadlines,
and the edits that make their second snapshot (test_sync_deadlines.py, test_deadline_history.py)."""

import shutil
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data" / "deadlines"


def checkouts(root: Path) -> tuple[Path, Path]:
    """A ccf-deadlines and an ai-deadlines checkout under ``root``, with upstream's layout."""
    ccf, hf = root / "ccf-deadlines", root / "ai-deadlines"
    (ccf / "conference" / "AI").mkdir(parents=True)
    (ccf / "accept_rates" / "AI").mkdir(parents=True)
    shutil.copy(DATA / "ccf_neurips.yml", ccf / "conference" / "AI" / "nips.yml")
    shutil.copy(DATA / "rates_neurips.yml", ccf / "accept_rates" / "AI" / "nips.yml")
    (hf / "src" / "data" / "conferences").mkdir(parents=True)
    shutil.copy(DATA / "hf_zones.yml", hf / "src" / "data" / "conferences" / "zoneconf.yml")
    (ccf / "README.md").write_text("# ccf-deadlines\n")
    return ccf, hf


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def second_snapshot(ccf: Path, hf: Path) -> None:
    def ccf_edits(data):
        nips = data[0]["confs"]
        # NeurIPS 2026's paper deadline moves a week; its abstract deadline vanishes.
        nips[1]["timeline"] = [{"deadline": "2026-05-14 11:59:00", "comment": "Full papers"}]
        # NeurIPS 2027 is announced.
        nips.append(
            {
                "year": 2027,
                "id": "nips27",
                "link": "https://neurips.cc/Conferences/2027",
                "timeline": [{"deadline": "2027-05-13 23:59:59"}],
                "timezone": "AoE",
                "date": "December 2027",
                "place": "TBD",
            }
        )

    def hf_edits(data):
        # The notification a curator corrected moves upstream too.
        notification = next(d for d in data[0]["deadlines"] if d["type"] == "notification")
        notification["date"] = "2027-01-20 23:59:59"

    edit(ccf / "conference" / "AI" / "nips.yml", ccf_edits)
    edit(hf / "src" / "data" / "conferences" / "zoneconf.yml", hf_edits)
