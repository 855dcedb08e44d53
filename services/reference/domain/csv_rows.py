"""Reading a CSV file of reference items: its bytes decoded, its first line mapped to the kind's
fields, its rows as {field: text} with their line numbers.

What spreadsheets write is accepted: UTF-8 with or without a BOM (Windows-1252, what Excel writes for
"CSV" on a French Windows, is read when the bytes are not UTF-8, and the report says so); comma,
semicolon or tab between cells; columns named by field ("label_fr") or by their French or English
label, accents and case aside ("Nom en français", "Code postal"). A column the kind does not know is
ignored and reported. An empty cell clears an optional field; a column left out keeps what is stored."""
from __future__ import annotations

import csv
import io

from ims_common.csv_cells import csv_text
from ims_common.errors import ValidationFailed
from services.reference.contract import vocabulary as V
from services.reference.contract.text import fold_text

MAX_BYTES = 5 * 2**20
MAX_ROWS = 20_000
ACTIVE = "active"

# Other names people give these columns (folded: lower case, no accents, spaces as "_").
ALIASES = {
    "code": ("id", "identifiant", "code_iso", "iso", "iso_639", "prefixe", "prefix", "numero", "no"),
    "label_fr": ("nom", "name", "libelle", "libelle_fr", "nom_fr", "francais", "description", "description_fr",
                 "nom_francais"),
    "label_en": ("libelle_en", "nom_en", "anglais", "english", "english_name", "description_en", "name_en",
                 "nom_anglais"),
    "head_office_name": ("siege_social", "nom_du_siege_social", "head_office"),
    "address": ("adresse", "adresse_civique", "civic_address"),
    "city": ("ville", "municipalite", "municipality"),
    "postal_code": ("code_postal", "postal"),
    "latitude": ("lat",),
    "longitude": ("lon", "lng", "long"),
    "region": ("region", "region_sociosanitaire", "rss", "health_region"),
    "category": ("categorie", "type"),
    "establishment": ("etablissement", "etab"),
    "admin_unit": ("unite_administrative", "unite", "unit", "administrative_unit"),
    "direction": ("direction", "department"),
    "requires_competency": ("exige_une_competence", "competence", "competency", "requires_competency"),
    "general": ("raison_generale", "general_reason"),
    ACTIVE: ("actif", "active", "statut", "status"),
}


def _key(header: str) -> str:
    return fold_text(header).replace(" ", "_")


def column_names(kind: str) -> dict[str, str]:
    """Folded column name -> field, for the kind (its fields and "active")."""
    names: dict[str, str] = {}
    for field in V.fields_of(kind) + (ACTIVE,):
        fr, en = V.FIELD_LABELS.get(field, (field, field))
        for name in (field, fr, en) + ALIASES.get(field, ()):
            names.setdefault(_key(name), field)
    return names


def decode(content: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (a BOM is dropped), else Windows-1252."""
    if len(content) > MAX_BYTES:
        raise ValidationFailed("reference.csv_too_large", {"max_rows": MAX_ROWS, "max_mb": MAX_BYTES // 2**20})
    try:
        return content.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        raise ValidationFailed("reference.csv_unreadable") from None


def delimiter_of(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_rows(kind: str, text: str) -> dict:
    """{"columns": [field per column, None when ignored], "ignored_columns": [header, ...],
    "delimiter", "rows": [(line number, {field: text}), ...], "long_rows": [line, ...]}.
    Raises ValidationFailed for a file that has no usable first line or lacks a required column."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise ValidationFailed("reference.csv_too_large", {"max_rows": MAX_ROWS, "max_mb": MAX_BYTES // 2**20})
    if "\x00" in text:
        raise ValidationFailed("reference.csv_unreadable")
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise ValidationFailed("reference.csv_empty")
    delimiter = delimiter_of(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    names = column_names(kind)
    try:
        header = next(r for r in reader if any(c.strip() for c in r))
    except (StopIteration, csv.Error):
        raise ValidationFailed("reference.csv_unreadable") from None
    columns, ignored = [], []
    for cell in header:
        field = names.get(_key(cell))
        if field is not None and field in columns:
            raise ValidationFailed("reference.csv_duplicate_column", {"column": cell.strip()[:60]})
        columns.append(field)
        if field is None and cell.strip():
            ignored.append(cell.strip()[:60])
    if "code" not in columns and not ("label_fr" in columns and kind in ("context", "report_reason")):
        raise ValidationFailed("reference.csv_missing_columns", {"columns": "code"})
    if kind in V.SCOPED and "establishment" not in columns:
        raise ValidationFailed("reference.csv_missing_columns", {"columns": "establishment"})
    rows: list = []
    long_rows: list = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise ValidationFailed("reference.csv_too_large", {"max_rows": MAX_ROWS, "max_mb": MAX_BYTES // 2**20})
            line = reader.line_num
            if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns):]):
                long_rows.append(line)
            row = {field: cell.strip() for field, cell in zip(columns, cells) if field is not None}
            rows.append((line, row))
    except csv.Error:
        raise ValidationFailed("reference.csv_unreadable") from None
    return {"columns": columns, "ignored_columns": ignored, "delimiter": delimiter, "rows": rows,
            "long_rows": long_rows}


def to_csv(kind: str, items: list[dict]) -> str:
    """The items as a CSV file that import reads back (UTF-8 with BOM, the fields as column names;
    cells a spreadsheet would run as formulas neutralised: ims_common.csv_cells)."""
    fields = V.fields_of(kind) + (ACTIVE,)
    return csv_text(fields, ([_cell(item.get(f)) for f in fields] for item in items))


def _cell(value):
    if isinstance(value, bool):
        return "oui" if value else "non"
    return value
