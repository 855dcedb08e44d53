"""An in-memory stand-in for the services, behind the same `call` as gateway.rpc.RpcPool. It raises
what nameko's proxy raises (RemoteError carrying an IMSError's JSON, UnknownService), so the
gateway's error mapping is exercised as in production. Only the behaviour the gateway tests need."""
from __future__ import annotations

import base64
import copy
import itertools
import uuid

from nameko.exceptions import RemoteError, UnknownService

from ims_common.errors import Conflict, Forbidden, IMSError, NotFound, Unauthorized

STAFF = ("coordinator", "admin")


class FakeServices:
    def __init__(self, token_factory=None):
        self.token_factory = token_factory or (lambda account: "token-" + account["user_id"])
        self.accounts: dict[str, dict] = {}
        self.passwords: dict[str, str] = {}
        self.bookings: dict[str, dict] = {}
        self.blobs: dict[str, bytes] = {}
        self.calls: list[tuple] = []
        self.down: set[str] = set()
        self.failures: dict[tuple[str, str], BaseException] = {}
        self._seq = itertools.count(1)
        self.real: dict[str, object] = {}   # service -> a real app object answering its methods

    def attach(self, service: str, app) -> None:
        """Calls to `service` go to `app` (e.g. the reference service's app over a real SQLite store)."""
        self.real[service] = app

    # ---- the RPC interface ----
    def call(self, service, method, *args, timeout=None):
        self.calls.append((service, method, args, timeout))
        if service in self.down:
            raise UnknownService(service)
        failure = self.failures.get((service, method))
        if failure is not None:
            raise failure
        handler = getattr(self.real[service], method, None) if service in self.real else \
            getattr(self, f"{service}__{method}", None)
        if handler is None:
            raise RemoteError("MethodNotFound", method)
        try:
            return copy.deepcopy(handler(*args))
        except IMSError as exc:  # as nameko carries it: class name and str(exc) (JSON)
            raise RemoteError(type(exc).__name__, str(exc)) from None

    def last_call(self, method):
        return next(c for c in reversed(self.calls) if c[1] == method)

    # ---- auth ----
    def add_account(self, role, user_id=None, password="Motdepasse-Solide-1!", establishment=None, **extra):
        user_id = user_id or f"U{role[:3].upper()}{len(self.accounts) + 1:04d}"
        account = {"user_id": user_id, "email": f"{user_id.lower()}@example.org", "first_name": "Prénom",
                   "last_name": "Nom", "role": role, "secondary_role": None, "default_role": role,
                   "establishment": establishment, "display_language": "fr", "active": True,
                   "must_change_password": False, "created_at": "2025-01-06T14:00:00Z", **extra}
        self.accounts[user_id] = account
        self.passwords[user_id] = password
        return account

    def auth__login(self, identifier, password, client_ip):
        for account in self.accounts.values():
            if identifier in (account["user_id"], account["email"]) and self.passwords[account["user_id"]] == password:
                return {"access_token": self.token_factory(account), "token_type": "Bearer", "expires_in": 900,
                        "user": account}
        raise Unauthorized("auth.invalid_credentials")

    def auth__create_account(self, actor, fields):
        if actor["role"] not in STAFF or fields["role"] == "admin" and actor["role"] != "admin":
            raise Forbidden("auth.forbidden")
        if any(a["email"] == fields["email"] for a in self.accounts.values()):
            raise Conflict("account.email_taken")
        fields = {k: v for k, v in fields.items() if k != "password"}
        return self.add_account(**fields)

    def auth__get_account(self, actor, user_id):
        if actor["role"] not in STAFF and actor["user_id"] != user_id:
            raise NotFound("account.not_found")
        if user_id not in self.accounts:
            raise NotFound("account.not_found")
        return self.accounts[user_id]

    def auth__list_accounts(self, actor, query):
        items = [a for a in self.accounts.values() if query.get("role") in (None, a["role"])]
        return _page(items, query)

    # ---- booking ----
    def booking__create_booking(self, actor, fields):
        est = actor.get("establishment") if actor["role"] == "requester" else fields.get("establishment", "HC")
        number = f"{est}-2524{next(self._seq):04d}"
        booking = {**fields, "id": number, "number": number, "establishment": est, "status": "pending",
                   "version": 1, "start_at": "2025-09-01T13:00:00Z", "end_at": "2025-09-01T15:00:00Z",
                   "created_at": "2025-08-30T12:00:00Z", "created_by": actor["user_id"],
                   "assigned_interpreter_id": None, "offered_to": [], "declined_by": [], "report": None,
                   "attachments": [], "cancelled_at": None, "closed_at": None}
        self.bookings[number] = booking
        return booking

    def _visible(self, actor, booking_id):
        booking = self.bookings.get(booking_id)
        role, uid = actor["role"], actor["user_id"]
        visible = booking is not None and (
            role in STAFF
            or role == "requester" and booking["establishment"] == actor.get("establishment")
            or role == "interpreter" and (booking["assigned_interpreter_id"] == uid
                                          or uid in booking["offered_to"] and uid not in booking["declined_by"]))
        if not visible:
            raise NotFound("booking.not_found")
        return booking

    def booking__get_booking(self, actor, booking_id):
        return self._visible(actor, booking_id)

    def booking__assigned_contact(self, actor, booking_id):
        booking = self._visible(actor, booking_id)
        person = self.accounts.get(booking.get("assigned_interpreter_id") or "")
        if not person or actor["role"] == "interpreter":
            return None
        return {"user_id": person["user_id"], "name": f"{person['first_name']} {person['last_name']}",
                "mobile": person.get("mobile"), "phone": person.get("phone"), "email": person.get("email")}

    def booking__list_bookings(self, actor, query):
        items = []
        for number in self.bookings:
            try:
                booking = self._visible(actor, number)
            except NotFound:
                continue
            if query.get("status") and booking["status"] not in query["status"]:
                continue
            items.append(booking)
        return _page(items, query)

    def booking__execute(self, actor, booking_id, command, payload):
        booking = self._visible(actor, booking_id)
        uid, status = actor["user_id"], booking["status"]

        def need(*statuses):
            if status not in statuses:
                raise Conflict("booking.wrong_status", {"status": status})

        if command == "offer":
            need("pending")
            booking["offered_to"] += [i for i in payload["interpreter_ids"] if i not in booking["offered_to"]]
        elif command == "decline":
            booking["declined_by"].append(uid)
        elif command == "accept":
            if booking["assigned_interpreter_id"] not in (None, uid):
                raise Conflict("booking.already_taken")
            need("pending", "modified")
            booking.update(status="booked", assigned_interpreter_id=uid)
        elif command == "assign":
            need("pending")
            booking.update(status="booked", assigned_interpreter_id=payload["interpreter_id"])
        elif command == "modify":
            booking.update(payload, status="modified" if status == "booked" else status)
        elif command == "withdraw":
            need("booked", "modified")
            booking.update(status="pending", assigned_interpreter_id=None)
        elif command == "cancel":
            need("pending", "booked", "modified")
            booking.update(status="cancelled", cancelled_at=payload.get("cancelled_at", "2025-08-31T12:00:00Z"))
        elif command in ("report", "correct-report"):
            booking["report"] = payload
            if command == "report" and status in ("booked", "modified"):
                booking["status"] = "service_provided"
        elif command == "attachments":
            att_id = uuid.uuid4().hex[:12]
            content = base64.b64decode(payload["content_base64"])
            self.blobs[att_id] = content
            booking["attachments"].append({"id": att_id, "filename": payload["filename"],
                                           "content_type": payload["content_type"], "size": len(content),
                                           "description": payload.get("description"), "added_by": uid,
                                           "added_at": "2025-09-01T16:00:00Z"})
        elif command == "close":
            need("service_provided")
            booking.update(status="closed", closed_at="2025-09-02T12:00:00Z")
        booking["version"] += 1
        return booking

    def booking__get_attachment(self, actor, booking_id, attachment_id):
        booking = self._visible(actor, booking_id)
        meta = next((a for a in booking["attachments"] if a["id"] == attachment_id), None)
        if meta is None:
            raise NotFound("booking.attachment_not_found")
        return {"meta": meta, "content_base64": base64.b64encode(self.blobs[attachment_id]).decode()}

    # ---- health ----
    def auth__health(self):
        return {"service": "auth", "ok": True}

    def booking__health(self):
        return {"service": "booking", "ok": True, "last_position": len(self.bookings)}

    def payroll__health(self):
        return {"service": "payroll", "ok": True, "checkpoint": 0}

    def notification__health(self):
        return {"service": "notification", "ok": True, "checkpoint": 0}

    def reference__health(self):
        return {"service": "reference", "ok": True}

    def webhooks__health(self):
        return {"service": "webhooks", "ok": True, "checkpoint": 0, "pending": 0}


def _page(items, query):
    page, per_page = query.get("page", 1), query.get("per_page", 50)
    return {"items": items[(page - 1) * per_page: page * per_page], "total": len(items), "page": page,
            "per_page": per_page}
