"""Profiles over the stores: the read model (collection `profiles`, folded from each account's stream),
reading one, the coordinators' list, and the partial update. Every change appends ProfileUpdated (the
full current profile) to the account's own stream, so the relay publishes it on auth.events like
AccountCreated. Files: profile_files.py; the expiry of eligibility documents: document_expiry.py."""
from __future__ import annotations

from datetime import timedelta
from typing import Optional

from ims_common.envelope import NewEvent
from ims_common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ims_common.eventstore.port import ConcurrencyError
from ims_common.projection import CheckpointedProjector
from services.auth.app.context import RETRIES, Context, actor_dict
from services.auth.app.reservations import EMAILS, EmailTaken
from services.auth.app.step_up import check_current_password
from services.auth.contract.events import user_id_of
from services.auth.contract.profiles import changed_contacts
from services.auth.domain import fields as F
from services.auth.domain import profile as P
from services.auth.domain import roles as R
from services.auth.domain.identifiers import ascii_fold
from services.auth.domain.queries import profile_query

PROFILES = "profiles"
CHECKPOINT = "auth_profiles"
INTERNAL = ("version", "search_languages", "next_lock_expiry", "search")
NOT_FOUND = "profile.not_found"
CONTACT_STEP_UP = "auth.contact_step_up_required"


def public(doc: dict) -> dict:
    out = {k: val for k, val in doc.items() if k not in INTERNAL}
    out["warnings"] = P.warnings(doc)
    return out


class Profiles:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        for fields in (["role"], ["next_lock_expiry"]):
            ctx.docs.ensure_index(PROFILES, fields)
        self._projector = CheckpointedProjector(ctx.docs, CHECKPOINT, self._apply)

    # ---- read model ----

    def refresh(self, user_id: str) -> Optional[dict]:
        profile = self.fold(user_id)
        if profile is None:
            return None
        current = self.ctx.docs.get(PROFILES, user_id)
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
        self.ctx.docs.put(PROFILES, user_id, doc)
        return doc

    def fold(self, user_id: str) -> Optional[dict]:
        return P.fold(self.ctx.events.load_stream(P.stream_id(user_id)))

    def catch_up(self) -> int:
        return self._projector.catch_up(
            lambda position, limit: [e.to_dict() for e in self.ctx.events.read_all(position, limit)])

    def rebuild(self) -> int:
        self.ctx.docs.drop(PROFILES)
        self._projector.reset()
        return self.catch_up()

    def _apply(self, event) -> None:
        user_id = user_id_of(event.stream_id)
        if user_id:
            self.refresh(user_id)

    # ---- queries ----

    def get_profile(self, actor, user_id) -> dict:
        return public(self.visible(actor_dict(actor), user_id))

    def visible(self, actor: dict, user_id) -> dict:
        """The profile's document; NotFound for another person's (absent and hidden look the same)."""
        user_id = F.user_id(user_id)
        if not user_id or not P.may_read(actor, user_id):
            raise NotFound(NOT_FOUND)
        doc = self.refresh(user_id)
        if doc is None:
            raise NotFound(NOT_FOUND)
        return doc

    def list_profiles(self, actor, query) -> dict:
        if not R.is_staff(actor_dict(actor).get("role")):
            raise Forbidden("auth.forbidden")
        q = profile_query(query)
        self.catch_up()
        where: dict = {}
        if q["role"]:
            where["role"] = q["role"]
        if q["region"]:
            where["region"] = q["region"]
        if q["language"]:
            where["search_languages"] = {"contains": ascii_fold(q["language"]).lower()}
        docs = self.ctx.docs.find(PROFILES, where or None, order_by=[("last_name", 1), ("user_id", 1)])
        if q["q"]:
            needle = ascii_fold(q["q"]).lower()
            docs = [d for d in docs if needle in d.get("search", "")]
        within = q["document_expiring_within_days"]
        if within is not None:
            # Due (or already past) within N days: what a coordinator must follow up.
            limit = (P.local_today(self.ctx.clock()) + timedelta(days=within)).isoformat()
            docs = [d for d in docs if any(e.get("expires_on") and e["expires_on"] <= limit
                                           for e in d.get("eligibility_documents") or [])]
        page, per_page = q["page"], q["per_page"]
        start = (page - 1) * per_page
        return {"items": [public(d) for d in docs[start:start + per_page]], "total": len(docs),
                "page": page, "per_page": per_page}

    # ---- the update ----

    def update_profile(self, actor, user_id, patch, current_password=None) -> dict:
        actor = actor_dict(actor)
        user_id = F.user_id(user_id)
        for _ in range(RETRIES):
            self.visible(actor, user_id)   # NotFound for others' profiles
            profile = self.fold(user_id)
            updated = P.apply_patch(profile, patch, actor, self.ctx.clock())
            if actor.get("user_id") == user_id and changed_contacts(profile, updated):
                # Where reset links and codes go: a session left open is not enough to move them.
                check_current_password(self.ctx, user_id, current_password, CONTACT_STEP_UP)
            new_email = updated.get("email") if updated.get("email") != profile.get("email") else None
            if new_email:
                self._claim_email(new_email)
            try:
                self.append(user_id, profile, updated, actor)
            except ConcurrencyError:
                if new_email:
                    self.ctx.docs.delete(EMAILS, new_email)
                continue
            if new_email:
                self.ctx.reservations.bind_email(new_email, user_id)
                if profile.get("email"):
                    self.ctx.docs.delete(EMAILS, profile["email"])
            return public(self.after_change(user_id))
        raise Conflict("concurrency.conflict")

    def append(self, user_id: str, before: dict, after: dict, actor: dict) -> None:
        """ProfileUpdated with the whole profile `after`, expecting the stream where `before` was."""
        now = self.ctx.clock()
        at = self.ctx.iso()
        data = P.event_data(after, at, actor, P.local_today(now))
        event = NewEvent(P.PROFILE_UPDATED, data, schema_version=P.PROFILE_SCHEMA_VERSION,
                         actor={"user_id": actor.get("user_id"), "role": actor.get("role")}, occurred_at=at)
        self.ctx.events.append(P.stream_id(user_id), before["version"], [event])

    def after_change(self, user_id: str) -> dict:
        self.ctx.view.refresh(user_id)   # the accounts read model follows email and name changes
        return self.refresh(user_id)

    def _claim_email(self, email: str) -> None:
        try:
            self.ctx.reservations.claim_email(email)
        except EmailTaken:
            raise ValidationFailed("account.email_taken", fields={"email": ["account.email_taken"]}) from None
