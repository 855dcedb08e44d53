"""A pay-period statement as a PDF (fpdf2, core fonts), in French or English: one row per amount
(booking, date, state, subtotal, taxes, total), under it each line that pays something with the
rule that produced it ("2 h minimum à 41,00 $/h, politique BI-2024-11-04"), then the totals."""
from __future__ import annotations

from fpdf import FPDF

from ims_common.money import format_money
from services.payroll.contract.vocabulary import KIND_LABELS, LINES, label

TEXTS = {
    "title": ("Relevé de rémunération {period}", "Pay statement {period}"),
    "heading": ("Relevé de rémunération — interprète", "Pay statement — interpreter"),
    "period": ("Période : du {start} au {end} ({status})", "Period: {start} to {end} ({status})"),
    "interpreter": ("Interprète : {name} ({id})", "Interpreter: {name} ({id})"),
    "supplier": ("Numéro de fournisseur : {number}", "Supplier number: {number}"),
    "columns": (("Demande", "Date", "État", "Sous-total", "TPS", "TVQ", "Total"),
                ("Booking", "Date", "State", "Subtotal", "GST", "QST", "Total")),
    "open": ("ouverte", "open"),
    "closed": ("fermée", "closed"),
    "none": ("Aucun montant pour cette période.", "No amount for this period."),
}


def _t(key: str, lang: str, **params):
    french, english = TEXTS[key]
    text = english if lang == "en" else french
    return text.format(**params) if params else text


_LATIN1 = str.maketrans({"\u202f": " ", "\u2014": "-", "\u2013": "-", "\u2019": "'", "\u2026": "..."})


def _text(value) -> str:
    # Core fonts are Latin-1: punctuation beyond it gets its plain form, anything else a "?".
    return str(value or "").translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def statement_pdf(statement: dict, lang: str = "fr") -> bytes:
    lang = "en" if lang == "en" else "fr"
    money = lambda amount: format_money(amount, lang)  # noqa: E731
    pdf = FPDF(format="Letter")
    pdf.set_title(_text(_t("title", lang, period=statement["period"]["id"])))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 10, _text(_t("heading", lang)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    period = statement["period"]
    status = _t(statement["status"], lang) if statement["status"] in ("open", "closed") else statement["status"]
    for line in (_t("period", lang, start=period["start"], end=period["end"], status=status),
                 _t("interpreter", lang, name=statement["legal_name"], id=statement["interpreter_id"]),
                 _t("supplier", lang, number=statement["supplier_number"] or "-")):
        pdf.cell(0, 6, _text(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    widths = (34, 24, 26, 28, 24, 24, 28)
    pdf.set_font("Helvetica", "B", 9)
    for head, w in zip(_t("columns", lang), widths):
        pdf.cell(w, 7, _text(head), border=1)
    pdf.ln()
    if not statement["items"]:
        pdf.set_font("Helvetica", "I", 9)
        pdf.cell(0, 6, _text(_t("none", lang)), new_x="LMARGIN", new_y="NEXT")
    for item in statement["items"]:
        pdf.set_font("Helvetica", size=9)
        row = (item["booking_id"], item["service_date"], label(item["kind"], lang, KIND_LABELS),
               money(item["subtotal"]), money(item["gst"]), money(item["qst"]), money(item["total"]))
        for value, w in zip(row, widths):
            pdf.cell(w, 6, _text(value), border=1)
        pdf.ln()
        pdf.set_font("Helvetica", size=8)
        for line in item.get("lines") or ():
            if line["amount"] in ("0.00", "-0.00"):
                continue
            rule = (line.get("rule") or {}).get(lang) or ""
            colon = " :" if lang == "fr" else ":"
            pdf.set_x(pdf.l_margin + 4)
            pdf.multi_cell(0, 4.5, _text(f"{label(line['key'], lang)} {money(line['amount'])}{colon} {rule}"),
                           new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    pdf.ln(3)
    totals = statement["totals"]
    for key in LINES + ("subtotal", "gst", "qst", "total"):
        pdf.set_font("Helvetica", "B" if key == "total" else "", 10)
        pdf.cell(90, 6, _text(label(key, lang)))
        pdf.cell(40, 6, _text(money(totals[key])), align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
