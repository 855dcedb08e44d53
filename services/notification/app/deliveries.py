"""Deliveries: one record per (event, recipient, channel), sent by `process_due` through the
channel's sender (adapters/senders.py), retried with exponential backoff until `max_attempts`, then
failed; secrets scrubbed once a record is done. Coordinators read the log; an operator may put
failed deliveries back in the queue (cli.py)."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from ims_common.docstore.port import DuplicateKeyError
from ims_common.errors import ValidationFailed
from ims_common.times import iso_z
from services.notification.adapters.senders import SendFailed
from services.notification.domain import messages as m

from .records import DELIVERIES, DELIVERY_FIELDS

log = logging.getLogger(__name__)
SCRUBBED = "[scrubbed]"


class DeliveryUseCases:
    def _queue(self, event_id: str, kind: str, booking_id: str | None, recipient: dict, channel: str,
               lang: str, subject: str | None, body: str) -> str:
        key = f"{event_id}|{recipient.get('user_id') or recipient['address'].lower()}|{channel}"
        now = iso_z(self.clock())
        try:
            self.docs.insert(DELIVERIES, key, {
                "id": key, "event_id": event_id, "kind": kind, "booking_id": booking_id, "recipient": recipient,
                "channel": channel, "lang": lang, "subject": subject, "body": body, "status": "pending",
                "attempts": 0, "attempt_times": [], "next_attempt_at": now, "sent_at": None, "error": None,
                "provider_ref": None, "created_at": now})
        except DuplicateKeyError:
            pass        # already recorded: this (event, recipient, channel) is sent once
        return key

    def process_due(self, limit: int = 100) -> int:
        """Sends the deliveries whose time has come; returns how many were tried. One process at a
        time among those on the store (the send lock): two would send the same record twice."""
        with self._send_lock:
            now = self.clock()
            # A record marked `sending` while the lock is ours was being sent by a process that
            # died (kill -9) between the send and its record: sent again, flagged so a sender that
            # can tell whether it went out does not send it twice (adapters/senders.py).
            interrupted = self.docs.find(DELIVERIES, {"status": "pending", "sending": True}, limit=limit)
            due = self.docs.find(DELIVERIES, {"status": "pending", "next_attempt_at": {"lte": iso_z(now)}},
                                 order_by=[("next_attempt_at", 1)], limit=limit)
            again = {r["id"] for r in interrupted}
            tried = interrupted + [r for r in due if r["id"] not in again]
            for record in tried:
                self._attempt(record, now, again=record["id"] in again)
                self._pause()
                self._send_lock.keep()
            return len(tried)

    def _retry_at(self, now: datetime, attempts: int) -> str:
        return iso_z(now + timedelta(seconds=self.retry_base * (2 ** (attempts - 1))))

    def _attempt(self, record: dict, now: datetime, again: bool = False) -> None:
        if not again:
            self.docs.put(DELIVERIES, record["id"], dict(record, sending=True))   # see process_due
        record = dict(record, attempts=record["attempts"] + 1, attempt_times=record["attempt_times"] + [iso_z(now)],
                      sending=False)
        sender = self.senders.get(record["channel"])
        try:
            if sender is None:
                raise SendFailed(f"no sender for {record['channel']}", permanent=True)
            record["provider_ref"] = sender.send(record["recipient"]["address"], record["subject"], record["body"],
                                                 key=record["id"], again=again)
            record.update(status="sent", sent_at=iso_z(now), error=None)
        except SendFailed as exc:
            record["error"] = str(exc)[:500]
            if exc.permanent or record["attempts"] >= self.max_attempts:
                record["status"] = "failed"
            else:
                record["next_attempt_at"] = self._retry_at(now, record["attempts"])
        except Exception as exc:    # a bug in an adapter: keep the record retryable, log it
            log.exception("sending %s failed", record["id"])
            record["error"] = f"{type(exc).__name__}"
            if record["attempts"] >= self.max_attempts:
                record["status"] = "failed"
            else:
                record["next_attempt_at"] = self._retry_at(now, record["attempts"])
        if record["status"] != "pending" and record["kind"] in m.SECRET_KINDS:
            record["body"] = SCRUBBED
        self.docs.put(DELIVERIES, record["id"], record)

    def deliveries(self, query: dict | None = None) -> list[dict]:
        query = query or {}
        where = {}
        if query.get("booking_id"):
            where["booking_id"] = str(query["booking_id"])
        if query.get("user_id"):
            where["recipient.user_id"] = str(query["user_id"])
        if query.get("status"):
            where["status"] = str(query["status"])
        if query.get("event_id"):
            where["event_id"] = str(query["event_id"])
        limit = min(int(query.get("limit") or 500), 1000)
        rows = self.docs.find(DELIVERIES, where or None, order_by=[("created_at", 1), ("id", 1)], limit=limit)
        return [{k: row.get(k) for k in DELIVERY_FIELDS} for row in rows]

    def retry_failed(self, delivery_ids: list[str] | None = None) -> dict:
        """Puts failed deliveries (all, or the ones named) back in the queue, due now, with a fresh
        count of attempts. A message whose text held a secret was scrubbed: it cannot be sent again
        (the person asks for a new code or link) and is listed as skipped."""
        if delivery_ids is not None and (not isinstance(delivery_ids, list)
                                         or not all(isinstance(i, str) for i in delivery_ids)):
            raise ValidationFailed("request.invalid", {"fields": "ids"}, {"ids": ["field.invalid"]})
        failed = self.docs.find(DELIVERIES, {"status": "failed"}, order_by=[("created_at", 1), ("id", 1)])
        if delivery_ids is not None:
            failed = [d for d in failed if d["id"] in set(delivery_ids)]
        requeued, skipped = [], []
        now = iso_z(self.clock())
        for record in failed:
            if record.get("body") == SCRUBBED:
                skipped.append(record["id"])
                continue
            self.docs.put(DELIVERIES, record["id"], dict(record, status="pending", attempts=0,
                                                          next_attempt_at=now, error=None))
            requeued.append(record["id"])
        return {"requeued": requeued, "skipped": skipped}
