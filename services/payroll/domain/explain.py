"""Why each line of a remuneration pays what it pays: the rule that produced it, in French and in
English, naming the policy version ("2 h minimum à 41,00 $/h, politique BI-2024-11-04").

Pricing records, for each line, a reason (a code and its figures) and any notes; this module turns
them into sentences. Figures are formatted by the name of their parameter: `*_money` as an amount
(41,00 $ / $41.00), `*_minutes` as a duration (2 h 30), `*_km` as kilometres (58,2 km), `*_hours`
as decimal hours (26,5 h)."""
from __future__ import annotations

from decimal import Decimal

from ims_common.money import format_money

# code -> (French, English); {name} placeholders are the reason's parameters, formatted.
TEXTS: dict[str, tuple[str, str]] = {
    # Demande
    "fee.minimum": ("{minimum_minutes} minimum à {rate_money}/h",
                    "{minimum_minutes} minimum at {rate_money}/h"),
    "fee.blocks": ("{minimum_minutes} minimum + {blocks} bloc(s) de {block_minutes} à {rate_money}/h "
                   "({billed_minutes} facturées)",
                   "{minimum_minutes} minimum + {blocks} block(s) of {block_minutes} at {rate_money}/h "
                   "({billed_minutes} billed)"),
    "fee.per_communication": ("{count} communication(s) × {block_minutes} à {rate_money}/h (la transmission "
                              "elle-même)", "{count} communication(s) × {block_minutes} at {rate_money}/h "
                              "(the transmission itself)"),
    "fee.per_word": ("Traduction payée au mot (ligne Mots)", "Translation paid per word (Words line)"),
    "fee.withdrawal": ("Désistement : la demande est payée à qui fait le service",
                       "Withdrawal: the service fee goes to whoever does the service"),
    "fee.early_cancellation": ("Annulée avec {notice_hours} ouvrables d'avis ({window} h ou plus) : demande "
                               "non payée", "Cancelled with {notice_hours} of business-hours notice ({window} h "
                               "or more): no service fee"),
    "fee.late_cancellation_not_timed": ("Annulation tardive d'un service qui n'est pas payé au temps : "
                                        "demande non payée", "Late cancellation of a service not paid by "
                                        "time: no service fee"),
    # Rappels téléphoniques
    "calls.none": ("Aucune communication", "No communication"),
    "calls.some": ("{count} communication(s) × {block_minutes} à {rate_money}/h",
                   "{count} communication(s) × {block_minutes} at {rate_money}/h"),
    "calls.in_fee": ("Comprises dans la demande (transmission de message)",
                     "Included in the service fee (message transmission)"),
    "calls.not_paid": ("Non payées sans service", "Not paid without a service"),
    # Distance
    "km.none": ("Aucun kilométrage déclaré", "No mileage claimed"),
    "km.not_paid": ("Frais de déplacement non payés (pas de service ni d'annulation tardive)",
                    "Travel expenses not paid (no service or late cancellation)"),
    "km.under_threshold": ("Trajet aller de {route_km} : {threshold_km} ou moins, non payé",
                           "One-way route of {route_km}: {threshold_km} or less, not paid"),
    "km.under_threshold_computed": ("Distance calculée de {computed_km} : {threshold_km} ou moins, non payé "
                                    "(réclamé : {claimed_km})", "Computed distance of {computed_km}: "
                                    "{threshold_km} or less, not paid (claimed: {claimed_km})"),
    "km.paid": ("{paid_km} payés à {rate_money}/km (trajet aller de {route_km})",
                "{paid_km} paid at {rate_money}/km (one-way route of {route_km})"),
    "km.paid_round_trip": ("{paid_km} payés à {rate_money}/km (aller-retour d'un trajet de {route_km})",
                           "{paid_km} paid at {rate_money}/km (round trip of a {route_km} route)"),
    # Temps de déplacement
    "travel.none": ("Aucun temps de déplacement", "No travel time"),
    "travel.not_paid": ("Temps de déplacement non rémunéré", "Travel time not paid"),
    "travel.paid": ("{billed_minutes} à {rate_money}/h (blocs de {block_minutes})",
                    "{billed_minutes} at {rate_money}/h ({block_minutes} blocks)"),
    "travel.not_applicable": ("Sans objet", "Not applicable"),
    # Mots
    "words.none": ("Aucun mot", "No words"),
    "words.some": ("{count} mot(s) à {rate_money}/mot", "{count} word(s) at {rate_money}/word"),
    # Autres frais
    "fees.none": ("Aucuns frais", "No fees"),
    "fees.receipt": ("Frais de {amount_money} avec reçu joint", "Fees of {amount_money} with a receipt attached"),
    "fees.no_receipt": ("Frais de {amount_money} sans reçu joint : non payés", "Fees of {amount_money} with no "
                        "receipt attached: not paid"),
    "fees.not_applicable": ("Sans objet", "Not applicable"),
    # Frais supplémentaires (attente)
    "wait.none": ("Aucune attente", "No waiting time"),
    "wait.not_paid": ("Attente de {wait_minutes} non rémunérée", "Waiting time of {wait_minutes} not paid"),
    "wait.paid": ("Attente : {billed_minutes} à {rate_money}/h", "Waiting time: {billed_minutes} at {rate_money}/h"),
    # Notes (after the reason)
    "note.late_cancellation": ("annulation tardive ({notice_hours} ouvrables d'avis, moins de {window} h) : "
                               "payée comme prévu", "late cancellation ({notice_hours} of business-hours notice, "
                               "under {window} h): paid as planned"),
    "note.overtime_capped": ("dépassement de {overtime_minutes} sans raison : limité au prévu",
                             "{overtime_minutes} of overtime with no reason: limited to the plan"),
    "note.overtime_paid": ("dont {overtime_minutes} de dépassement justifié",
                           "including {overtime_minutes} of justified overtime"),
    "note.estimate": ("estimation : aucun rapport de service, prévu", "estimate: no service report, as planned"),
    "note.before_cancellation": ("faites avant l'annulation", "made before the cancellation"),
    "note.before_withdrawal": ("faites avant le désistement", "made before the withdrawal"),
    "note.after_not_paid": ("{count} après : non payée(s)", "{count} after it: not paid"),
    "note.paid_with_withdrawal": ("{count} déjà payée(s) au désistement", "{count} already paid at the withdrawal"),
    "note.km_from_home": ("distance calculée : {computed_km} depuis le domicile",
                          "computed distance: {computed_km} from home"),
    "note.km_from_head_office": ("distance calculée : {computed_km} depuis le siège social de la région principale",
                                 "computed distance: {computed_km} from the main region's head office"),
    "note.km_reduced": ("réclamé : {claimed_km}, plus de {margin} % au-delà : payé à la distance calculée",
                        "claimed: {claimed_km}, over {margin} % beyond it: paid at the computed distance"),
    "note.km_excess": ("réclamé : {claimed_km}, plus de {margin} % au-delà de la distance calculée : à vérifier",
                       "claimed: {claimed_km}, over {margin} % beyond the computed distance: to be checked"),
    "note.km_unverified": ("distance non vérifiable (coordonnées inconnues) : à vérifier",
                           "distance cannot be checked (coordinates unknown): to be checked"),
    "note.times_outside_window": ("heures réelles hors de la plage permise autour du rendez-vous : à vérifier",
                                  "actual times outside the window around the appointment: to be checked"),
}
POLICY = ("politique {version}", "policy {version}")


def duration(minutes: int, lang: str) -> str:
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def number(value, lang: str) -> str:
    text = format(Decimal(str(value)).normalize(), "f")
    return text.replace(".", ",") if lang == "fr" else text


def _format(name: str, value, lang: str) -> str:
    if name.endswith("_money"):
        return format_money(value, lang)
    if name.endswith("_minutes"):
        return duration(value, lang)
    if name.endswith("_km"):
        return f"{number(value, lang)}\u00a0km"
    if name.endswith("_hours"):
        return f"{number(value, lang)}\u00a0h"
    return str(value) if lang == "en" or not isinstance(value, Decimal) else number(value, lang)


def sentence(code: str, params: dict, lang: str) -> str:
    french, english = TEXTS[code]
    template = english if lang == "en" else french
    return template.format(**{k: _format(k, v, lang) for k, v in params.items()})


def render(reason: tuple[str, dict], notes: list[tuple[str, dict]], version: str) -> dict[str, str]:
    """{"fr": ..., "en": ...}: the reason, its notes, then the policy version."""
    out = {}
    for index, lang in enumerate(("fr", "en")):
        parts = [sentence(*reason, lang)] + [sentence(code, params, lang) for code, params in notes]
        out[lang] = f"{(' ; ' if lang == 'fr' else '; ').join(parts)}, {POLICY[index].format(version=version)}"
    return out
