"""The booking service's message codes, in French and English: what its errors and reasons say to
people. Registered into ims_common.messages (which `translate` reads) when this module is imported."""
from __future__ import annotations

from ims_common.messages import register, register_plain

MESSAGES = register({
    "booking.not_found": {"fr": "Demande introuvable.", "en": "Booking not found."},
    "booking.wrong_status": {
        "fr": "Cette action n'est pas permise au statut actuel de la demande.",
        "en": "This action is not allowed in the booking's current status."},
    "booking.already_taken": {
        "fr": "Cette demande a déjà été acceptée par un autre interprète.",
        "en": "This booking has already been accepted by another interpreter."},
    "booking.withdraw_too_late": {
        "fr": "Il reste moins de 48 heures avant le début : pour vous retirer, appelez la Banque d'interprètes au 514 597-3284.",
        "en": "Less than 48 hours remain before the start: to withdraw, call the interpreter bank at 514 597-3284."},
    "booking.report_too_early": {
        "fr": "Le rapport de service ne peut être saisi qu'à partir de l'heure de début du rendez-vous.",
        "en": "The service report can only be entered once the appointment's start time has come."},
    "booking.forbidden_role": {
        "fr": "Votre rôle ne permet pas cette action sur une demande.",
        "en": "Your role does not allow this action on a booking."},
    "booking.closed": {
        "fr": "La demande est achevée : seule la coordination peut encore la corriger.",
        "en": "The booking is closed: only the coordination can still correct it."},
    "booking.events_after_beyond_last": {
        "fr": "La position « after » ({after}) dépasse la dernière position des événements ({last}) : "
              "reprenez après la dernière position reçue d'IMS, ou à partir de 0.",
        "en": "The position \"after\" ({after}) is beyond the last event position ({last}): resume after "
              "the last position IMS gave you, or from 0."},
    "booking.validated": {
        "fr": "La Banque d'interprètes a validé cette demande : seule la coordination peut encore la corriger.",
        "en": "The interpreter bank validated this booking: only the coordination can still correct it."},
    "booking.nothing_to_validate": {
        "fr": "Cette demande annulée ne rémunère personne : il n'y a rien à valider.",
        "en": "This cancelled booking pays no one: there is nothing to validate."},
    "booking.concurrency_conflict": {
        "fr": "La demande a été modifiée par quelqu'un d'autre au même moment : rechargez-la et réessayez.",
        "en": "The booking was changed by someone else at the same time: reload it and try again."},
    "booking.not_offered": {
        "fr": "Cette demande ne vous est pas (ou plus) offerte.",
        "en": "This booking is not (or no longer) offered to you."},
    "booking.not_assigned": {
        "fr": "Cette demande ne vous est pas assignée.",
        "en": "This booking is not assigned to you."},
    "booking.no_establishment": {
        "fr": "Votre compte n'est rattaché à aucun établissement : communiquez avec la Banque d'interprètes.",
        "en": "Your account belongs to no establishment: contact the interpreter bank."},
    "booking.already_reported": {
        "fr": "Le rapport de service a déjà été saisi : utilisez la correction du rapport.",
        "en": "The service report was already entered: use the report correction."},
    "booking.no_report": {
        "fr": "Cette demande n'a pas encore de rapport de service.",
        "en": "This booking has no service report yet."},
    "booking.too_many_attachments": {
        "fr": "Trop de pièces jointes : {max} au maximum par demande.",
        "en": "Too many attachments: at most {max} per booking."},
    "booking.attachment_not_found": {"fr": "Pièce jointe introuvable.", "en": "Attachment not found."},
    "booking.number_exhausted": {
        "fr": "Plus aucun numéro de demande disponible aujourd'hui pour cet établissement : communiquez avec la Banque d'interprètes.",
        "en": "No booking number is left today for this establishment: contact the interpreter bank."},
    "booking.no_qualified_candidates": {
        "fr": "Aucun interprète qualifié n'est disponible pour la demande {id}.",
        "en": "No qualified interpreter is available for booking {id}."},
    "booking.interpreter_excluded": {
        "fr": "{name} ne peut pas recevoir d'offre pour cette demande : {why}.",
        "en": "{name} cannot be offered this booking: {why}."},
    "booking.unknown_language": {
        "fr": "Langue inconnue : « {value} » ne figure pas dans la liste des langues de la Banque d'interprètes.",
        "en": "Unknown language: \"{value}\" is not in the interpreter bank's list of languages."},
    "booking.unknown_context": {
        "fr": "Contexte inconnu : « {value} » ne figure pas dans la liste des contextes.",
        "en": "Unknown context: \"{value}\" is not in the list of contexts."},
    "booking.unknown_establishment": {
        "fr": "Établissement inconnu : « {value} » ne figure pas dans la liste des établissements.",
        "en": "Unknown establishment: \"{value}\" is not in the list of establishments."},
    "booking.unknown_facility": {
        "fr": "Installation inconnue : « {value} » n'est pas une installation de l'établissement {establishment}.",
        "en": "Unknown facility: \"{value}\" is not a facility of establishment {establishment}."},
    "booking.unknown_cost_centre": {
        "fr": "Centre de coût inconnu : « {value} » n'est pas un centre de coût de l'établissement {establishment}.",
        "en": "Unknown cost centre: \"{value}\" is not a cost centre of establishment {establishment}."},
    "booking.interpreter_unknown": {
        "fr": "Aucun interprète n'a l'identifiant {interpreter_id}.",
        "en": "No interpreter has the identifier {interpreter_id}."},
    "booking.not_an_interpreter": {
        "fr": "Le compte {interpreter_id} n'est pas celui d'un interprète : seul un interprète peut recevoir une offre ou être assigné.",
        "en": "Account {interpreter_id} is not an interpreter's: only an interpreter can receive an offer or be assigned."},
    "booking.interpreter_deactivated": {
        "fr": "Le compte de {name} ({interpreter_id}) est désactivé : il ne peut recevoir ni offre ni assignation.",
        "en": "{name}'s account ({interpreter_id}) is deactivated: it can receive neither offers nor assignments."},
    "booking.assign_excluded": {
        "fr": "{name} ne peut pas être assigné à cette demande : {why}. Pour l'assigner quand même, indiquez la raison de la dérogation.",
        "en": "{name} cannot be assigned to this booking: {why}. To assign them anyway, give the reason for the override."},
    "matching.language_pair": {
        "fr": "Ne traduit pas la paire {source} – {target}.",
        "en": "Does not work in the pair {source} – {target}."},
    "matching.account_inactive": {"fr": "Compte inactif.", "en": "Account inactive."},
    "matching.not_available_for_offers": {
        "fr": "Ne souhaite pas recevoir d'offres.",
        "en": "Not available for offers."},
    "matching.mode_not_accepted": {
        "fr": "N'accepte pas ce type de demande ({mode}).",
        "en": "Does not accept this request type ({mode})."},
    "matching.context_missing": {
        "fr": "N'a pas la compétence requise pour le contexte « {context} ».",
        "en": "Lacks the competency the context \"{context}\" requires."},
    "matching.blocked_for_establishment": {
        "fr": "Bloqué pour l'établissement {establishment}.",
        "en": "Blocked for establishment {establishment}."},
    "matching.inactivity_period": {
        "fr": "Période d'inactivité du {start} au {end}.",
        "en": "Inactivity period from {start} to {end}."},
    "matching.document_invalid": {
        "fr": "Document d'admissibilité « {document} » non valide (échéance : {expires_on}).",
        "en": "Eligibility document \"{document}\" not valid (expires on: {expires_on})."},
    "matching.unavailable": {
        "fr": "Non disponible le {date} à {start} selon ses disponibilités.",
        "en": "Not available on {date} at {start} according to their availability."},
    "matching.overlapping_booking": {
        "fr": "Déjà réservé : demande {booking_id} à {start_at} (marge de déplacement {margin_minutes} min).",
        "en": "Already booked: booking {booking_id} at {start_at} (travel margin {margin_minutes} min)."},
    "matching.too_far": {
        "fr": "Trop loin : {km} km (maximum {max_km} km).",
        "en": "Too far: {km} km (maximum {max_km} km)."},
    "matching.declined": {"fr": "A refusé cette demande.", "en": "Declined this booking."},
    "matching.already_assigned": {
        "fr": "Déjà assigné à cette demande.",
        "en": "Already assigned to this booking."},
    "matching.ok.language": {
        "fr": "Parle la paire de langues (sens : {direction}).",
        "en": "Works in the language pair ({direction})."},
    "matching.ok.context": {
        "fr": "Compétent pour le contexte « {context} ».",
        "en": "Competent for the context \"{context}\"."},
    "matching.ok.distance": {"fr": "À {km} km.", "en": "{km} km away."},
    "matching.ok.same_area": {"fr": "Même secteur postal ({area}).", "en": "Same postal area ({area})."},
    "matching.ok.same_region": {
        "fr": "Même région postale ({region}).",
        "en": "Same postal region ({region})."},
    "matching.ok.distance_unknown": {
        "fr": "Distance inconnue (pas de coordonnées).",
        "en": "Distance unknown (no coordinates)."},
    "matching.ok.workload": {
        "fr": "{bookings} autre(s) demande(s) dans la semaine.",
        "en": "{bookings} other booking(s) that week."},
    "command.unknown": {"fr": "Commande inconnue.", "en": "Unknown command."},
    "report.overtime_reason_required": {
        "fr": "Indiquez la raison du dépassement : la durée réelle dépasse la durée prévue.",
        "en": "Give the reason for the overtime: the actual duration exceeds the planned one."},
    "report.cancelled_not_provided": {
        "fr": "Sur une demande annulée, le rapport ne peut indiquer qu'un service non rendu.",
        "en": "On a cancelled booking, the report can only say the service was not provided."},
    "report.far_from_slot": {
        "fr": "L'heure réelle de début doit être à moins de 24 heures de l'heure prévue du rendez-vous.",
        "en": "The actual start time must be within 24 hours of the appointment's planned start."},
    "report.too_long": {
        "fr": "Un service ne peut durer plus de 24 heures.",
        "en": "A service cannot last more than 24 hours."},
    "time.nonexistent": {
        "fr": "Cette heure n'existe pas ce jour-là (passage à l'heure avancée).",
        "en": "This time does not exist on that day (daylight saving time change)."},
})

# Used instead when the raiser gave no params.
PLAIN = register_plain({
    "booking.events_after_beyond_last": {
        "fr": "Au-delà de la dernière position des événements.",
        "en": "Beyond the last event position."},
    "booking.unknown_language": {
        "fr": "Langue inconnue : choisissez-la dans la liste.",
        "en": "Unknown language: choose it from the list."},
    "booking.unknown_context": {
        "fr": "Contexte inconnu : choisissez-le dans la liste.",
        "en": "Unknown context: choose it from the list."},
    "booking.unknown_establishment": {
        "fr": "Établissement inconnu : choisissez-le dans la liste.",
        "en": "Unknown establishment: choose it from the list."},
    "booking.unknown_facility": {
        "fr": "Installation inconnue pour cet établissement : choisissez-la dans la liste.",
        "en": "Unknown facility for this establishment: choose it from the list."},
    "booking.unknown_cost_centre": {
        "fr": "Centre de coût inconnu pour cet établissement : choisissez-le dans la liste.",
        "en": "Unknown cost centre for this establishment: choose it from the list."},
    "booking.interpreter_unknown": {"fr": "Interprète inconnu.", "en": "Unknown interpreter."},
    "booking.not_an_interpreter": {
        "fr": "Ce compte n'est pas celui d'un interprète.",
        "en": "This account is not an interpreter's."},
    "booking.interpreter_deactivated": {
        "fr": "Le compte de cet interprète est désactivé.",
        "en": "This interpreter's account is deactivated."},
    "booking.assign_excluded": {
        "fr": "Cet interprète ne peut pas être assigné à cette demande sans dérogation.",
        "en": "This interpreter cannot be assigned to this booking without an override."},
    "booking.too_many_attachments": {
        "fr": "Trop de pièces jointes pour cette demande.",
        "en": "Too many attachments for this booking."},
    "booking.interpreter_excluded": {
        "fr": "Cet interprète ne peut pas recevoir d'offre pour le moment.",
        "en": "This interpreter cannot receive offers at this time."},
    "booking.no_qualified_candidates": {
        "fr": "Aucun interprète qualifié n'est disponible pour cette demande.",
        "en": "No qualified interpreter is available for this booking."},
    "matching.blocked_for_establishment": {
        "fr": "Bloqué pour cet établissement.",
        "en": "Blocked for this establishment."},
    "matching.context_missing": {
        "fr": "N'a pas la compétence requise pour ce contexte.",
        "en": "Lacks the competency this context requires."},
    "matching.document_invalid": {
        "fr": "Document d'admissibilité non valide.",
        "en": "Eligibility document not valid."},
    "matching.inactivity_period": {"fr": "En période d'inactivité.", "en": "In an inactivity period."},
    "matching.language_pair": {
        "fr": "Ne traduit pas cette paire de langues.",
        "en": "Does not work in this language pair."},
    "matching.mode_not_accepted": {
        "fr": "N'accepte pas ce type de demande.",
        "en": "Does not accept this request type."},
    "matching.ok.context": {"fr": "Compétent pour ce contexte.", "en": "Competent for this context."},
    "matching.ok.distance": {"fr": "Distance connue.", "en": "Distance known."},
    "matching.ok.language": {"fr": "Parle la paire de langues.", "en": "Works in the language pair."},
    "matching.ok.same_area": {"fr": "Même secteur postal.", "en": "Same postal area."},
    "matching.ok.same_region": {"fr": "Même région postale.", "en": "Same postal region."},
    "matching.ok.workload": {
        "fr": "A d'autres demandes dans la semaine.",
        "en": "Has other bookings that week."},
    "matching.overlapping_booking": {"fr": "Déjà réservé à ce moment.", "en": "Already booked at that time."},
    "matching.too_far": {"fr": "Trop loin.", "en": "Too far."},
    "matching.unavailable": {
        "fr": "Non disponible à ce moment selon ses disponibilités.",
        "en": "Not available at that time according to their availability."},
})
