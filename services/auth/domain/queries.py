"""The coordinators' list queries (accounts, profiles): their fields, checked with the shared kernel."""
from __future__ import annotations

from typing import Optional

from ims_common import validation as v
from services.auth.domain import fields as F
from services.auth.domain import profile as P
from services.auth.domain import roles as R

PER_PAGE_DEFAULT, PER_PAGE_MAX, PAGE_MAX = 50, 200, 10**6
ACCOUNT_QUERY = ("role", "active", "establishment", "q", "page", "per_page")
PROFILE_QUERY = ("role", "language", "region", "document_expiring_within_days", "q", "page", "per_page")


def _fields(query, allowed) -> tuple[dict, v.Errors]:
    query = v.require_object(query)
    errors = v.Errors()
    v.reject_unknown(query, allowed, errors)
    return query, errors


def _paging(query: dict, errors: v.Errors) -> tuple[int, int]:
    page = v.integer(query.get("page"), "page", errors, 1, PAGE_MAX, default=1)
    per_page = v.integer(query.get("per_page"), "per_page", errors, 1, PER_PAGE_MAX, default=PER_PAGE_DEFAULT)
    return page, per_page


def account_query(query) -> tuple[dict, Optional[str], int, int]:
    """(where for the accounts read model, search text, page, per_page)."""
    query, errors = _fields(query, ACCOUNT_QUERY)
    where: dict = {}
    role = v.one_of(query.get("role"), R.ROLES, "role", errors)
    if role:
        where["roles"] = {"contains": role}   # primary or secondary
    active = v.boolean(query.get("active"), "active", errors)
    if active is not None:
        where["active"] = active
    if query.get("establishment") is not None:
        where["establishment"] = F.establishment(query["establishment"], "establishment", errors)
    text = v.text(query.get("q"), "q", errors, F.NAME_MAX)   # name, email or id
    page, per_page = _paging(query, errors)
    errors.raise_if_any()
    return where, text, page, per_page


def profile_query(query) -> dict:
    """{role, region, language, q, document_expiring_within_days, page, per_page}, checked."""
    query, errors = _fields(query, PROFILE_QUERY)
    out = {
        "role": v.one_of(query.get("role"), R.ROLES, "role", errors),
        "region": v.one_of(query.get("region"), P.REGIONS, "region", errors),
        "language": v.text(query.get("language"), "language", errors, P.TEXT_MAX),
        "q": v.text(query.get("q"), "q", errors, F.NAME_MAX),
        "document_expiring_within_days": v.integer(query.get("document_expiring_within_days"),
                                                   "document_expiring_within_days", errors, 0, 3650),
    }
    out["page"], out["per_page"] = _paging(query, errors)
    errors.raise_if_any()
    return out
