"""Profiles over the stores (no nameko): read, partial update, files, the coordinators' list, and the
expiry of eligibility documents. Every change appends ProfileUpdated (the full current profile) to
the account's own stream, so the relay publishes it on auth.events like AccountCreated."""
from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime, timedelta, timezone
from typing import Callable, Optional

from ims_common.docstore.port import DocumentStore, DuplicateKeyError
from ims_common.envelope import NewEvent
from ims_common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ims_common.files import base64_max_length
from ims_common.eventstore.port import ConcurrencyError, EventStore
from ims_common.projection import CheckpointedProjector
from services.auth.domain import profile as P
from services.auth.domain import roles as R
from services.auth.domain import validation as v
from services.auth.domain.identifiers import ascii_fold

PROFILES = "profiles"
MARKERS = "profile_expiry_markers"
CHECKPOINT = "auth_profiles"
STREAM_PREFIX = "account-"
SYSTEM = {"user_id": "system", "role": "system", "name": "IMS"}
RETRIES = 3
PER_PAGE_DEFAULT, PER_PAGE_MAX = 50, 200
LIST_QUERY = ("role", "language", "region", "document_expiring_within_days", "q", "page", "per_page")
INTERNAL = ("version", "search_languages", "next_lock_expiry", "search")
NOT_FOUND = "profile.not_found"


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _actor(actor) -> dict:
    return actor if isinstance(actor, dict) else {}


def _user_id(user_id) -> str:
    return user_id.strip().upper() if isinstance(user_id, str) else ""


def public(doc: dict) -> dict:
    out = {k: val for k, val in doc.items() if k not in INTERNAL}
    out["warnings"] = P.warnings(doc)
    return out


class ProfilesApp:
    def __init__(self, event_store: EventStore, doc_store: DocumentStore, blob_store,
                 clock: Optional[Callable[[], datetime]] = None, accounts_view=None, reservations=None):
        self.events = event_store
        self.docs = doc_store
        self.blobs = blob_store
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.accounts_view = accounts_view      # the accounts read model follows email/name changes
        self.reservations = reservations        # one account per email
        for fields in (["role"], ["next_lock_expiry"]):
            doc_store.ensure_index(PROFILES, fields)
        self._projector = CheckpointedProjector(doc_store, CHECKPOINT, self._apply)

    # ---- read model ----

    def refresh(self, user_id: str) -> Optional[dict]:
        profile = P.fold(self.events.load_stream(P.stream_id(user_id)))
        if profile is None:
            return None
        current = self.docs.get(PROFILES, user_id)
        if current is not None and current.get("version", 0) >= profile["version"]:
            return current
        locks = [d["expires_on"] for d in profile.get("eligibility_documents") or []
                 if d.get("inactive_if_invalid") and d.get("expires_on")]
        doc = dict(profile, next_lock_expiry=min(locks) if locks else None,
                   search_languages=sorted({ascii_fold(p.get(k) or "").lower()
                                            for p in profile.get("language_pairs") or []
                                            for k in ("source", "target")} - {""}),
                   search=ascii_fold(f"{profile.get('first_name')} {profile.get('last_name')} "
                                     f"{profile.get('email')} {profile.get('user_id')}").lower())
        self.docs.put(PROFILES, user_id, doc)
        return doc

    def catch_up(self) -> int:
        return self._projector.catch_up(
            lambda position, limit: [e.to_dict() for e in self.events.read_all(position, limit)])

    def rebuild(self) -> int:
        self.docs.drop(PROFILES)
        self._projector.reset()
        return self.catch_up()

    def _apply(self, event) -> None:
        if event.stream_id.startswith(STREAM_PREFIX):
            self.refresh(event.stream_id[len(STREAM_PREFIX):])

    # ---- queries ----

    def get_profile(self, actor, user_id) -> dict:
        return public(self._visible(_actor(actor), user_id))

    def _visible(self, actor: dict, user_id) -> dict:
        user_id = _user_id(user_id)
        # Not visible and absent look the same: no probing for identifiers.
        if not user_id or not P.may_read(actor, user_id):
            raise NotFound(NOT_FOUND)
        doc = self.refresh(user_id)
        if doc is None:
            raise NotFound(NOT_FOUND)
        return doc

    def list_profiles(self, actor, query) -> dict:
        if not R.is_staff(_actor(actor).get("role")):
            raise Forbidden("auth.forbidden")
        query = query if query is not None else {}
        errors = v.Errors()
        if not isinstance(query, dict):
            errors.add("_schema", "field.not_an_object")
            errors.raise_if_any()
        for key in query:
            if key not in LIST_QUERY:
                errors.add(key, "field.unknown")
        role = v.one_of(query.get("role"), R.ROLES, "role", errors, required=False)
        region = v.one_of(query.get("region"), P.REGIONS, "region", errors, required=False)
        language = v.text(query.get("language"), "language", errors, P.TEXT_MAX, required=False)
        text = v.text(query.get("q"), "q", errors, v.NAME_MAX, required=False)
        ints = {}
        for name, default, hi in (("document_expiring_within_days", None, 3650), ("page", 1, 10**6),
                                  ("per_page", PER_PAGE_DEFAULT, PER_PAGE_MAX)):
            value = query.get(name, default)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                errors.add(name, "field.not_an_integer")
            elif value is not None and not (0 if name.startswith("doc") else 1) <= value <= hi:
                errors.add(name, "field.out_of_range")
            ints[name] = value
        errors.raise_if_any()
        self.catch_up()
        where: dict = {}
        if role:
            where["role"] = role
        if region:
            where["region"] = region
        if language:
            where["search_languages"] = {"contains": ascii_fold(language).lower()}
        docs = self.docs.find(PROFILES, where or None, order_by=[("last_name", 1), ("user_id", 1)])
        if text:
            needle = ascii_fold(text).lower()
            docs = [d for d in docs if needle in d.get("search", "")]
        within = ints["document_expiring_within_days"]
        if within is not None:
            # Due (or already past) within N days: what a coordinator must follow up.
            limit = (P.local_today(self.clock()) + timedelta(days=within)).isoformat()
            docs = [d for d in docs if any(e.get("expires_on") and e["expires_on"] <= limit
                                           for e in d.get("eligibility_documents") or [])]
        page, per_page = ints["page"], ints["per_page"]
        start = (page - 1) * per_page
        return {"items": [public(d) for d in docs[start:start + per_page]], "total": len(docs),
                "page": page, "per_page": per_page}

    # ---- commands ----

    def update_profile(self, actor, user_id, patch) -> dict:
        actor = _actor(actor)
        user_id = _user_id(user_id)
        for _ in range(RETRIES):
            self._visible(actor, user_id)   # NotFound for others' profiles
            profile = P.fold(self.events.load_stream(P.stream_id(user_id)))
            updated = P.apply_patch(profile, patch, actor, self.clock())
            new_email = updated.get("email") if updated.get("email") != profile.get("email") else None
            if new_email:
                self._claim_email(new_email)
            try:
                self._append(user_id, profile, updated, actor)
            except ConcurrencyError:
                if new_email:
                    self._release_email(new_email)
                continue
            if new_email and self.reservations is not None:
                self.reservations.bind_email(new_email, user_id)
                self._release_email(profile.get("email"))
            return public(self._after_change(user_id))
        raise Conflict("concurrency.conflict")

    def add_file(self, actor, user_id, fields) -> dict:
        actor = _actor(actor)
        errors = v.Errors()
        if not isinstance(fields, dict):
            errors.add("_schema", "field.not_an_object")
            errors.raise_if_any()
        for key in fields:
            if key not in ("filename", "content_type", "content_base64", "description"):
                errors.add(key, "field.unknown")
        errors.raise_if_any()
        raw = fields.get("content_base64")
        if not isinstance(raw, str) or len(raw) > base64_max_length(P.FILE_MAX_BYTES):
            raise ValidationFailed(v.VALIDATION_FAILED, fields={"content_base64": [
                "file.too_large" if isinstance(raw, str) else "field.required"]})
        try:
            content = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationFailed(v.VALIDATION_FAILED, fields={"content_base64": ["field.invalid_base64"]}) from None
        meta = P.check_file(fields.get("filename"), fields.get("content_type"), content, fields.get("description"))
        self._own_or_staff(actor, user_id)
        file_id = uuid.uuid4().hex
        # The blob first: an event never points at a missing file (an orphan blob is harmless).
        self.blobs.put(self._blob_key(user_id, file_id), content, meta["content_type"], meta["filename"])
        meta.update(id=file_id, added_by=actor.get("user_id"), added_at=_iso(self.clock()))
        return self._change_files(actor, user_id, lambda files: files + [meta], limit=True)

    def delete_file(self, actor, user_id, file_id) -> dict:
        actor = _actor(actor)
        self._own_or_staff(actor, user_id)
        current = self._visible(actor, user_id)
        if not any(f["id"] == file_id for f in current.get("files") or []):
            raise NotFound("profile.file_not_found")
        return self._change_files(actor, user_id, lambda files: [f for f in files if f["id"] != file_id])

    def get_file(self, actor, user_id, file_id) -> tuple[dict, bytes]:
        doc = self._visible(_actor(actor), user_id)
        meta = next((f for f in doc.get("files") or [] if f.get("id") == file_id), None)
        blob = self.blobs.get(self._blob_key(doc["user_id"], file_id)) if meta else None
        if blob is None:
            raise NotFound("profile.file_not_found")
        return meta, blob.data

    def expire_documents(self) -> int:
        """Makes unavailable for offers, once per document, each account whose eligibility document
        marked "account inactive if not valid" reached its expiry date (America/Montreal)."""
        self.catch_up()
        today = P.local_today(self.clock())
        appended = 0
        for doc in self.docs.find(PROFILES, {"next_lock_expiry": {"lte": today.isoformat()}}):
            user_id = doc["user_id"]
            for _ in range(RETRIES):
                profile = P.fold(self.events.load_stream(P.stream_id(user_id)))
                due = [d for d in P.expired_locking_documents(profile, today)
                       if self.docs.get(MARKERS, self._marker(user_id, d)) is None]
                if not due:
                    break
                known = {r.get("document_id") for r in profile.get("unavailable_reasons") or []}
                try:
                    if any(d["id"] not in known for d in due):
                        self._append(user_id, profile, profile, SYSTEM)
                        appended += 1
                except ConcurrencyError:
                    continue  # someone changed it meanwhile: look again
                for d in due:
                    try:
                        self.docs.insert(MARKERS, self._marker(user_id, d),
                                         {"user_id": user_id, "document_id": d["id"],
                                          "expires_on": d["expires_on"], "handled_at": _iso(self.clock())})
                    except DuplicateKeyError:
                        pass
                self._after_change(user_id)
                break
        return appended

    # ---- internals ----

    @staticmethod
    def _marker(user_id: str, document: dict) -> str:
        # A renewed document (new expiry date) is watched again.
        return f"{user_id}|{document['id']}|{document['expires_on']}"

    @staticmethod
    def _blob_key(user_id: str, file_id: str) -> str:
        return f"profile-file/{user_id}/{file_id}"

    def _own_or_staff(self, actor: dict, user_id) -> None:
        self._visible(actor, user_id)   # NotFound for others' profiles

    def _change_files(self, actor: dict, user_id, change, limit: bool = False) -> dict:
        user_id = _user_id(user_id)
        for _ in range(RETRIES):
            profile = P.fold(self.events.load_stream(P.stream_id(user_id)))
            files = change(list(profile.get("files") or []))
            if limit and len(files) > P.MAX_FILES:
                raise ValidationFailed(v.VALIDATION_FAILED, fields={"files": ["field.too_many"]})
            try:
                self._append(user_id, profile, dict(profile, files=files), actor)
            except ConcurrencyError:
                continue
            return public(self._after_change(user_id))
        raise Conflict("concurrency.conflict")

    def _append(self, user_id: str, before: dict, after: dict, actor: dict) -> None:
        now = self.clock()
        data = P.event_data(after, _iso(now), actor, P.local_today(now))
        event = NewEvent(P.PROFILE_UPDATED, data, schema_version=P.PROFILE_SCHEMA_VERSION,
                         actor={"user_id": actor.get("user_id"), "role": actor.get("role")},
                         occurred_at=_iso(now))
        self.events.append(P.stream_id(user_id), before["version"], [event])

    def _after_change(self, user_id: str) -> dict:
        if self.accounts_view is not None:
            self.accounts_view.refresh(user_id)
        return self.refresh(user_id)

    def _claim_email(self, email: str) -> None:
        if self.reservations is None:
            return
        from services.auth.reservations import EmailTaken
        try:
            self.reservations.claim_email(email)
        except EmailTaken:
            raise ValidationFailed("account.email_taken", fields={"email": ["account.email_taken"]}) from None

    def _release_email(self, email: Optional[str]) -> None:
        if self.reservations is not None and email:
            from services.auth.reservations import EMAILS
            self.docs.delete(EMAILS, email)


def attach(auth_app, blob_store) -> ProfilesApp:
    """Profiles beside an AuthApp, sharing its stores, clock, accounts read model and email claims."""
    profiles = ProfilesApp(auth_app.events, auth_app.docs, blob_store, clock=auth_app.clock,
                           accounts_view=auth_app.view, reservations=auth_app.reservations)
    auth_app.profiles = profiles
    profiles.catch_up()
    return profiles


def expiry_interval_seconds() -> float:
    """How often the auth service looks for expired eligibility documents (IMS_PROFILE_EXPIRY_INTERVAL)."""
    import os
    try:
        return max(0.5, float(os.environ.get("IMS_PROFILE_EXPIRY_INTERVAL", "60")))
    except ValueError:
        return 60.0
