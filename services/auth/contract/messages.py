"""The auth service's message codes, in French and English: what its errors and reasons say to
people. Registered into ims_common.messages (which `translate` reads) when this module is imported."""
from __future__ import annotations

from ims_common.messages import register, register_plain

MESSAGES = register({
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
        "fr": "Mot de passe trop faible : au moins 12 caractères, une majuscule, un chiffre et un caractère spécial.",
        "en": "Password too weak: at least 12 characters, an uppercase letter, a digit and a special character."},
    "account.not_found": {"fr": "Compte introuvable.", "en": "Account not found."},
    "account.email_taken": {
        "fr": "Un compte existe déjà avec ce courriel.",
        "en": "An account already exists with this email."},
    "profile.not_found": {"fr": "Profil introuvable.", "en": "Profile not found."},
    "profile.file_not_found": {"fr": "Fichier introuvable.", "en": "File not found."},
    "profile.field_forbidden": {
        "fr": "Seuls les coordonnateurs de la Banque d'interprètes peuvent modifier ce champ : communiquez avec eux.",
        "en": "Only the interpreter bank's coordinators may change this field: contact them."},
    "profile.field_not_applicable": {
        "fr": "Ce champ ne s'applique pas à ce type de compte.",
        "en": "This field does not apply to this kind of account."},
    "profile.notifications_all_disabled": {
        "fr": "Attention : les notifications par texto et par courriel sont désactivées ; suivez vos demandes régulièrement sur la plateforme, car vous ne serez pas avisé des nouvelles demandes.",
        "en": "Warning: text and email notifications are both off; check your requests regularly on the platform, as you will not be told about new requests."},
    "auth.throttled": {
        "fr": "Trop de tentatives de connexion : réessayez dans {retry_after} secondes.",
        "en": "Too many sign-in attempts: try again in {retry_after} seconds."},
    "auth.locked": {
        "fr": "Votre compte est verrouillé après trop de tentatives : utilisez « J'ai oublié mon mot de passe » ou communiquez avec la Banque d'interprètes au 514 597-3284.",
        "en": "Your account is locked after too many attempts: use \"I forgot my password\" or contact the interpreter bank at 514 597-3284."},
    "auth.password_surrounding_spaces": {
        "fr": "Le mot de passe saisi commence ou finit par une espace : retirez les espaces (par exemple après un copier-coller) et réessayez.",
        "en": "The password entered starts or ends with a space: remove the spaces (e.g. after copy and paste) and try again."},
    "auth.step_up_required": {
        "fr": "Pour changer votre double authentification, entrez votre mot de passe actuel.",
        "en": "To change your two-step verification, enter your current password."},
    "auth.contact_step_up_required": {
        "fr": "Pour changer votre courriel ou votre téléphone, entrez votre mot de passe actuel.",
        "en": "To change your email or phone number, enter your current password."},
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
    "password.too_short": {"fr": "Au moins 12 caractères.", "en": "At least 12 characters."},
    "password.too_long": {"fr": "Au plus 128 caractères.", "en": "At most 128 characters."},
    "password.needs_uppercase": {
        "fr": "Au moins une lettre majuscule.",
        "en": "At least one uppercase letter."},
    "password.needs_digit": {"fr": "Au moins un chiffre.", "en": "At least one digit."},
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
    "mfa.invalid_code": {"fr": "Code de vérification incorrect.", "en": "Incorrect verification code."},
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
})

# Used instead when the raiser gave no params.
PLAIN = register_plain({
    "auth.throttled": {
        "fr": "Trop de tentatives de connexion : réessayez plus tard.",
        "en": "Too many sign-in attempts: try again later."},
})
