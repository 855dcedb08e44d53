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
    "concurrency.conflict": {
        "fr": "Les données ont été modifiées par quelqu'un d'autre au même moment : rechargez et "
              "réessayez.",
        "en": "The data was changed by someone else at the same time: reload and try again."},
    # Fields (validation)
    "field.required": {"fr": "Ce champ est obligatoire.", "en": "This field is required."},
    "field.null": {"fr": "Ce champ ne peut pas être null.", "en": "This field may not be null."},
    "field.unknown": {"fr": "Champ inconnu.", "en": "Unknown field."},
    "field.invalid": {"fr": "Valeur invalide.", "en": "Invalid value."},
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
    try:
        return string.Formatter().vformat(template, (), _Params(params or {}))
    except (ValueError, IndexError, AttributeError, KeyError):  # malformed params never hide the message
        return template


def is_known(code: str) -> bool:
    return code in MESSAGES
