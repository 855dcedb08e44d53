"""Pay policy versions (data, by effective date): reading them, an admin adding one, and what a
cancellation made now would cost under the version in force on the service date."""
from __future__ import annotations

from ims_common.envelope import NewEvent, StoredEvent
from ims_common.errors import Forbidden, ValidationFailed
from ims_common.times import local_today, parse_iso
from services.auth.contract.vocabulary import ACTOR_ROLES, ADMIN
from services.booking.contract.vocabulary import MODES
from services.payroll.contract.events import CURRENT, POLICY_ADDED, upcast, upcast_policy
from services.payroll.domain.cancellation import cancellation_terms
from services.payroll.domain.policy import PayPolicy, PolicyBook, default_policy_book

from .records import POLICIES, actor_of, staff


class PolicyUseCases:
    def policy_book(self) -> PolicyBook:
        book = default_policy_book()
        for doc in self.docs.find(POLICIES):
            book = book.with_version(PayPolicy.from_dict(upcast_policy(doc["policy"])))
        return book

    def list_policies(self, actor: dict) -> list[dict]:
        if not staff(actor):
            raise Forbidden("payroll.forbidden")
        return [p.to_dict() for p in self.policy_book().versions]

    def add_policy(self, actor: dict, fields: dict) -> dict:
        """A new version from the latest one and the changed fields; it must take effect after today
        (America/Montreal) and after the latest version: a policy never changes what was priced."""
        if (actor or {}).get("role") != ADMIN:
            raise Forbidden("payroll.forbidden")
        with self._lock:
            book = self.policy_book()
            latest = book.versions[-1]
            try:
                if not isinstance(fields, dict) or not fields.get("version") or not fields.get("effective_from"):
                    raise ValueError("version and effective_from are required")
                policy = PayPolicy.from_dict(dict(latest.to_dict(), **fields))
            except (TypeError, ValueError) as exc:
                raise ValidationFailed("payroll.invalid_policy", params={"reason": str(exc)}) from None
            # The two refusals an admin meets, in their language and naming the field.
            if policy.effective_from <= max(local_today(self.clock()), latest.effective_from):
                raise ValidationFailed("payroll.policy_not_after", fields={"effective_from": [
                    "payroll.policy_not_after"]}, params={"latest": latest.effective_from.isoformat()})
            if any(p.version == policy.version for p in book.versions):
                raise ValidationFailed("payroll.policy_version_taken", fields={"version": [
                    "payroll.policy_version_taken"]}, params={"version": policy.version})
            try:
                book.with_version(policy)
            except (TypeError, ValueError) as exc:
                raise ValidationFailed("payroll.invalid_policy", params={"reason": str(exc)}) from None
            data = {"policy": policy.to_dict(), "booking_position": self.projector.checkpoint(),
                    "auth_position": self.auth_projector.checkpoint(),
                    "reference_position": self.reference_projector.checkpoint()}
            stored = self.events.append(f"pay-policy-{policy.version}", 0, [NewEvent(
                POLICY_ADDED, data, actor=actor_of(actor), correlation_id=actor.get("correlation_id"),
                schema_version=CURRENT[POLICY_ADDED])])[0]
            self._apply_policy(stored)
        return policy.to_dict()

    def _apply_policy(self, event: StoredEvent) -> None:
        policy = upcast(event.to_dict())["data"]["policy"]
        self.docs.put(POLICIES, policy["version"], {"policy": policy})

    def cancellation_terms(self, actor: dict, start_at: str, mode: str | None = None) -> dict:
        """Whether cancelling now a service starting at `start_at` would be paid as planned, and the
        last moment it would not be (the deadline). Asked by the pages before someone cancels."""
        if not isinstance(actor, dict) or actor.get("role") not in ACTOR_ROLES:
            raise Forbidden("payroll.forbidden")
        errors = {}
        try:
            start = parse_iso(start_at)
        except ValueError:
            errors["start_at"] = ["field.invalid"]
        if mode is not None and mode not in MODES:
            errors["mode"] = ["field.invalid"]
        if errors:
            raise ValidationFailed("request.invalid", {"fields": ", ".join(errors)}, errors)
        try:
            return cancellation_terms(start, self.clock(), self.policy_book(), mode)
        except LookupError:     # no policy in force that day (before the oldest version)
            raise ValidationFailed("request.invalid", {"fields": "start_at"},
                                   {"start_at": ["field.invalid"]}) from None
