"""The interpreters list's filters (issue 15, item 3): name, language, language pair, region, request
type, documents expiring and locked accounts. Auth answers name, language, region and expiring
documents itself (list_profiles); the language pair, the request type and the lock are read here
from the profiles and accounts auth gives (one page of 200: the bank's whole roster)."""
from __future__ import annotations

import unicodedata

from flask import request

from services.booking.contract.vocabulary import MODES


def ascii_fold(text: str) -> str:
    """"Arménien" and "armenien" alike, as auth compares languages."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _arg(name: str) -> str:
    return request.args.get(name, "").strip()[:100]


def from_args(regions: list[str]) -> dict:
    """The filters as asked; a region or request type outside the pick lists is ignored."""
    region, mode = _arg("region"), _arg("mode")
    return {"q": _arg("q"), "language": _arg("langue"), "source": _arg("source"), "target": _arg("cible"),
            "region": region if region in regions else "", "mode": mode if mode in MODES else "",
            "expiring": request.args.get("expire") == "1", "locked": request.args.get("verrouille") == "1"}


def auth_query(f: dict) -> dict:
    query: dict = {"role": "interpreter", "per_page": 200}
    for key, name in (("q", "q"), ("language", "language"), ("region", "region")):
        if f[key]:
            query[name] = f[key]
    if f["expiring"]:
        query["document_expiring_within_days"] = 30
    return query


def _same(a, b: str) -> bool:
    return ascii_fold(str(a or "")).lower().strip() == ascii_fold(b).lower().strip()


def keep(row: dict, f: dict) -> bool:
    pairs = row.get("language_pairs") or []
    if (f["source"] or f["target"]) and not any(
            (not f["source"] or _same(p.get("source"), f["source"]))
            and (not f["target"] or _same(p.get("target"), f["target"])) for p in pairs):
        return False
    if f["mode"] and f["mode"] not in (row.get("request_types") or ()):
        return False
    return not (f["locked"] and not row.get("locked"))
