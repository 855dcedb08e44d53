"""Error codes -> French and English messages (str.format params). French is the default language.

Services raise errors with a code; the gateway turns the code into a message in the caller's
language with `translate`. A code missing here still yields a readable message naming the code."""
from __future__ import annotations

import string

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
BANK_PHONE = "514 597-3284"

MESSAGES: dict[str, dict[str, str]] = {
    # Authentication and authorization
    "auth.invalid_credentials": {
        "fr": "Identifiant ou mot de passe incorrect.",
        "en": "Incorrect identifier or password."},
    "auth.token_missing": {
        "fr": "Authentification requise : fournissez un jeton d'accès (Authorization: Bearer …).",
        "en": "Authentication required: provide an access token (Authorization: Bearer …)."},
    "auth.token_invalid": {
        "fr": "Jeton d'accès invalide ou expiré : veuillez vous reconnecter.",
        "en": "Invalid or expired access token: please sign in again."},
    "auth.forbidden": {
        "fr": "Vous n'avez pas les droits nécessaires pour cette action.",
        "en": "You do not have the rights needed for this action."},
    "auth.account_locked": {
        "fr": "Trop de tentatives de connexion : réessayez plus tard.",
        "en": "Too many sign-in attempts: try again later."},
    "auth.password_change_required": {
        "fr": "Vous devez changer votre mot de passe temporaire.",
        "en": "You must change your temporary password."},
    "auth.weak_password": {
        "fr": "Mot de passe trop faible : au moins 12 caractères, une majuscule, un chiffre et un "
              "caractère spécial.",
        "en": "Password too weak: at least 12 characters, an uppercase letter, a digit and a special "
              "character."},
    "account.not_found": {
        "fr": "Compte introuvable.",
        "en": "Account not found."},
    "account.email_taken": {
        "fr": "Un compte existe déjà avec ce courriel.",
        "en": "An account already exists with this email."},
    # Profiles (services/auth/profiles.py)
    "profile.not_found": {"fr": "Profil introuvable.", "en": "Profile not found."},
    "profile.file_not_found": {"fr": "Fichier introuvable.", "en": "File not found."},
    "profile.field_forbidden": {
        "fr": "Seuls les coordonnateurs de la Banque d'interprètes peuvent modifier ce champ : "
              "communiquez avec eux.",
        "en": "Only the interpreter bank's coordinators may change this field: contact them."},
    "profile.field_not_applicable": {"fr": "Ce champ ne s'applique pas à ce type de compte.",
                                     "en": "This field does not apply to this kind of account."},
    "profile.notifications_all_disabled": {
        "fr": "Attention : les notifications par texto et par courriel sont désactivées ; suivez vos "
              "demandes régulièrement sur la plateforme, car vous ne serez pas avisé des nouvelles demandes.",
        "en": "Warning: text and email notifications are both off; check your requests regularly on the "
              "platform, as you will not be told about new requests."},
    "field.read_only": {"fr": "Ce champ ne peut pas être modifié ici.", "en": "This field cannot be changed here."},
    "field.invalid_phone": {"fr": "Numéro de téléphone invalide (10 à 15 chiffres).",
                            "en": "Invalid phone number (10 to 15 digits)."},
    "field.invalid_postal_code": {"fr": "Code postal canadien invalide (ex. J9P 0J7).",
                                  "en": "Invalid Canadian postal code (e.g. J9P 0J7)."},
    "field.not_a_number": {"fr": "Doit être un nombre.", "en": "Must be a number."},
    # Account security (services/auth/security.py)
    "auth.throttled": {
        "fr": "Trop de tentatives de connexion : réessayez dans {retry_after} secondes.",
        "en": "Too many sign-in attempts: try again in {retry_after} seconds."},
    "auth.locked": {
        "fr": "Votre compte est verrouillé après trop de tentatives : utilisez « J'ai oublié mon mot de "
              "passe » ou communiquez avec la Banque d'interprètes au 514 597-3284.",
        "en": "Your account is locked after too many attempts: use \"I forgot my password\" or contact "
              "the interpreter bank at 514 597-3284."},
    "auth.password_surrounding_spaces": {
        "fr": "Le mot de passe saisi commence ou finit par une espace : retirez les espaces (par exemple "
              "après un copier-coller) et réessayez.",
        "en": "The password entered starts or ends with a space: remove the spaces (e.g. after copy and "
              "paste) and try again."},
    "auth.wrong_current_password": {
        "fr": "Le mot de passe actuel est incorrect.",
        "en": "The current password is incorrect."},
    "auth.refresh_invalid": {
        "fr": "Session expirée ou révoquée : veuillez vous reconnecter.",
        "en": "Session expired or revoked: please sign in again."},
    "auth.mfa_token_invalid": {
        "fr": "Étape de vérification expirée : veuillez vous reconnecter.",
        "en": "Verification step expired: please sign in again."},
    "auth.reset_link_invalid": {
        "fr": "Ce lien de réinitialisation est invalide, expiré ou déjà utilisé : demandez-en un nouveau.",
        "en": "This reset link is invalid, expired or already used: ask for a new one."},
    "password.too_short": {
        "fr": "Au moins 12 caractères.",
        "en": "At least 12 characters."},
    "password.too_long": {
        "fr": "Au plus 128 caractères.",
        "en": "At most 128 characters."},
    "password.needs_uppercase": {
        "fr": "Au moins une lettre majuscule.",
        "en": "At least one uppercase letter."},
    "password.needs_digit": {
        "fr": "Au moins un chiffre.",
        "en": "At least one digit."},
    "password.needs_special": {
        "fr": "Au moins un caractère spécial (par exemple ! - _ @ #).",
        "en": "At least one special character (e.g. ! - _ @ #)."},
    "password.surrounding_spaces": {
        "fr": "Pas d'espace au début ni à la fin.",
        "en": "No space at the start or the end."},
    "password.too_guessable": {
        "fr": "Trop facile à deviner : allongez-le, évitez les mots courants, les noms et les dates.",
        "en": "Too easy to guess: make it longer, avoid common words, names and dates."},
    "password.same_as_current": {
        "fr": "Le nouveau mot de passe doit différer de l'actuel.",
        "en": "The new password must differ from the current one."},
    "password.mismatch": {
        "fr": "La confirmation ne correspond pas au nouveau mot de passe.",
        "en": "The confirmation does not match the new password."},
    "mfa.no_code": {
        "fr": "Aucun code n'a été envoyé : demandez un code.",
        "en": "No code was sent: ask for a code."},
    "mfa.invalid_code": {
        "fr": "Code de vérification incorrect.",
        "en": "Incorrect verification code."},
    "mfa.code_expired": {
        "fr": "Ce code a expiré : demandez-en un nouveau.",
        "en": "This code has expired: ask for a new one."},
    "mfa.code_used": {
        "fr": "Ce code a déjà servi : demandez-en un nouveau.",
        "en": "This code was already used: ask for a new one."},
    "mfa.too_many_attempts": {
        "fr": "Trop d'essais pour ce code : demandez-en un nouveau.",
        "en": "Too many tries for this code: ask for a new one."},
    "mfa.channel_unavailable": {
        "fr": "Ce moyen de vérification n'est pas configuré pour votre compte.",
        "en": "This verification method is not set up for your account."},
    "mfa.setup_required": {
        "fr": "Activez d'abord l'authentification multifacteur (code par SMS).",
        "en": "Set up multi-factor authentication first (code by SMS)."},
    "account.cannot_deactivate_self": {
        "fr": "Vous ne pouvez pas désactiver votre propre compte.",
        "en": "You cannot deactivate your own account."},
    # Bookings
    "booking.not_found": {
        "fr": "Demande introuvable.",
        "en": "Booking not found."},
    "booking.wrong_status": {
        "fr": "Cette action n'est pas permise au statut actuel de la demande.",
        "en": "This action is not allowed in the booking's current status."},
    "booking.already_taken": {
        "fr": "Cette demande a déjà été acceptée par un autre interprète.",
        "en": "This booking has already been accepted by another interpreter."},
    "booking.withdraw_too_late": {
        "fr": f"Il reste moins de 48 heures avant le début : pour vous retirer, appelez la Banque "
              f"d'interprètes au {BANK_PHONE}.",
        "en": f"Less than 48 hours remain before the start: to withdraw, call the interpreter bank at "
              f"{BANK_PHONE}."},
    "booking.report_too_early": {
        "fr": "Le rapport de service ne peut être saisi qu'à partir de l'heure de début du rendez-vous.",
        "en": "The service report can only be entered once the appointment's start time has come."},
    "booking.forbidden_role": {
        "fr": "Votre rôle ne permet pas cette action sur une demande.",
        "en": "Your role does not allow this action on a booking."},
    "booking.closed": {
        "fr": "La demande est achevée : seule la coordination peut encore la corriger.",
        "en": "The booking is closed: only the coordination can still correct it."},
    "booking.concurrency_conflict": {
        "fr": "La demande a été modifiée par quelqu'un d'autre au même moment : rechargez-la et "
              "réessayez.",
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
    "booking.attachment_not_found": {
        "fr": "Pièce jointe introuvable.",
        "en": "Attachment not found."},
    "booking.number_exhausted": {
        "fr": "Plus aucun numéro de demande disponible aujourd'hui pour cet établissement : communiquez "
              "avec la Banque d'interprètes.",
        "en": "No booking number is left today for this establishment: contact the interpreter bank."},
    # Matching: why an interpreter is not a candidate ("why not X?") and why one is
    "booking.no_qualified_candidates": {
        "fr": "Aucun interprète qualifié n'est disponible pour la demande {id}.",
        "en": "No qualified interpreter is available for booking {id}."},
    "booking.interpreter_excluded": {
        "fr": "L'interprète {interpreter_id} ne peut pas recevoir d'offre pour le moment.",
        "en": "Interpreter {interpreter_id} cannot receive offers at this time."},
    "matching.language_pair": {
        "fr": "Ne traduit pas la paire {source} – {target}.",
        "en": "Does not work in the pair {source} – {target}."},
    "matching.account_inactive": {"fr": "Compte inactif.", "en": "Account inactive."},
    "matching.not_available_for_offers": {
        "fr": "Ne souhaite pas recevoir d'offres.", "en": "Not available for offers."},
    "matching.mode_not_accepted": {
        "fr": "N'accepte pas ce type de demande ({mode}).", "en": "Does not accept this request type ({mode})."},
    "matching.context_missing": {
        "fr": "N'a pas la compétence requise pour le contexte « {context} ».",
        "en": "Lacks the competency the context \"{context}\" requires."},
    "matching.blocked_for_establishment": {
        "fr": "Bloqué pour l'établissement {establishment}.", "en": "Blocked for establishment {establishment}."},
    "matching.inactivity_period": {
        "fr": "Période d'inactivité du {start} au {end}.", "en": "Inactivity period from {start} to {end}."},
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
        "fr": "Trop loin : {km} km (maximum {max_km} km).", "en": "Too far: {km} km (maximum {max_km} km)."},
    "matching.declined": {"fr": "A refusé cette demande.", "en": "Declined this booking."},
    "matching.already_assigned": {"fr": "Déjà assigné à cette demande.", "en": "Already assigned to this booking."},
    "matching.ok.language": {
        "fr": "Parle la paire de langues (sens : {direction}).", "en": "Works in the language pair ({direction})."},
    "matching.ok.context": {
        "fr": "Compétent pour le contexte « {context} ».", "en": "Competent for the context \"{context}\"."},
    "matching.ok.distance": {"fr": "À {km} km.", "en": "{km} km away."},
    "matching.ok.same_area": {
        "fr": "Même secteur postal ({area}).", "en": "Same postal area ({area})."},
    "matching.ok.same_region": {
        "fr": "Même région postale ({region}).", "en": "Same postal region ({region})."},
    "matching.ok.distance_unknown": {
        "fr": "Distance inconnue (pas de coordonnées).", "en": "Distance unknown (no coordinates)."},
    "matching.ok.workload": {
        "fr": "{bookings} autre(s) demande(s) dans la semaine.", "en": "{bookings} other booking(s) that week."},
    # Payroll
    "payroll.not_found": {
        "fr": "Aucune rémunération trouvée.",
        "en": "No remuneration found."},
    "payroll.forbidden": {
        "fr": "Votre rôle ne permet pas cette action sur la paie.",
        "en": "Your role does not allow this payroll action."},
    "payroll.invalid_period": {
        "fr": "Période de paie invalide.",
        "en": "Invalid pay period."},
    "payroll.period_closed": {
        "fr": "La période de paie {period} est déjà fermée.",
        "en": "Pay period {period} is already closed."},
    "payroll.interpreter_required": {
        "fr": "Précisez l'interprète.",
        "en": "Give the interpreter."},
    "payroll.invalid_policy": {
        "fr": "Politique de rémunération invalide : {reason}",
        "en": "Invalid pay policy: {reason}"},
    "command.unknown": {"fr": "Commande inconnue.", "en": "Unknown command."},
    "report.overtime_reason_required": {
        "fr": "Indiquez la raison du dépassement : la durée réelle dépasse la durée prévue.",
        "en": "Give the reason for the overtime: the actual duration exceeds the planned one."},
    "report.cancelled_not_provided": {
        "fr": "Sur une demande annulée, le rapport ne peut indiquer qu'un service non rendu.",
        "en": "On a cancelled booking, the report can only say the service was not provided."},
    "report.too_long": {
        "fr": "Un service ne peut durer plus de 24 heures.",
        "en": "A service cannot last more than 24 hours."},
    "time.nonexistent": {
        "fr": "Cette heure n'existe pas ce jour-là (passage à l'heure avancée).",
        "en": "This time does not exist on that day (daylight saving time change)."},
    "concurrency.conflict": {
        "fr": "Les données ont été modifiées par quelqu'un d'autre au même moment : rechargez et "
              "réessayez.",
        "en": "The data was changed by someone else at the same time: reload and try again."},
    # Fields (validation)
    "field.required": {"fr": "Ce champ est obligatoire.", "en": "This field is required."},
    "field.null": {"fr": "Ce champ ne peut pas être null.", "en": "This field may not be null."},
    "field.unknown": {"fr": "Champ inconnu.", "en": "Unknown field."},
    "field.readonly": {"fr": "Ce champ ne peut pas être modifié.", "en": "This field cannot be changed."},
    "field.staff_only": {"fr": "Seule la coordination peut fournir ce champ.",
                         "en": "Only the coordination may give this field."},
    "field.future": {"fr": "Ce moment ne peut pas être dans le futur.", "en": "This time cannot be in the future."},
    "field.invalid": {"fr": "Valeur invalide.", "en": "Invalid value."},
    "field.exclusive": {"fr": "Ne se combine pas avec les autres champs donnés.",
                        "en": "Cannot be combined with the other fields given."},
    "field.repeated": {"fr": "Ce paramètre ne peut être donné qu'une fois.",
                       "en": "This parameter may be given only once."},
    "field.too_long": {"fr": "Trop long : {max} caractères au maximum.",
                       "en": "Too long: at most {max} characters."},
    "field.too_short": {"fr": "Trop court : {min} caractère(s) au minimum.",
                        "en": "Too short: at least {min} character(s)."},
    "field.too_many": {"fr": "Trop d'éléments : {max} au maximum.", "en": "Too many items: at most {max}."},
    "field.too_few": {"fr": "Pas assez d'éléments : {min} au minimum.", "en": "Too few items: at least {min}."},
    "field.not_a_string": {"fr": "Doit être une chaîne de caractères.", "en": "Must be a string."},
    "field.not_an_integer": {"fr": "Doit être un nombre entier.", "en": "Must be an integer."},
    "field.not_a_boolean": {"fr": "Doit être true ou false.", "en": "Must be true or false."},
    "field.not_a_list": {"fr": "Doit être une liste.", "en": "Must be a list."},
    "field.not_an_object": {"fr": "Doit être un objet JSON.", "en": "Must be a JSON object."},
    "field.out_of_range": {"fr": "Doit être entre {min} et {max}.", "en": "Must be between {min} and {max}."},
    "field.not_one_of": {"fr": "Valeur non permise ; valeurs possibles : {choices}.",
                         "en": "Value not allowed; possible values: {choices}."},
    "field.invalid_format": {"fr": "Format invalide.", "en": "Invalid format."},
    "field.invalid_characters": {"fr": "Contient des caractères non permis.",
                                 "en": "Contains characters that are not allowed."},
    "field.invalid_date": {"fr": "Date invalide : format attendu AAAA-MM-JJ.",
                           "en": "Invalid date: expected format YYYY-MM-DD."},
    "field.invalid_time": {"fr": "Heure invalide : format attendu HH:MM.",
                           "en": "Invalid time: expected format HH:MM."},
    "field.invalid_datetime": {
        "fr": "Date et heure invalides : format ISO 8601 avec fuseau attendu "
              "(ex. 2025-03-14T09:30:00-04:00).",
        "en": "Invalid date and time: ISO 8601 with a UTC offset expected (e.g. 2025-03-14T09:30:00-04:00)."},
    "field.invalid_decimal": {"fr": "Nombre décimal invalide (ex. 12.5).",
                              "en": "Invalid decimal number (e.g. 12.5)."},
    "field.invalid_email": {"fr": "Adresse courriel invalide.", "en": "Invalid email address."},
    "field.invalid_url": {"fr": "Adresse web invalide (http ou https).", "en": "Invalid web address (http or https)."},
    "field.invalid_base64": {"fr": "Contenu base64 invalide.", "en": "Invalid base64 content."},
    "field.date_order": {"fr": "La date de fin doit suivre la date de début.",
                         "en": "The end date must come after the start date."},
    "file.too_large": {"fr": "Fichier trop volumineux : {max_mb} Mo au maximum.",
                       "en": "File too large: at most {max_mb} MB."},
    "file.type_not_allowed": {"fr": "Type de fichier non permis ; types acceptés : {types}.",
                              "en": "File type not allowed; accepted types: {types}."},
    "file.type_mismatch": {"fr": "Le contenu du fichier ne correspond pas au type déclaré.",
                           "en": "The file's content does not match its declared type."},
    # Requests
    "request.invalid": {"fr": "Données invalides : {fields}.", "en": "Invalid data: {fields}."},
    "validation.failed": {"fr": "Données invalides : {fields}.", "en": "Invalid data: {fields}."},
    "request.invalid_json": {"fr": "Le corps de la requête n'est pas du JSON valide.",
                             "en": "The request body is not valid JSON."},
    "request.not_an_object": {"fr": "Le corps de la requête doit être un objet JSON.",
                              "en": "The request body must be a JSON object."},
    "request.unsupported_media_type": {
        "fr": "Type de contenu non pris en charge : envoyez du JSON (Content-Type: application/json).",
        "en": "Unsupported content type: send JSON (Content-Type: application/json)."},
    "request.too_large": {"fr": "Requête trop volumineuse : {max_mb} Mo au maximum.",
                          "en": "Request too large: at most {max_mb} MB."},
    "request.bad": {"fr": "Requête invalide.", "en": "Bad request."},
    "not_found": {"fr": "Ressource introuvable.", "en": "Resource not found."},
    "method_not_allowed": {"fr": "Méthode HTTP non permise pour cette adresse.",
                           "en": "HTTP method not allowed for this address."},
    # Services behind the gateway
    "service.unavailable": {
        "fr": "Le service « {service} » est momentanément indisponible : réessayez dans quelques instants.",
        "en": "The {service} service is temporarily unavailable: try again in a moment."},
    "service.timeout": {
        "fr": "Le service « {service} » n'a pas répondu à temps : réessayez dans quelques instants.",
        "en": "The {service} service did not answer in time: try again in a moment."},
    "service.busy": {
        "fr": "Le système est très sollicité : réessayez dans quelques instants.",
        "en": "The system is very busy: try again in a moment."},
    "service.error": {
        "fr": "Le service « {service} » a rencontré une erreur ; l'équipe technique en est avisée.",
        "en": "The {service} service ran into an error; the technical team has been notified."},
    "server.error": {
        "fr": "Erreur interne inattendue ; l'équipe technique en est avisée.",
        "en": "Unexpected internal error; the technical team has been notified."},
    "error.unknown": {"fr": "Une erreur est survenue.", "en": "An error occurred."},
}

# Used instead when the raiser gave no params (the services send bare codes for fields).
PLAIN: dict[str, dict[str, str]] = {
    "auth.throttled": {"fr": "Trop de tentatives de connexion : réessayez plus tard.",
                       "en": "Too many sign-in attempts: try again later."},
    "payroll.invalid_policy": {"fr": "Politique de rémunération invalide.", "en": "Invalid pay policy."},
    "payroll.period_closed": {"fr": "Cette période de paie est déjà fermée.", "en": "This pay period is already closed."},
    "field.too_long": {"fr": "Trop long.", "en": "Too long."},
    "field.too_short": {"fr": "Trop court.", "en": "Too short."},
    "field.too_many": {"fr": "Trop d'éléments.", "en": "Too many items."},
    "field.too_few": {"fr": "Pas assez d'éléments.", "en": "Too few items."},
    "field.out_of_range": {"fr": "Valeur hors des limites permises.", "en": "Value out of the allowed range."},
    "field.not_one_of": {"fr": "Valeur non permise.", "en": "Value not allowed."},
    "file.too_large": {"fr": "Fichier trop volumineux.", "en": "File too large."},
    "file.type_not_allowed": {"fr": "Type de fichier non permis (PDF, JPEG, PNG ou HEIC).",
                              "en": "File type not allowed (PDF, JPEG, PNG or HEIC)."},
    "request.too_large": {"fr": "Requête trop volumineuse.", "en": "Request too large."},
    "request.invalid": {"fr": "Données invalides.", "en": "Invalid data."},
    "validation.failed": {"fr": "Données invalides.", "en": "Invalid data."},
    "booking.too_many_attachments": {"fr": "Trop de pièces jointes pour cette demande.",
                                     "en": "Too many attachments for this booking."},
    "booking.interpreter_excluded": {"fr": "Cet interprète ne peut pas recevoir d'offre pour le moment.",
                                     "en": "This interpreter cannot receive offers at this time."},
    "booking.no_qualified_candidates": {"fr": "Aucun interprète qualifié n'est disponible pour cette demande.",
                                        "en": "No qualified interpreter is available for this booking."},
    "matching.blocked_for_establishment": {"fr": "Bloqué pour cet établissement.", "en": "Blocked for this establishment."},
    "matching.context_missing": {"fr": "N'a pas la compétence requise pour ce contexte.",
                                 "en": "Lacks the competency this context requires."},
    "matching.document_invalid": {"fr": "Document d'admissibilité non valide.", "en": "Eligibility document not valid."},
    "matching.inactivity_period": {"fr": "En période d'inactivité.", "en": "In an inactivity period."},
    "matching.language_pair": {"fr": "Ne traduit pas cette paire de langues.", "en": "Does not work in this language pair."},
    "matching.mode_not_accepted": {"fr": "N'accepte pas ce type de demande.", "en": "Does not accept this request type."},
    "matching.ok.context": {"fr": "Compétent pour ce contexte.", "en": "Competent for this context."},
    "matching.ok.distance": {"fr": "Distance connue.", "en": "Distance known."},
    "matching.ok.language": {"fr": "Parle la paire de langues.", "en": "Works in the language pair."},
    "matching.ok.same_area": {"fr": "Même secteur postal.", "en": "Same postal area."},
    "matching.ok.same_region": {"fr": "Même région postale.", "en": "Same postal region."},
    "matching.ok.workload": {"fr": "A d'autres demandes dans la semaine.", "en": "Has other bookings that week."},
    "matching.overlapping_booking": {"fr": "Déjà réservé à ce moment.", "en": "Already booked at that time."},
    "matching.too_far": {"fr": "Trop loin.", "en": "Too far."},
    "matching.unavailable": {"fr": "Non disponible à ce moment selon ses disponibilités.",
                             "en": "Not available at that time according to their availability."},
    "service.unavailable": {"fr": "Un service est momentanément indisponible : réessayez dans quelques instants.",
                            "en": "A service is temporarily unavailable: try again in a moment."},
    "service.timeout": {"fr": "Un service n'a pas répondu à temps : réessayez dans quelques instants.",
                        "en": "A service did not answer in time: try again in a moment."},
    "service.error": {"fr": "Un service a rencontré une erreur ; l'équipe technique en est avisée.",
                      "en": "A service ran into an error; the technical team has been notified."},
}

_FALLBACK = {"fr": "Une erreur est survenue (code : {code}).", "en": "An error occurred (code: {code})."}


def language(lang: str | None) -> str:
    """'fr', 'en' or the default, from a language tag such as 'en-CA'."""
    primary = (lang or "").split("-")[0].split("_")[0].strip().lower()
    return primary if primary in LANGUAGES else DEFAULT_LANGUAGE


class _Params(dict):
    def __missing__(self, key):  # a template naming a param the raiser did not give
        return "?"


def translate(code: str, lang: str | None = None, params: dict | None = None) -> str:
    """The message of `code` in `lang`; unknown codes give a generic message naming the code."""
    lang = language(lang)
    entry = MESSAGES.get(code)
    if entry is None:
        return _FALLBACK[lang].format(code=code)
    template = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    params = params or {}
    if names - set(params) and code in PLAIN:
        return PLAIN[code][lang]
    try:
        return string.Formatter().vformat(template, (), _Params(params))
    except (ValueError, IndexError, AttributeError, KeyError):  # malformed params never hide the message
        return template


def is_known(code: str) -> bool:
    return code in MESSAGES
