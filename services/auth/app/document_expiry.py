"""The expiry of eligibility documents marked "account inactive if not valid": from 00:00
America/Montreal on its expiry date the account is unavailable for offers. The service's timer runs
this; one ProfileUpdated per document and expiry date (markers in `profile_expiry_markers`)."""
from __future__ import annotations

from ims_common.docstore.port import DuplicateKeyError
from ims_common.eventstore.port import ConcurrencyError
from services.auth.app.context import RETRIES, Context
from services.auth.app.profiles import PROFILES, Profiles
from services.auth.domain import profile as P

MARKERS = "profile_expiry_markers"
SYSTEM = {"user_id": "system", "role": "system", "name": "IMS"}


def _marker(user_id: str, document: dict) -> str:
    # A renewed document (new expiry date) is watched again.
    return f"{user_id}|{document['id']}|{document['expires_on']}"


class DocumentExpiry:
    def __init__(self, ctx: Context, profiles: Profiles):
        self.ctx = ctx
        self.profiles = profiles

    def expire_documents(self) -> int:
        """How many ProfileUpdated it appended."""
        self.profiles.catch_up()
        today = P.local_today(self.ctx.clock())
        appended = 0
        for doc in self.ctx.docs.find(PROFILES, {"next_lock_expiry": {"lte": today.isoformat()}}):
            user_id = doc["user_id"]
            for _ in range(RETRIES):
                profile = self.profiles.fold(user_id)
                due = [d for d in P.expired_locking_documents(profile, today)
                       if self.ctx.docs.get(MARKERS, _marker(user_id, d)) is None]
                if not due:
                    break
                known = {r.get("document_id") for r in profile.get("unavailable_reasons") or []}
                try:
                    if any(d["id"] not in known for d in due):
                        self.profiles.append(user_id, profile, profile, SYSTEM)
                        appended += 1
                except ConcurrencyError:
                    continue  # someone changed it meanwhile: look again
                for d in due:
                    try:
                        self.ctx.docs.insert(MARKERS, _marker(user_id, d),
                                             {"user_id": user_id, "document_id": d["id"],
                                              "expires_on": d["expires_on"], "handled_at": self.ctx.iso()})
                    except DuplicateKeyError:
                        pass
                self.profiles.after_change(user_id)
                break
        return appended
