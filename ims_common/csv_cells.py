"""The CSV files IMS writes (finance export, billing, reference data): one rule for all of them.

A spreadsheet runs a cell that starts with = + - @, a tab or a carriage return as a formula
(OWASP, "CSV Injection"): such a cell gets a leading apostrophe, which spreadsheets show as text. A
plain number ("-12.50", an adjustment; "-73.56", a longitude) is not a formula and stays a number.
Files are UTF-8 with a byte order mark, so Excel reads accents right, and lines end with CRLF."""
from __future__ import annotations

import csv
import io
import re
from typing import Iterable

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def safe_cell(value) -> str:
    """The cell's text, neutralised when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_text(header: Iterable, rows: Iterable[Iterable]) -> str:
    """A whole file: BOM, the header, then each row, every cell through safe_cell."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()
