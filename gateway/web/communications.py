"""Communication lines as forms take them (withdraw, the service report): one line each, date-time,
purpose, requested by; any number of lines up to booking's limit; what was typed is kept as typed, to
show it again after a refusal with each line's errors beside it."""
from __future__ import annotations

from flask import request

from services.booking.contract.inputs import MAX_COMMUNICATIONS

BLANK = {"at": "", "purpose": "", "requested_by": ""}


def lines_typed() -> list[dict]:
    """The form's lines as typed (blank ones included)."""
    columns = [request.form.getlist(name) for name in ("comm_at", "comm_purpose", "comm_by")]
    count = min(MAX_COMMUNICATIONS, max(len(c) for c in columns))

    def cell(column: list[str], i: int) -> str:
        return (column[i] if i < len(column) else "").strip()
    return [{"at": cell(columns[0], i), "purpose": cell(columns[1], i), "requested_by": cell(columns[2], i)}
            for i in range(count)]


def with_one_more(lines: list[dict]) -> list[dict]:
    return lines + [dict(BLANK)] if len(lines) < MAX_COMMUNICATIONS else lines


def payload(lines: list[dict]) -> list[dict]:
    """The lines with anything typed, as booking takes them (the time in UTC from Montreal's)."""
    from gateway.web.views_bookings import local_to_utc
    out = []
    for line in lines:
        if line["at"] or line["purpose"] or line["requested_by"]:
            item = {"at": local_to_utc(line["at"]) if line["at"] else None, "purpose": line["purpose"]}
            if line["requested_by"]:
                item["requested_by"] = line["requested_by"]
            out.append(item)
    return out


def line_errors(errors: dict, lines: list[dict]) -> dict[int, dict[str, list[str]]]:
    """'communications.<n>.<field>' -> {line shown: {field: messages}}: n counts the lines sent (blank
    ones are not), mapped back to the line on the page."""
    sent = [i for i, line in enumerate(lines) if line["at"] or line["purpose"] or line["requested_by"]]
    out: dict[int, dict[str, list[str]]] = {}
    for name, messages in errors.items():
        parts = name.split(".")
        if parts[0] == "communications" and len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < len(sent):
            field = parts[2] if len(parts) > 2 else "at"
            out.setdefault(sent[int(parts[1])], {}).setdefault(field, []).extend(messages)
    return out
