"""Profiles: read and change one (the person, or coordinators), the caller's own, files, and the
coordinators' list. The auth service decides who may change which field (403 naming the field)."""
from __future__ import annotations

import base64
import binascii
import io
import re

from flask import jsonify, send_file, url_for

from gateway.api import api, services
from gateway.openapi import documented
from gateway.rpc import ServiceError
from gateway.schemas.profiles import (
    FILE_TYPES, ProfileChangeSchema, ProfileFileSchema, ProfilePageSchema, ProfileQuerySchema, ProfileSchema,
)
from gateway.security import STAFF, actor, require
from gateway.validation import load_body, load_query

# The auth service's rules over a profile change (services/auth/domain/profile.py): fields of another
# kind of account's profile (profile.field_not_applicable: an interpreter's region, address, documents,
# availability…; a requester's establishment, facility, cost centres), Canadian postal codes, tax
# numbers, and the order of two dates or times; an email another account has.
PROFILE_RULES = {
    "request.invalid": ("region", "address", "postal_code", "country", "work_region_postal_code", "home_coordinates",
                        "request_types", "language_pairs", "contexts", "notifications", "availability",
                        "availability.slots.end", "eligibility_documents", "financial", "financial.gst_number",
                        "financial.qst_number", "financial.gst_to", "financial.qst_to", "inactivity_periods",
                        "inactivity_periods.end", "establishment_blocks", "establishment", "facility",
                        "cost_centers"),
    "account.email_taken": ("email",),
    # one's own email, mobile or phone: without the password, or with a wrong one (it counts as a failed sign-in)
    "auth.contact_step_up_required": ("current_password",), "auth.wrong_current_password": ("current_password",)}


@api.get("/profiles")
@require(*STAFF)
@documented("List profiles (coordinators): by role, language, region, documents expiring soon", "profiles",
            query=ProfileQuerySchema, response=ProfilePageSchema)
def list_profiles():
    query = load_query(ProfileQuerySchema())
    return jsonify(services().call("auth", "list_profiles", actor(), query))


@api.get("/profiles/<user_id:user_id>")
@require()
@documented("One profile (one's own, or any for coordinators; others' are 404)", "profiles",
            response=ProfileSchema)
def get_profile(user_id: str):
    return jsonify(services().call("auth", "get_profile", actor(), user_id))


@api.patch("/profiles/<user_id:user_id>")
@require()
@documented("Change some profile fields (coordinator-only fields are 403 for others)", "profiles",
            body=ProfileChangeSchema, response=ProfileSchema, errors=(403, 409), rules=PROFILE_RULES)
def update_profile(user_id: str):
    return _change(user_id)


@api.get("/me/profile")
@require()
@documented("The caller's own profile", "profiles", response=ProfileSchema)
def my_profile():
    return jsonify(services().call("auth", "get_profile", actor(), actor()["user_id"]))


@api.patch("/me/profile")
@require()
@documented("Change some fields of one's own profile (email and phones: with the current password)",
            "profiles", body=ProfileChangeSchema, response=ProfileSchema, errors=(403, 409), rules=PROFILE_RULES)
def update_my_profile():
    return _change(actor()["user_id"])


def _change(user_id: str):
    patch = load_body(ProfileChangeSchema())
    password = patch.pop("current_password", None)
    return jsonify(services().call("auth", "update_profile", actor(), user_id, patch, password))


@api.post("/profiles/<user_id:user_id>/files")
@require()
@documented("Add a file to a profile (PDF, JPEG or PNG, 10 MB at most, as base64)", "profiles",
            body=ProfileFileSchema, response=ProfileSchema, status=201,
            rules={"request.invalid": ("content_base64", "files")})   # content of the declared type; 20 files
def add_profile_file(user_id: str):
    fields = load_body(ProfileFileSchema())
    profile = services().call("auth", "add_profile_file", actor(), user_id, fields)
    resp = jsonify(profile)
    resp.status_code = 201
    files = profile.get("files") if isinstance(profile, dict) else None
    if files and isinstance(files[-1], dict) and isinstance(files[-1].get("id"), str):
        try:
            resp.headers["Location"] = url_for("api.get_profile_file", user_id=user_id, file_id=files[-1]["id"])
        except Exception:  # an id of an unexpected shape: no Location rather than an error
            pass
    return resp


@api.get("/profiles/<user_id:user_id>/files/<attachment_id:file_id>")
@require()
@documented("Download a profile's file", "profiles", binary={
    **{media: "the file, as an attachment" for media in FILE_TYPES},
    "application/octet-stream": "a file of another type, as opaque bytes"})
def get_profile_file(user_id: str, file_id: str):
    result = services().call("auth", "get_profile_file", actor(), user_id, file_id)
    try:
        meta = result.get("meta") or {}
        content = base64.b64decode(result["content_base64"], validate=True)
    except (AttributeError, KeyError, TypeError, ValueError, binascii.Error):
        raise ServiceError(502, "service.error", "auth") from None
    mimetype = meta.get("content_type") if meta.get("content_type") in FILE_TYPES else "application/octet-stream"
    filename = meta.get("filename") if isinstance(meta.get("filename"), str) else ""
    filename = re.sub(r'[\x00-\x1f\x7f/\\"]', "_", filename)[:255] or file_id  # header-safe
    return send_file(io.BytesIO(content), mimetype=mimetype, as_attachment=True, download_name=filename,
                     max_age=0)


@api.delete("/profiles/<user_id:user_id>/files/<attachment_id:file_id>")
@require()
@documented("Remove a file from a profile", "profiles", response=ProfileSchema)
def delete_profile_file(user_id: str, file_id: str):
    return jsonify(services().call("auth", "delete_profile_file", actor(), user_id, file_id))
