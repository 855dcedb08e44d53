"""A pay-period statement as a PDF (fpdf2, core fonts): one page or more per interpreter, amounts in
the French format (82,00 $)."""
from __future__ import annotations

from fpdf import FPDF

from ims_common.money import format_money
from services.payroll.contract.vocabulary import KIND_LABELS, LINES, label


def _fr(amount: str) -> str:
    return format_money(amount, "fr")


def _text(value) -> str:
    # Core fonts are Latin-1: anything else (and the narrow no-break space) is replaced.
    return str(value or "").replace("\u202f", " ").encode("latin-1", "replace").decode("latin-1")


def statement_pdf(statement: dict) -> bytes:
    pdf = FPDF(format="Letter")
    pdf.set_title(_text(f"Relevé de rémunération {statement['period']['id']}"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 10, _text("Relevé de rémunération — interprète"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    period = statement["period"]
    for line in (f"Période : du {period['start']} au {period['end']} ({statement['status']})",
                 f"Interprète : {statement['legal_name']} ({statement['interpreter_id']})",
                 f"Numéro de fournisseur : {statement['supplier_number'] or '-'}"):
        pdf.cell(0, 6, _text(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 9)
    widths = (34, 24, 22, 30, 24, 24, 30)
    for head, w in zip(("Demande", "Date", "Type", "Sous-total", "TPS", "TVQ", "Total"), widths):
        pdf.cell(w, 7, _text(head), border=1)
    pdf.ln()
    pdf.set_font("Helvetica", size=9)
    for item in statement["items"]:
        row = (item["booking_id"], item["service_date"], label(item["kind"], "fr", KIND_LABELS).lower(),
               _fr(item["subtotal"]), _fr(item["gst"]), _fr(item["qst"]), _fr(item["total"]))
        for value, w in zip(row, widths):
            pdf.cell(w, 6, _text(value), border=1)
        pdf.ln()
    pdf.ln(4)
    totals = statement["totals"]
    for key in LINES + ("subtotal", "gst", "qst", "total"):
        pdf.set_font("Helvetica", "B" if key == "total" else "", 10)
        pdf.cell(90, 6, _text(label(key, "fr")))
        pdf.cell(40, 6, _text(_fr(totals[key])), align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
