"""auth's account messages (temporary password, reset link, MFA code, password changed), handed
over by RPC because their secrets never travel in events; sent at once."""
from __future__ import annotations

import uuid

from ims_common.errors import ValidationFailed
from services.notification.domain import messages as m
from services.notification.domain.routing import account_channels


class AccountUseCases:
    def send_account_message(self, kind: str, recipient: dict, params: dict | None = None) -> dict:
        params = dict(params) if isinstance(params, dict) else {}
        recipient = recipient if isinstance(recipient, dict) else {}
        try:
            channels = account_channels(kind, params.get("channel"))
        except ValueError as exc:
            field = "kind" if str(exc) == "kind" else "params.channel"
            raise ValidationFailed("request.invalid", {"fields": field}, {field: ["field.invalid"]}) from None
        user_id = recipient.get("user_id")
        profile = self.profiles.get(user_id) if user_id else None
        switches = (profile or {}).get("notifications") or {}
        lang = m.lang_of(recipient.get("lang") or (profile or {}).get("display_language"))
        values = {"user_id": user_id or "", "link": m.login_link(self.public_url),
                  "password": params.get("password") or params.get("temporary_password") or "",
                  "url": params.get("url") or params.get("link") or params.get("reset_link") or "",
                  "code": params.get("code") or ""}
        event_id = str(params.get("message_id") or uuid.uuid4())
        ids = []
        for channel in channels:
            address = recipient.get("email" if channel == "email" else "mobile")
            if not address or (kind not in m.SECURITY_KINDS and switches.get(f"{channel}_disabled")):
                continue
            subject, body = m.render(kind, lang, channel, values)
            ids.append(self._queue(event_id, kind, None, {"user_id": user_id, "address": address},
                                   channel, lang, subject, body))
        self.process_due()
        return {"delivery_ids": ids}
