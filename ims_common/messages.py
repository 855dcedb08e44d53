"""Error codes -> French and English messages (str.format params). French is the default language.

This module holds the codes every part shares (fields, requests, services); each service's own codes
live in its contract (services/<name>/contract/messages.py), which adds them here with `register`.
Services raise errors with a code; the gateway turns the code into a message in the caller's
language with `translate`. A code missing everywhere still yields a readable message naming it."""
from __future__ import annotations

import string

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
BANK_PHONE = "514 597-3284"

MESSAGES: dict[str, dict[str, str]] = {
    "field.read_only": {
        "fr": "Ce champ ne peut pas être modifié ici.",
        "en": "This field cannot be changed here."},
    "field.invalid_phone": {
        "fr": "Numéro de téléphone invalide (10 à 15 chiffres).",
        "en": "Invalid phone number (10 to 15 digits)."},
    "field.invalid_postal_code": {
        "fr": "Code postal canadien invalide (ex. J9P 0J7).",
        "en": "Invalid Canadian postal code (e.g. J9P 0J7)."},
    "field.not_a_number": {"fr": "Doit être un nombre.", "en": "Must be a number."},
    "concurrency.conflict": {
        "fr": "Les données ont été modifiées par quelqu'un d'autre au même moment : rechargez et réessayez.",
        "en": "The data was changed by someone else at the same time: reload and try again."},
    "field.required": {"fr": "Ce champ est obligatoire.", "en": "This field is required."},
    "field.null": {"fr": "Ce champ ne peut pas être null.", "en": "This field may not be null."},
    "field.unknown": {"fr": "Champ inconnu.", "en": "Unknown field."},
    "field.readonly": {"fr": "Ce champ ne peut pas être modifié.", "en": "This field cannot be changed."},
    "field.staff_only": {
        "fr": "Seule la coordination peut fournir ce champ.",
        "en": "Only the coordination may give this field."},
    "field.future": {
        "fr": "Ce moment ne peut pas être dans le futur.",
        "en": "This time cannot be in the future."},
    "field.invalid": {"fr": "Valeur invalide.", "en": "Invalid value."},
    "field.exclusive": {
        "fr": "Ne se combine pas avec les autres champs donnés.",
        "en": "Cannot be combined with the other fields given."},
    "field.repeated": {
        "fr": "Ce paramètre ne peut être donné qu'une fois.",
        "en": "This parameter may be given only once."},
    "field.too_long": {
        "fr": "Trop long : {max} caractères au maximum.",
        "en": "Too long: at most {max} characters."},
    "field.too_short": {
        "fr": "Trop court : {min} caractère(s) au minimum.",
        "en": "Too short: at least {min} character(s)."},
    "field.too_many": {"fr": "Trop d'éléments : {max} au maximum.", "en": "Too many items: at most {max}."},
    "field.too_few": {
        "fr": "Pas assez d'éléments : {min} au minimum.",
        "en": "Too few items: at least {min}."},
    "field.not_a_string": {"fr": "Doit être une chaîne de caractères.", "en": "Must be a string."},
    "field.not_an_integer": {"fr": "Doit être un nombre entier.", "en": "Must be an integer."},
    "field.not_a_boolean": {"fr": "Doit être true ou false.", "en": "Must be true or false."},
    "field.not_a_list": {"fr": "Doit être une liste.", "en": "Must be a list."},
    "field.not_an_object": {"fr": "Doit être un objet JSON.", "en": "Must be a JSON object."},
    "field.out_of_range": {"fr": "Doit être entre {min} et {max}.", "en": "Must be between {min} and {max}."},
    "field.not_one_of": {
        "fr": "Valeur non permise ; valeurs possibles : {choices}.",
        "en": "Value not allowed; possible values: {choices}."},
    "field.invalid_format": {"fr": "Format invalide.", "en": "Invalid format."},
    "field.invalid_characters": {
        "fr": "Contient des caractères non permis.",
        "en": "Contains characters that are not allowed."},
    "field.invalid_date": {
        "fr": "Date invalide : format attendu AAAA-MM-JJ.",
        "en": "Invalid date: expected format YYYY-MM-DD."},
    "field.invalid_time": {
        "fr": "Heure invalide : format attendu HH:MM.",
        "en": "Invalid time: expected format HH:MM."},
    "field.invalid_datetime": {
        "fr": "Date et heure invalides : format ISO 8601 avec fuseau attendu (ex. 2025-03-14T09:30:00-04:00).",
        "en": "Invalid date and time: ISO 8601 with a UTC offset expected (e.g. 2025-03-14T09:30:00-04:00)."},
    "field.invalid_decimal": {
        "fr": "Nombre décimal invalide (ex. 12.5).",
        "en": "Invalid decimal number (e.g. 12.5)."},
    "field.invalid_email": {"fr": "Adresse courriel invalide.", "en": "Invalid email address."},
    "field.invalid_url": {
        "fr": "Adresse web invalide (http ou https).",
        "en": "Invalid web address (http or https)."},
    "field.invalid_base64": {"fr": "Contenu base64 invalide.", "en": "Invalid base64 content."},
    "field.date_order": {
        "fr": "La date de fin doit suivre la date de début.",
        "en": "The end date must come after the start date."},
    "file.too_large": {
        "fr": "Fichier trop volumineux : {max_mb} Mo au maximum.",
        "en": "File too large: at most {max_mb} MB."},
    "file.type_not_allowed": {
        "fr": "Type de fichier non permis ; types acceptés : {types}.",
        "en": "File type not allowed; accepted types: {types}."},
    "file.required": {"fr": "Choisissez un fichier.", "en": "Choose a file."},
    "file.type_mismatch": {
        "fr": "Le contenu du fichier ne correspond pas au type déclaré.",
        "en": "The file's content does not match its declared type."},
    "request.invalid": {"fr": "Données invalides : {fields}.", "en": "Invalid data: {fields}."},
    "validation.failed": {"fr": "Données invalides : {fields}.", "en": "Invalid data: {fields}."},
    "request.invalid_json": {
        "fr": "Le corps de la requête n'est pas du JSON valide.",
        "en": "The request body is not valid JSON."},
    "request.not_an_object": {
        "fr": "Le corps de la requête doit être un objet JSON.",
        "en": "The request body must be a JSON object."},
    "request.unsupported_media_type": {
        "fr": "Type de contenu non pris en charge : envoyez du JSON (Content-Type: application/json).",
        "en": "Unsupported content type: send JSON (Content-Type: application/json)."},
    "request.too_large": {
        "fr": "Requête trop volumineuse : {max_mb} Mo au maximum.",
        "en": "Request too large: at most {max_mb} MB."},
    "request.bad": {"fr": "Requête invalide.", "en": "Bad request."},
    "not_found": {"fr": "Ressource introuvable.", "en": "Resource not found."},
    "method_not_allowed": {
        "fr": "Méthode HTTP non permise pour cette adresse.",
        "en": "HTTP method not allowed for this address."},
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
    "field.too_long": {"fr": "Trop long.", "en": "Too long."},
    "field.too_short": {"fr": "Trop court.", "en": "Too short."},
    "field.too_many": {"fr": "Trop d'éléments.", "en": "Too many items."},
    "field.too_few": {"fr": "Pas assez d'éléments.", "en": "Too few items."},
    "field.out_of_range": {
        "fr": "Valeur hors des limites permises.",
        "en": "Value out of the allowed range."},
    "field.not_one_of": {"fr": "Valeur non permise.", "en": "Value not allowed."},
    "file.too_large": {"fr": "Fichier trop volumineux.", "en": "File too large."},
    "file.type_not_allowed": {
        "fr": "Type de fichier non permis (PDF, JPEG, PNG ou HEIC).",
        "en": "File type not allowed (PDF, JPEG, PNG or HEIC)."},
    "request.too_large": {"fr": "Requête trop volumineuse.", "en": "Request too large."},
    "request.invalid": {"fr": "Données invalides.", "en": "Invalid data."},
    "validation.failed": {"fr": "Données invalides.", "en": "Invalid data."},
    "service.unavailable": {
        "fr": "Un service est momentanément indisponible : réessayez dans quelques instants.",
        "en": "A service is temporarily unavailable: try again in a moment."},
    "service.timeout": {
        "fr": "Un service n'a pas répondu à temps : réessayez dans quelques instants.",
        "en": "A service did not answer in time: try again in a moment."},
    "service.error": {
        "fr": "Un service a rencontré une erreur ; l'équipe technique en est avisée.",
        "en": "A service ran into an error; the technical team has been notified."},
}

_FALLBACK = {"fr": "Une erreur est survenue (code : {code}).", "en": "An error occurred (code: {code})."}


def register(entries: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Adds a service's own codes (its contract/messages.py) to the catalogue `translate` reads, and
    returns them. Each code has one owner: a code registered again with other texts is a mistake."""
    for code, texts in entries.items():
        if set(texts) != set(LANGUAGES):
            raise ValueError(f"{code}: texts in {', '.join(LANGUAGES)} required")
        if MESSAGES.get(code, texts) != texts:
            raise ValueError(f"{code} is defined twice")
    MESSAGES.update(entries)
    return entries


def register_plain(entries: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """As register, for the texts used when a code comes without the params its message names."""
    for code, texts in entries.items():
        if PLAIN.get(code, texts) != texts:
            raise ValueError(f"{code} is defined twice")
    PLAIN.update(entries)
    return entries


def language(lang: str | None) -> str:
    """'fr', 'en' or the default, from a language tag such as 'en-CA'."""
    primary = (lang or "").split("-")[0].split("_")[0].strip().lower()
    return primary if primary in LANGUAGES else DEFAULT_LANGUAGE


class _Params(dict):
    def __missing__(self, key):  # a template naming a param the raiser did not give
        return "?"


def translate(code: str, lang: str | None = None, params: dict | None = None) -> str:
    """The message of `code` in `lang`; unknown codes give a generic message naming the code. A param
    given in every language ({"fr": ..., "en": ...}, e.g. reasons already put in words) is said in
    the message's."""
    lang = language(lang)
    entry = MESSAGES.get(code)
    if entry is None:
        return _FALLBACK[lang].format(code=code)
    template = entry.get(lang) or entry[DEFAULT_LANGUAGE]
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    params = {k: (v[lang] if isinstance(v, dict) and set(v) == set(LANGUAGES) else v)
              for k, v in (params or {}).items()}
    if names - set(params) and code in PLAIN:
        return PLAIN[code][lang]
    try:
        return string.Formatter().vformat(template, (), _Params(params))
    except (ValueError, IndexError, AttributeError, KeyError):  # malformed params never hide the message
        return template


def is_known(code: str) -> bool:
    return code in MESSAGES
