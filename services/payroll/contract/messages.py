"""The payroll service's message codes, in French and English: what its errors and reasons say to
people. Registered into ims_common.messages (which `translate` reads) when this module is imported."""
from __future__ import annotations

from ims_common.messages import register, register_plain

MESSAGES = register({
    "payroll.not_found": {"fr": "Aucune rémunération trouvée.", "en": "No remuneration found."},
    "payroll.forbidden": {
        "fr": "Votre rôle ne permet pas cette action sur la paie.",
        "en": "Your role does not allow this payroll action."},
    "payroll.invalid_period": {"fr": "Période de paie invalide.", "en": "Invalid pay period."},
    "payroll.period_closed": {
        "fr": "La période de paie {period} est déjà fermée.",
        "en": "Pay period {period} is already closed."},
    "payroll.period_not_ended": {
        "fr": "La période de paie {period} n'est pas terminée (elle se termine le {end}) : elle ne peut pas encore être fermée.",
        "en": "Pay period {period} has not ended (it ends on {end}): it cannot be closed yet."},
    "payroll.period_has_provisional": {
        "fr": "La période de paie {period} contient {count} montant(s) provisoire(s) : validez les demandes ou reportez ces montants à la période suivante.",
        "en": "Pay period {period} holds {count} provisional amount(s): validate the bookings or carry these amounts to the next period."},
    "payroll.not_provisional_here": {
        "fr": "Seuls les montants provisoires de la période {period} peuvent être reportés.",
        "en": "Only the provisional amounts of period {period} can be carried."},
    "payroll.interpreter_required": {"fr": "Précisez l'interprète.", "en": "Give the interpreter."},
    "payroll.invalid_policy": {
        "fr": "Politique de rémunération invalide : {reason}",
        "en": "Invalid pay policy: {reason}"},
    "payroll.policy_not_after": {
        "fr": "Une nouvelle version de la politique prend effet après aujourd'hui et après la dernière version ({latest}).",
        "en": "A new policy version takes effect after today and after the latest version ({latest})."},
    "payroll.policy_version_taken": {
        "fr": "La version {version} existe déjà : choisissez un autre identifiant.",
        "en": "Version {version} already exists: choose another identifier."},
})

# Used instead when the raiser gave no params.
PLAIN = register_plain({
    "payroll.invalid_policy": {"fr": "Politique de rémunération invalide.", "en": "Invalid pay policy."},
    "payroll.policy_not_after": {
        "fr": "Une nouvelle version de la politique prend effet après aujourd'hui et après la dernière version.",
        "en": "A new policy version takes effect after today and after the latest version."},
    "payroll.policy_version_taken": {
        "fr": "Cet identifiant de version existe déjà.", "en": "This version identifier already exists."},
    "payroll.period_closed": {
        "fr": "Cette période de paie est déjà fermée.",
        "en": "This pay period is already closed."},
    "payroll.period_not_ended": {
        "fr": "Cette période de paie n'est pas terminée : elle ne peut pas encore être fermée.",
        "en": "This pay period has not ended: it cannot be closed yet."},
    "payroll.period_has_provisional": {
        "fr": "Cette période de paie contient des montants provisoires : validez les demandes ou reportez ces montants à la période suivante.",
        "en": "This pay period holds provisional amounts: validate the bookings or carry these amounts to the next period."},
    "payroll.not_provisional_here": {
        "fr": "Seuls les montants provisoires de cette période peuvent être reportés.",
        "en": "Only the provisional amounts of this period can be carried."},
})
