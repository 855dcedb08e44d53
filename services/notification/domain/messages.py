"""The texts people receive, in French and English, and the page each one links to. Plain Python,
no I/O.

Health data never enters a message: the templates only know a booking's number, local date and time,
languages, mode and a link to the booking's page (IMS_PUBLIC_URL + the page's path from
gateway/contract/links.py); never its context, context details, notes, messages, comments, facility,
address, appointment location or video link. The booking copy the service keeps
(domain/booking_copy.py) does not even hold those fields.
"""
from __future__ import annotations

from gateway.contract import links
from ims_common.money import format_money, to_decimal
from ims_common.times import format_local
from services.auth.contract.vocabulary import is_staff
from services.booking.contract.vocabulary import mode_label

LANGS = ("fr", "en")

BANK_CONTACT = "biq@ssss.gouv.qc.ca"

# kind -> lang -> (email subject, email body, sms body). Bodies are str.format templates.
TEMPLATES: dict[str, dict[str, tuple[str, str, str]]] = {
    "booking_offered": {
        "fr": ("Nouvelle demande {number}",
               "Bonjour {name},\n\nUne demande vous est offerte : {number}, le {date} à {time} "
               "({languages}, {mode}).\nPour l'accepter ou la refuser : {link}\n\nBanque d'interprètes du RSSS",
               "IMS : nouvelle demande {number} le {date} à {time} ({languages}, {mode}). Répondre : {link}"),
        "en": ("New request {number}",
               "Hello {name},\n\nA request is offered to you: {number}, on {date} at {time} "
               "({languages}, {mode}).\nTo accept or decline it: {link}\n\nInterpreter bank (RSSS)",
               "IMS: new request {number} on {date} at {time} ({languages}, {mode}). Reply: {link}"),
    },
    "booking_assigned_interpreter": {
        "fr": ("Demande {number} assignée",
               "Bonjour {name},\n\nLa demande {number} du {date} à {time} ({languages}, {mode}) vous a été "
               "assignée par la Banque d'interprètes.\nDétails : {link}",
               "IMS : la demande {number} du {date} à {time} vous est assignée. Détails : {link}"),
        "en": ("Request {number} assigned",
               "Hello {name},\n\nRequest {number} on {date} at {time} ({languages}, {mode}) was assigned "
               "to you by the interpreter bank.\nDetails: {link}",
               "IMS: request {number} on {date} at {time} is assigned to you. Details: {link}"),
    },
    "booking_accepted": {
        "fr": ("Demande {number} réservée",
               "Bonjour {name},\n\nVotre demande {number} du {date} à {time} ({languages}, {mode}) est "
               "réservée.\nInterprète : {interpreter_name}\nPour le joindre : {interpreter_contact}\n"
               "Détails : {link}",
               "IMS : demande {number} du {date} à {time} réservée. Interprète : {interpreter_name}, "
               "{interpreter_contact}. {link}"),
        "en": ("Request {number} booked",
               "Hello {name},\n\nYour request {number} on {date} at {time} ({languages}, {mode}) is "
               "booked.\nInterpreter: {interpreter_name}\nHow to reach them: {interpreter_contact}\n"
               "Details: {link}",
               "IMS: request {number} on {date} at {time} booked. Interpreter: {interpreter_name}, "
               "{interpreter_contact}. {link}"),
    },
    "booking_modified": {
        "fr": ("Demande {number} modifiée",
               "Bonjour {name},\n\nLa demande {number} qui vous est assignée a été modifiée (maintenant "
               "le {date} à {time}, {languages}, {mode}).\nVérifiez-la et confirmez-la : {link}",
               "IMS : la demande {number} a été modifiée (le {date} à {time}). Vérifiez : {link}"),
        "en": ("Request {number} modified",
               "Hello {name},\n\nRequest {number} assigned to you was modified (now on {date} at {time}, "
               "{languages}, {mode}).\nPlease review and confirm it: {link}",
               "IMS: request {number} was modified (on {date} at {time}). Review: {link}"),
    },
    "booking_cancelled": {
        "fr": ("Demande {number} annulée",
               "Bonjour {name},\n\nLa demande {number} du {date} à {time} a été annulée.\n"
               "Si vous avez fait des communications avant l'annulation, inscrivez-les sur la demande : "
               "{link}",
               "IMS : la demande {number} du {date} à {time} est annulée. {link}"),
        "en": ("Request {number} cancelled",
               "Hello {name},\n\nRequest {number} on {date} at {time} was cancelled.\n"
               "If you made communications before the cancellation, record them on the request: {link}",
               "IMS: request {number} on {date} at {time} is cancelled. {link}"),
    },
    "booking_withdrawn": {
        "fr": ("Demande {number} à réassigner",
               "Bonjour {name},\n\n{interpreter_name} s'est retiré(e) de la demande {number} du {date} à "
               "{time} ({languages}, {mode}). Elle est de nouveau en attente.\n{link}",
               "IMS : {interpreter_name} s'est retiré(e) de la demande {number} du {date} à {time}. {link}"),
        "en": ("Request {number} to reassign",
               "Hello {name},\n\n{interpreter_name} withdrew from request {number} on {date} at {time} "
               "({languages}, {mode}). It is pending again.\n{link}",
               "IMS: {interpreter_name} withdrew from request {number} on {date} at {time}. {link}"),
    },
    "report_returned": {
        "fr": ("Rapport de la demande {number} à corriger",
               "Bonjour {name},\n\nLa Banque d'interprètes vous renvoie le rapport de la demande {number} du "
               "{date} à {time}. Son commentaire vous attend avec le rapport ; corrigez-le et enregistrez-le : "
               "{link}\n\nBanque d'interprètes du RSSS",
               "IMS : le rapport de la demande {number} du {date} vous est renvoyé. Corrigez-le : {link}"),
        "en": ("Report of request {number} to correct",
               "Hello {name},\n\nThe interpreter bank sends back your report of request {number} on {date} at "
               "{time}. Its comment awaits you with the report; correct it and save it: {link}\n\n"
               "Interpreter bank (RSSS)",
               "IMS: the report of request {number} on {date} is sent back to you. Correct it: {link}"),
    },
    "offer_withdrawn": {
        "fr": ("Demande {number} pourvue",
               "Bonjour {name},\n\nLa demande {number} du {date} à {time} qui vous était offerte a été "
               "confiée à un autre interprète. Vous n'avez rien à faire.\n\nBanque d'interprètes du RSSS",
               "IMS : la demande {number} du {date} à {time} a été confiée à un autre interprète."),
        "en": ("Request {number} filled",
               "Hello {name},\n\nRequest {number} on {date} at {time} that was offered to you went to "
               "another interpreter. Nothing to do on your side.\n\nInterpreter bank (RSSS)",
               "IMS: request {number} on {date} at {time} went to another interpreter."),
    },
    "booking_reminder": {
        "fr": ("Rappel : demande {number} le {date} à {time}",
               "Bonjour {name},\n\nRappel : vous avez la demande {number} le {date} à {time} "
               "({languages}, {mode}).\nDétails : {link}",
               "IMS : rappel, demande {number} le {date} à {time}. {link}"),
        "en": ("Reminder: request {number} on {date} at {time}",
               "Hello {name},\n\nReminder: you have request {number} on {date} at {time} "
               "({languages}, {mode}).\nDetails: {link}",
               "IMS: reminder, request {number} on {date} at {time}. {link}"),
    },
    "remuneration_final": {
        "fr": ("Rémunération finalisée : demande {number}",
               "Bonjour {name},\n\nLa rémunération de la demande {number} est finalisée{amount}.\n"
               "Détails : {link}",
               "IMS : rémunération de la demande {number} finalisée{amount}. {link}"),
        "en": ("Remuneration finalised: request {number}",
               "Hello {name},\n\nThe remuneration of request {number} is finalised{amount}.\n"
               "Details: {link}",
               "IMS: remuneration of request {number} finalised{amount}. {link}"),
    },
    "document_expiring": {
        "fr": ("Document « {document} » : expiration le {expires_on}",
               "Bonjour {name},\n\nLe document « {document} » de {person} expire le {expires_on}.\n"
               "Profil : {link}",
               "IMS : le document « {document} » de {person} expire le {expires_on}. {link}"),
        "en": ("Document \"{document}\": expires on {expires_on}",
               "Hello {name},\n\nThe document \"{document}\" of {person} expires on {expires_on}.\n"
               "Profile: {link}",
               "IMS: the document \"{document}\" of {person} expires on {expires_on}. {link}"),
    },
    "unfilled_digest": {
        "fr": ("{count} demande(s) non pourvue(s) dans les 48 heures",
               "Bonjour {name},\n\nDemandes encore sans interprète qui commencent dans les 48 prochaines "
               "heures :\n{lines}\n",
               "IMS : {count} demande(s) non pourvue(s) dans les 48 heures. {link}"),
        "en": ("{count} request(s) unfilled within 48 hours",
               "Hello {name},\n\nRequests still without an interpreter that start within the next 48 "
               "hours:\n{lines}\n",
               "IMS: {count} request(s) unfilled within 48 hours. {link}"),
    },
    "temporary_password": {
        "fr": ("Votre accès à IMS",
               "Bonjour,\n\nVotre identifiant IMS : {user_id}\nVotre mot de passe temporaire : {password}\n"
               "Copiez-le sans espace; vous le changerez à la première connexion : {link}",
               "IMS : identifiant {user_id}, mot de passe temporaire {password}. {link}"),
        "en": ("Your IMS access",
               "Hello,\n\nYour IMS user id: {user_id}\nYour temporary password: {password}\n"
               "Copy it without spaces; you will change it when you first sign in: {link}",
               "IMS: user id {user_id}, temporary password {password}. {link}"),
    },
    "reset_link": {
        "fr": ("Réinitialisation de votre mot de passe IMS",
               "Bonjour,\n\nPour choisir un nouveau mot de passe : {url}\nSi vous n'avez rien demandé, "
               "ignorez ce message.",
               "IMS : pour réinitialiser votre mot de passe : {url}"),
        "en": ("Reset your IMS password",
               "Hello,\n\nTo choose a new password: {url}\nIf you did not ask for this, ignore this message.",
               "IMS: to reset your password: {url}"),
    },
    "mfa_code": {
        "fr": ("Votre code de vérification IMS",
               "Votre code de vérification IMS : {code}\nNe le communiquez à personne.",
               "IMS : votre code de vérification est {code}. Ne le communiquez à personne."),
        "en": ("Your IMS verification code",
               "Your IMS verification code: {code}\nDo not share it with anyone.",
               "IMS: your verification code is {code}. Do not share it with anyone."),
    },
    "password_changed": {
        "fr": ("Votre mot de passe IMS a été changé",
               "Bonjour,\n\nLe mot de passe de votre compte IMS vient d'être changé. Si ce n'est pas vous, "
               "écrivez sans tarder à " + BANK_CONTACT + ".",
               "IMS : votre mot de passe a été changé. Si ce n'est pas vous : " + BANK_CONTACT),
        "en": ("Your IMS password was changed",
               "Hello,\n\nThe password of your IMS account was just changed. If it was not you, write at "
               "once to " + BANK_CONTACT + ".",
               "IMS: your password was changed. If it was not you: " + BANK_CONTACT),
    },
    # To the address being replaced (issue 17): what changed, never the new value.
    "contact_changed": {
        "fr": ("Vos coordonnées IMS ont été changées",
               "Bonjour {name},\n\nLes coordonnées de votre compte IMS viennent d'être changées : {what}. "
               "Ce n'est pas vous ? Communiquez sans tarder avec la Banque d'interprètes : " + BANK_CONTACT + ".",
               "IMS : vos coordonnées ont été changées ({what}). Ce n'est pas vous ? " + BANK_CONTACT),
        "en": ("Your IMS contact details were changed",
               "Hello {name},\n\nThe contact details of your IMS account were just changed: {what}. "
               "Not you? Contact the interpreter bank at once: " + BANK_CONTACT + ".",
               "IMS: your contact details were changed ({what}). Not you? " + BANK_CONTACT),
    },
    # To the person's email when a second factor is turned on or replaced (issue 17).
    "mfa_changed": {
        "fr": ("Votre double authentification IMS a été changée",
               "Bonjour {name},\n\nLa double authentification de votre compte IMS vient d'être activée ou "
               "changée : {method}. Ce n'est pas vous ? Communiquez sans tarder avec la Banque d'interprètes : "
               + BANK_CONTACT + ".",
               "IMS : votre double authentification a été changée ({method}). Ce n'est pas vous ? " + BANK_CONTACT),
        "en": ("Your IMS two-step verification was changed",
               "Hello {name},\n\nThe two-step verification of your IMS account was just turned on or changed: "
               "{method}. Not you? Contact the interpreter bank at once: " + BANK_CONTACT + ".",
               "IMS: your two-step verification was changed ({method}). Not you? " + BANK_CONTACT),
    },
}
# The contact fields by their names, as contact_changed says them.
CONTACT_NAMES = {"email": ("adresse courriel", "email address"), "mobile": ("cellulaire", "mobile number"),
                 "phone": ("téléphone", "phone number")}


# The second factor's methods (auth's MfaEnabled `method`) by their names.
MFA_METHOD_NAMES = {"sms": ("code par texto", "code by text message"),
                    "totp": ("application d'authentification", "authenticator app")}


def mfa_method_name(method, lang: str) -> str:
    names = MFA_METHOD_NAMES.get(method if isinstance(method, str) else "", ("nouvelle méthode", "new method"))
    return names[lang_of(lang) == "en"]


def contact_names(fields: list[str], lang: str) -> str:
    return ", ".join(CONTACT_NAMES[f][lang_of(lang) == "en"] for f in fields if f in CONTACT_NAMES)

ACCOUNT_KINDS = ("temporary_password", "reset_link", "mfa_code", "password_changed")
# Sent whatever the person's switches say: without them one cannot sign in safely.
SECURITY_KINDS = frozenset({"reset_link", "mfa_code"})
# Their text holds a secret: scrubbed from the store once sent or failed.
SECRET_KINDS = frozenset({"temporary_password", "reset_link", "mfa_code"})


def lang_of(value) -> str:
    return value if value in LANGS else "fr"


def booking_params(booking: dict, lang: str, public_url: str) -> dict:
    """What a message may say about a booking: nothing about the person served or their health."""
    mode = mode_label(booking.get("mode"), lang).lower() or (booking.get("mode") or "")
    return {
        "number": booking.get("number") or booking.get("id"),
        "date": format_local(booking.get("start_at"), "%Y-%m-%d"),
        "time": format_local(booking.get("start_at"), "%H:%M"),
        "languages": f"{booking.get('source_language') or '?'} → {booking.get('target_language') or '?'}",
        "mode": mode,
        "link": booking_link(public_url, booking.get("id") or booking.get("number")),
    }


def booking_link(public_url: str, booking_id: str | None) -> str:
    return links.link("booking", public_url, booking_id=booking_id)


# Kinds whose link opens the booking's report form rather than the booking.
REPORT_LINK_KINDS = frozenset({"report_returned"})


def report_link(public_url: str, booking_id: str | None) -> str:
    return links.link("booking_report", public_url, booking_id=booking_id) + "#report"


def document_link(public_url: str, addressee_role: str | None, owner_id: str) -> str:
    """The document's owner opens their profile; a coordinator opens that interpreter's file at its
    documents, where the bank records the renewed validity."""
    if is_staff(addressee_role):
        return links.link("interpreter_file", public_url, user_id=owner_id) + "#file-documents"
    return links.link("profile", public_url)


def digest_link(public_url: str) -> str:
    return links.link("dashboard", public_url)


def login_link(public_url: str) -> str:
    return links.link("login", public_url)


def amount_phrase(total, lang: str) -> str:
    """' : 82,00 $' / ': $82.00' after "finalisée" / "finalised"; nothing when the amount is unknown."""
    try:
        to_decimal(total)
    except (TypeError, ValueError):
        return ""
    text = format_money(total, lang)
    return f" : {text}" if lang == "fr" else f": {text}"


class _Blank(dict):
    def __missing__(self, key):
        return ""


def render(kind: str, lang: str, channel: str, params: dict) -> tuple[str | None, str]:
    """(subject, body) for email; (None, body) for sms."""
    subject, body, sms = TEMPLATES[kind][lang_of(lang)]
    values = _Blank(params)
    if channel == "sms":
        return None, sms.format_map(values)
    return subject.format_map(values), body.format_map(values)


def person_name(profile: dict | None) -> str:
    if not profile:
        return ""
    return " ".join(p for p in (profile.get("first_name"), profile.get("last_name")) if p)
