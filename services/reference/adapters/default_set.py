"""The bank's default reference data, shipped as CSV files in services/reference/data/ (the format the
import reads, so each file is also a template for the bank's own imports)."""
from __future__ import annotations

from pathlib import Path

from services.reference.contract import vocabulary as V

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
# Dependency order: an item's region, establishment or general reason is loaded before it.
ORDER = (V.REGION, V.ESTABLISHMENT, V.FACILITY, V.ADMIN_UNIT, V.COST_CENTRE, V.LANGUAGE, V.CONTEXT,
         V.REPORT_REASON)


def default_files(folder: Path = DATA_DIR) -> list[tuple[str, str]]:
    """[(kind, text of <kind>.csv)] for each kind that has a file, in dependency order."""
    out = []
    for kind in ORDER:
        path = folder / f"{kind}.csv"
        if path.exists():
            out.append((kind, path.read_text(encoding="utf-8-sig")))
    return out
