"""The session's two limits said to the person (issue 17, shared workstations): the idle timeout and
the absolute end, from auth's policy data, never written here. Signed in, the access token carries
them (claims `sit`: idle seconds, `sxp`: the end, epoch seconds); on the sign-in page, auth's
`session_policy` RPC says the policy itself."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import g
from flask_babel import gettext as _

from gateway.web import page_lang, rpc, web

MONTREAL = ZoneInfo("America/Montreal")
log = logging.getLogger("gateway.web.session_limits")


def duration(seconds: int) -> str:
    """3600 -> '60 min', 43200 -> '12 h' (whole hours from two on)."""
    if seconds >= 7200 and seconds % 3600 == 0:
        return f"{seconds // 3600}\u00a0h"
    return f"{max(1, round(seconds / 60))}\u00a0min"


def clock_time(moment: datetime) -> str:
    """'19 h 05' in French, '7:05 PM' in English."""
    if page_lang() == "fr":
        return f"{moment.hour}\u00a0h\u00a0{moment.minute:02d}"
    suffix = "AM" if moment.hour < 12 else "PM"
    return f"{(moment.hour % 12) or 12}:{moment.minute:02d}\u00a0{suffix}"


def remember(claims: dict) -> None:
    """Keeps the limits of the page's session from its verified token's claims."""
    idle, ends = claims.get("sit"), claims.get("sxp")
    g.session_limits = {"idle": idle if isinstance(idle, int) and idle > 0 else None,
                        "ends_at": ends if isinstance(ends, int) and ends > 0 else None}


def signed_in_notice() -> str:
    """'Session : se ferme après 60 min d'inactivité, au plus tard à 19 h 05.' ('' when unknown)."""
    limits = g.get("session_limits") or {}
    if not limits.get("ends_at"):
        return ""
    end = datetime.fromtimestamp(limits["ends_at"], timezone.utc).astimezone(MONTREAL)
    at = clock_time(end)
    if end.date() != datetime.now(MONTREAL).date():
        at = _("le %(date)s à %(time)s", date=end.strftime("%Y-%m-%d"), time=at)
    else:
        at = _("à %(time)s", time=at)
    if limits.get("idle"):
        return _("Session : se ferme après %(idle)s d'inactivité, au plus tard %(at)s.",
                 idle=duration(limits["idle"]), at=at)
    return _("Session : se ferme au plus tard %(at)s.", at=at)


def policy_notice() -> str:
    """'Votre session se ferme après 60 min d'inactivité et au plus tard 12 h après la connexion.'"""
    try:
        policy = rpc("auth", "session_policy")
        idle, lifetime = int(policy["idle_timeout"]), int(policy["lifetime"])
    except Exception:   # auth not answering: the sign-in itself will say so; the page still shows
        log.warning("session policy unavailable", exc_info=True)
        return ""
    return _("Votre session se ferme après %(idle)s d'inactivité et au plus tard %(lifetime)s après la "
             "connexion.", idle=duration(idle), lifetime=duration(lifetime))


@web.app_context_processor
def _session_helpers():
    return {"session_notice": signed_in_notice, "session_policy_notice": policy_notice}
