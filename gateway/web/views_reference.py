"""Coordinators' pages for the bank's reference data (services/reference): per kind, the list with
search and filters, a form to create or change an item, deactivate or reactivate it with its history,
and a CSV import with its report. Field names and category values come from the service's contract
vocabulary in the page's language; the service checks every value and its refusals are shown beside
their fields."""
from __future__ import annotations

import base64

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gateway.rpc import ServiceError
from gateway.web import current_actor, field_errors, login_required, message_of, page_lang, rpc, web
from gateway.web.views_bookings import STAFF
from ims_common.errors import IMSError
from ims_common.messages import translate
from services.reference.contract import vocabulary as V

# The kinds' path segments on the (French) pages.
PAGES = {V.REGION: "regions", V.ESTABLISHMENT: "etablissements", V.FACILITY: "installations",
         V.COST_CENTRE: "centres-de-cout", V.ADMIN_UNIT: "unites-administratives", V.LANGUAGE: "langues",
         V.CONTEXT: "contextes", V.REPORT_REASON: "raisons"}
KIND_OF_PAGE = {page: kind for kind, page in PAGES.items()}
PICKED = {"region": V.REGION, "establishment": V.ESTABLISHMENT, "admin_unit": V.ADMIN_UNIT,
          "general": V.REPORT_REASON}
UPLOAD_MAX = 5 * 2**20
COLUMNS = {V.REGION: ("head_office_name", "city"), V.ESTABLISHMENT: ("region", "category"),
           V.FACILITY: ("establishment", "city", "postal_code"), V.COST_CENTRE: ("establishment", "admin_unit"),
           V.ADMIN_UNIT: ("establishment", "direction"), V.LANGUAGE: ("label_en",),
           V.CONTEXT: ("requires_competency",), V.REPORT_REASON: ("category", "general")}


def _kind(page: str) -> str:
    kind = KIND_OF_PAGE.get(page)
    if kind is None:
        abort(404)
    return kind


def _help(kind: str, name: str) -> str:
    texts = {
        ("code", V.REGION): _("Deux chiffres de 01 à 18, par exemple 06 pour Montréal."),
        ("code", V.ESTABLISHMENT): _("2 à 6 lettres majuscules : le préfixe des numéros de demande (ex. HC)."),
        ("code", V.LANGUAGE): _("Le code ISO 639 de la langue, en minuscules (ex. hu pour le hongrois)."),
        ("code", V.CONTEXT): _("Facultatif : fait à partir du nom s'il est laissé vide."),
        ("code", V.REPORT_REASON): _("Facultatif : fait à partir du nom s'il est laissé vide."),
        ("latitude", None): _("En degrés décimaux, par exemple 45,5017."),
        ("longitude", None): _("En degrés décimaux, négative au Québec, par exemple -73,5673."),
        ("postal_code", None): _("Par exemple H1T 2M4."),
        ("general", None): _("Seulement pour une raison détaillée : la raison générale dont elle précise le motif."),
        ("head_office_name", None): _("Le siège social de la région : l'origine du kilométrage (FAQ)."),
    }
    return texts.get((name, kind)) or texts.get((name, None)) or (
        _("Le code de l'élément : il ne change plus une fois créé.") if name == "code" else "")


def _choices(kind: str, name: str, establishment: str | None) -> list[tuple[str, str]] | None:
    """The options of a pick list (None: a free field)."""
    lang = page_lang()
    if name == "category":
        return [(c, V.category_label(kind, c, lang)) for c in V.CATEGORY_CHOICES[kind]]
    target = PICKED.get(name)
    if target is None or (name == "region" and kind != V.ESTABLISHMENT):
        return None
    query: dict = {"per_page": 1000, "sort": "code" if target == V.REGION else "label"}
    if target == V.ADMIN_UNIT:
        if not establishment:
            return []
        query["establishment"] = establishment
    if target == V.REPORT_REASON:
        query["category"] = V.NOT_PROVIDED
    items = rpc("reference", "list_items", current_actor(), target, query)["items"]
    return [(i["code"], f"{i['code']} – {V.label(i, lang)}") for i in items]


def _filter_options(kind: str, name: str) -> list[tuple[str, str]]:
    """The options of a list's filter: establishments, regions, or the kind's categories."""
    if name == "establishment":
        return _choices(V.FACILITY, "establishment", None) or []
    if name == "region":
        return _choices(V.ESTABLISHMENT, "region", None) or []
    return _choices(kind, "category", None) or []


def _form_fields(kind: str, item: dict | None, values: dict) -> list[dict]:
    """What the form template draws, field by field."""
    fixed = {"code"} | ({"establishment"} if kind in V.SCOPED else set())
    establishment = values.get("establishment") or (item or {}).get("establishment")
    out = []
    for name in V.fields_of(kind):
        if item is not None and name in fixed:
            continue
        out.append({"name": name, "label": V.field_label(name, page_lang()), "help": _help(kind, name),
                    "value": values.get(name, (item or {}).get(name)), "boolean": name in V.BOOLEAN_FIELDS,
                    "options": _choices(kind, name, establishment),
                    "required": name in ("label_fr",) or (name == "code" and kind not in (V.CONTEXT, V.REPORT_REASON))})
    return out


def _submitted(kind: str, creating: bool) -> dict:
    """The form's values as the service takes them (text; an empty field clears an optional one)."""
    fixed = {"code"} | ({"establishment"} if kind in V.SCOPED else set())
    fields: dict = {}
    for name in V.fields_of(kind):
        if not creating and name in fixed:
            continue
        if name in V.BOOLEAN_FIELDS:
            fields[name] = request.form.get(name) == "on"
            continue
        value = request.form.get(name, "")[:300].strip()
        if creating and not value:
            continue
        fields[name] = value
    return fields


def _names_of(kind: str, items: list[dict]) -> dict[tuple[str, str], str]:
    """(field, code) -> the name of the item a column names (a general reason by its name, not its code)."""
    lang = page_lang()
    names: dict[tuple[str, str], str] = {}
    for name in COLUMNS[kind]:
        target = PICKED.get(name)
        if target is None or not any(i.get(name) for i in items):
            continue
        query: dict = {"per_page": 1000, "include_inactive": True}
        if target == V.ADMIN_UNIT:
            continue      # per establishment: the code is what the deck shows beside the cost centre
        for other in rpc("reference", "list_items", current_actor(), target, query)["items"]:
            shown = f"{other['code']} – {V.label(other, lang)}" if target == V.REGION else V.label(other, lang)
            names[(name, other["code"])] = shown
    return names


def _display(kind: str, item: dict, name: str) -> str:
    value = item.get(name)
    lang = page_lang()
    if name in V.BOOLEAN_FIELDS:
        return _("Oui") if value else _("Non")
    if name == "category":
        return V.category_label(kind, value, lang) if value else ""
    return "" if value is None else str(value).replace(".", ",") if name in V.COORDINATE_FIELDS else str(value)


@web.app_context_processor
def _reference_helpers():
    return {"kind_label": lambda kind, plural=False: V.kind_label(kind, page_lang(), plural),
            "field_label": lambda name: V.field_label(name, page_lang()),
            "ref_display": _display, "REF_PAGES": PAGES}


@web.route("/donnees-de-reference")
@login_required(*STAFF)
def reference_index():
    actor = current_actor()
    counts = {}
    for kind in V.KINDS:
        try:
            counts[kind] = rpc("reference", "list_items", actor, kind, {"per_page": 1})["total"]
        except (IMSError, ServiceError):
            counts[kind] = None
    return render_template("web/reference_index.html", counts=counts, kinds=V.KINDS)


@web.route("/donnees-de-reference/<page>")
@login_required(*STAFF)
def reference_list(page: str):
    kind = _kind(page)
    q = request.args.get("q", "").strip()[:100]
    query: dict = {"per_page": 200, "page": max(1, min(_int(request.args.get("p")), 1000))}
    if q:
        query["q"] = q
    inactive = request.args.get("inactifs") == "1"
    if inactive:
        query["include_inactive"] = True
    filters = {}
    for name, kinds in (("establishment", (V.FACILITY, V.COST_CENTRE, V.ADMIN_UNIT)),
                        ("region", (V.ESTABLISHMENT,)), ("category", (V.ESTABLISHMENT, V.REPORT_REASON))):
        if kind in kinds:
            value = request.args.get(name, "").strip()[:40]
            filters[name] = {"value": value, "options": _filter_options(kind, name)}
            if value:
                query[name] = value
    error = None
    try:
        result = rpc("reference", "list_items", current_actor(), kind, query)
    except IMSError as exc:
        result, error = {"items": [], "total": 0, "page": 1, "per_page": 200}, message_of(exc)
    more = result["total"] > result["page"] * result["per_page"]
    args = {k: v for k, v in request.args.items() if k != "p"}
    next_url = url_for("web.reference_list", page=page, p=result["page"] + 1, **args) if more else None
    names = _names_of(kind, result["items"])
    for item in result["items"]:
        item["shown"] = {c: names.get((c, item.get(c)), _display(kind, item, c)) for c in COLUMNS[kind]}
    return render_template("web/reference_list.html", kind=kind, page=page, result=result, q=q, inactive=inactive,
                           next_url=next_url,
                           filters=filters, columns=COLUMNS[kind], error=error,
                           done=request.args.get("fait"))


@web.route("/donnees-de-reference/<page>/nouveau", methods=["GET", "POST"])
@login_required(*STAFF)
def reference_new(page: str):
    kind = _kind(page)
    errors, error, values = {}, None, {}
    if request.method == "POST":
        fields = _submitted(kind, creating=True)
        values = dict(fields)
        try:
            item = rpc("reference", "create_item", current_actor(), kind, fields)
        except IMSError as exc:
            if exc.http_status in (401, 403):
                raise
            errors, error = field_errors(exc), _summary(exc)
        except ServiceError as exc:
            error = message_of(exc)
        else:
            return redirect(url_for("web.reference_item", page=page, item_id=item["id"], fait="cree"))
    return render_template("web/reference_form.html", kind=kind, page=page, item=None,
                           fields=_form_fields(kind, None, values), errors=errors, error=error,
                           history=None), (400 if error else 200)


@web.route("/donnees-de-reference/<page>/<item_id>", methods=["GET", "POST"])
@login_required(*STAFF)
def reference_item(page: str, item_id: str):
    kind = _kind(page)
    actor = current_actor()
    errors, error, values = {}, None, {}
    if request.method == "POST":
        fields = _submitted(kind, creating=False)
        values = dict(fields)
        fields["version"] = _int(request.form.get("version")) or None
        try:
            rpc("reference", "change_item", actor, kind, item_id, fields)
        except IMSError as exc:
            if exc.http_status in (401, 403, 404):
                raise
            errors, error = field_errors(exc), _summary(exc)
        except ServiceError as exc:
            error = message_of(exc)
        else:
            return redirect(url_for("web.reference_item", page=page, item_id=item_id, fait="modifie"))
    found = rpc("reference", "item_history", actor, kind, item_id)
    item = found["item"]
    return render_template("web/reference_form.html", kind=kind, page=page, item=item,
                           fields=_form_fields(kind, item, values), errors=errors, error=error,
                           history=_history_rows(kind, found["history"]), done=request.args.get("fait")), \
        (400 if error else 200)


@web.post("/donnees-de-reference/<page>/<item_id>/activation")
@login_required(*STAFF)
def reference_activation(page: str, item_id: str):
    kind = _kind(page)
    deactivate = request.form.get("action") == "desactiver"
    try:
        if deactivate:
            rpc("reference", "deactivate_item", current_actor(), kind, item_id,
                request.form.get("reason", "").strip()[:500] or None)
        else:
            rpc("reference", "reactivate_item", current_actor(), kind, item_id)
    except IMSError as exc:
        if exc.http_status in (401, 403, 404):
            raise
    return redirect(url_for("web.reference_item", page=page, item_id=item_id,
                            fait="desactive" if deactivate else "reactive"))


@web.post("/donnees-de-reference/<page>/importer")
@login_required(*STAFF)
def reference_import(page: str):
    kind = _kind(page)
    upload = request.files.get("fichier")
    content = upload.read(UPLOAD_MAX + 1) if upload else b""
    error, report = None, None
    if not content:
        error = _("Choisissez un fichier CSV à importer.")
    elif len(content) > UPLOAD_MAX:
        error = _("Le fichier est trop volumineux : %(max)s Mo au plus.", max=UPLOAD_MAX // 2**20)
    else:
        try:
            report = rpc("reference", "import_csv", current_actor(), kind, {
                "content_base64": base64.b64encode(content).decode("ascii"),
                "dry_run": request.form.get("apercu") == "on"})
        except IMSError as exc:
            if exc.http_status in (401, 403):
                raise
            error = message_of(exc)
        except ServiceError as exc:
            error = message_of(exc)
    if report:
        lang = page_lang()
        for row in report["refused"]:
            row["messages"] = [f"{_field_name(name)} : {translate(code, lang)}" if name != "_row"
                               else translate(code, lang) for name, codes in row["errors"].items() for code in codes]
        for row in report["changed"]:
            row["labels"] = [_field_name(name) for name in row.get("fields") or []]
    return render_template("web/reference_import.html", kind=kind, page=page, report=report, error=error,
                           filename=(upload.filename if upload else "") or ""), (400 if error else 200)


def _summary(exc) -> str:
    """What the top of a refused form says: the fields to correct by their labels, never their codes."""
    names = [_field_name(name) for name in (getattr(exc, "fields", None) or {})]
    if names:
        return _("À corriger : %(fields)s.", fields=", ".join(names))
    return message_of(exc)


def _field_name(name: str) -> str:
    return V.field_label(name, page_lang())


def _history_rows(kind: str, history: list[dict]) -> list[dict]:
    what = {"ReferenceItemCreated": _("Création"), "ReferenceItemChanged": _("Modification"),
            "ReferenceItemDeactivated": _("Désactivation"), "ReferenceItemReactivated": _("Réactivation")}
    rows = []
    for entry in reversed(history):
        changes = []
        if entry["type"] == "ReferenceItemChanged":
            for name, (before, after) in (entry.get("changes") or {}).items():
                changes.append(f"{_field_name(name)} : {_display(kind, {name: before}, name) or '—'} → "
                               f"{_display(kind, {name: after}, name) or '—'}")
        if entry.get("reason"):
            changes.append(_("Raison : %(reason)s", reason=entry["reason"]))
        by = entry.get("by") or {}
        rows.append({"version": entry["version"], "at": entry["at"], "what": what.get(entry["type"], ""),
                     "by": _("Jeu de données par défaut") if by.get("user_id") == "system"
                     else by.get("name") or by.get("user_id") or "", "changes": changes})
    return rows


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
