"""A profile's files (eligibility documents' scans, certificates): PDF, JPEG or PNG, 10 MB, kept in the
blob store; the profile lists their metadata. The blob is written first: an event never points at a
missing file (an orphan blob is harmless)."""
from __future__ import annotations

import base64
import binascii
import uuid
from typing import Callable

from ims_common import validation as v
from ims_common.errors import Conflict, NotFound
from ims_common.eventstore.port import ConcurrencyError
from ims_common.files import base64_max_length
from services.auth.app.context import RETRIES, Context, actor_dict
from services.auth.app.profiles import Profiles, public
from services.auth.domain import fields as F
from services.auth.domain import profile as P

FIELDS = ("filename", "content_type", "content_base64", "description", "name")


def blob_key(user_id: str, file_id: str) -> str:
    return f"profile-file/{user_id}/{file_id}"


class ProfileFiles:
    def __init__(self, ctx: Context, profiles: Profiles):
        self.ctx = ctx
        self.profiles = profiles

    def add_file(self, actor, user_id, fields) -> dict:
        actor = actor_dict(actor)
        fields = v.require_object(fields)
        errors = v.Errors()
        v.reject_unknown(fields, FIELDS, errors)
        errors.raise_if_any()
        raw = fields.get("content_base64")
        if not isinstance(raw, str) or len(raw) > base64_max_length(P.FILE_MAX_BYTES):
            raise v.fail("content_base64", "file.too_large" if isinstance(raw, str) else "field.required")
        try:
            content = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise v.fail("content_base64", "field.invalid_base64") from None
        meta = P.check_file(fields.get("filename"), fields.get("content_type"), content, fields.get("description"),
                            fields.get("name"))
        self.profiles.visible(actor, user_id)   # NotFound for others' profiles
        uid = F.user_id(user_id)
        file_id = uuid.uuid4().hex
        self.ctx.blobs.put(blob_key(uid, file_id), content, meta["content_type"], meta["filename"])
        meta.update(id=file_id, added_by=actor.get("user_id"), added_at=self.ctx.iso())
        return self._change(actor, uid, lambda files: files + [meta], limit=True)

    def delete_file(self, actor, user_id, file_id) -> dict:
        actor = actor_dict(actor)
        current = self.profiles.visible(actor, user_id)
        if not any(f["id"] == file_id for f in current.get("files") or []):
            raise NotFound("profile.file_not_found")
        return self._change(actor, F.user_id(user_id), lambda files: [f for f in files if f["id"] != file_id])

    def get_file(self, actor, user_id, file_id) -> tuple[dict, bytes]:
        doc = self.profiles.visible(actor_dict(actor), user_id)
        meta = next((f for f in doc.get("files") or [] if f.get("id") == file_id), None)
        blob = self.ctx.blobs.get(blob_key(doc["user_id"], file_id)) if meta else None
        if blob is None:
            raise NotFound("profile.file_not_found")
        return meta, blob.data

    def _change(self, actor: dict, user_id: str, change: Callable[[list], list], limit: bool = False) -> dict:
        for _ in range(RETRIES):
            profile = self.profiles.fold(user_id)
            files = change(list(profile.get("files") or []))
            if limit and len(files) > P.MAX_FILES:
                raise v.fail("files", "field.too_many")
            try:
                self.profiles.append(user_id, profile, dict(profile, files=files), actor)
            except ConcurrencyError:
                continue
            return public(self.profiles.after_change(user_id))
        raise Conflict("concurrency.conflict")
