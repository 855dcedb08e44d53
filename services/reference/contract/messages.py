"""The reference service's message codes, in French and English. Registered into ims_common.messages
(which `translate` reads) when this module is imported. Field codes (reference.field.*) name what is
wrong with one field and read well on their own, beside the field."""
from __future__ import annotations

from ims_common.messages import register, register_plain

MESSAGES = register({
    "reference.unknown_kind": {
        "fr": "Type de données de référence inconnu : {kind}.",
        "en": "Unknown kind of reference data: {kind}."},
    "reference.not_found": {
        "fr": "Élément introuvable dans les données de référence.",
        "en": "Item not found in the reference data."},
    "reference.forbidden": {
        "fr": "Seule la coordination de la banque peut modifier les données de référence.",
        "en": "Only the bank's coordination may change the reference data."},
    "reference.already_exists": {
        "fr": "Cet élément existe déjà ({id}) : modifiez-le plutôt.",
        "en": "This item already exists ({id}): change it instead."},
    "reference.version_conflict": {
        "fr": "Cet élément a été modifié entre-temps (version {actual}) : rechargez-le et refaites vos changements.",
        "en": "This item was changed meanwhile (version {actual}): reload it and make your changes again."},
    "reference.inconsistent": {
        "fr": "Ces données ne concordent pas avec les données de référence : {fields}.",
        "en": "This data does not fit the reference data: {fields}."},
    "reference.already_inactive": {"fr": "Cet élément est déjà désactivé.", "en": "This item is already inactive."},
    "reference.already_active": {"fr": "Cet élément est déjà actif.", "en": "This item is already active."},
    "reference.csv_empty": {
        "fr": "Le fichier CSV est vide : la première ligne doit nommer les colonnes.",
        "en": "The CSV file is empty: its first line must name the columns."},
    "reference.csv_too_large": {
        "fr": "Fichier CSV trop volumineux : {max_rows} lignes et {max_mb} Mo au plus.",
        "en": "CSV file too large: at most {max_rows} rows and {max_mb} MB."},
    "reference.csv_missing_columns": {
        "fr": "Colonnes obligatoires absentes de la première ligne : {columns}.",
        "en": "Required columns missing from the first line: {columns}."},
    "reference.csv_unreadable": {
        "fr": "Fichier illisible : enregistrez-le au format « CSV UTF-8 » et réessayez.",
        "en": "Unreadable file: save it as \"CSV UTF-8\" and try again."},
    "reference.csv_duplicate_column": {
        "fr": "La colonne « {column} » est nommée deux fois.",
        "en": "The column \"{column}\" is named twice."},
    # ---- field codes (beside one field) ----
    "reference.field.code_format": {
        "fr": "Code invalide pour ce type de données (voir l'aide du champ).",
        "en": "Invalid code for this kind of data (see the field's help)."},
    "reference.field.region_code": {
        "fr": "Code de région invalide : deux chiffres de 01 à 18 (ex. 06 pour Montréal).",
        "en": "Invalid region code: two digits from 01 to 18 (e.g. 06 for Montréal)."},
    "reference.field.establishment_code": {
        "fr": "Code d'établissement invalide : 2 à 6 lettres majuscules, le préfixe des numéros de demande (ex. HC).",
        "en": "Invalid establishment code: 2 to 6 capital letters, the booking-number prefix (e.g. HC)."},
    "reference.field.language_code": {
        "fr": "Code de langue invalide : le code ISO 639 en minuscules (ex. hu, prs, fcs).",
        "en": "Invalid language code: the ISO 639 code in lower case (e.g. hu, prs, fcs)."},
    "reference.field.unknown_region": {
        "fr": "Région inconnue : choisissez une des 18 régions sociosanitaires (01 à 18).",
        "en": "Unknown region: choose one of the 18 health regions (01 to 18)."},
    "reference.field.unknown_establishment": {
        "fr": "Établissement inconnu : créez-le d'abord ou vérifiez son code.",
        "en": "Unknown establishment: create it first or check its code."},
    "reference.field.inactive_establishment": {
        "fr": "Cet établissement est désactivé.",
        "en": "This establishment is inactive."},
    "reference.field.unknown_admin_unit": {
        "fr": "Unité administrative inconnue pour cet établissement.",
        "en": "Unknown administrative unit for this establishment."},
    "reference.field.unknown_general_reason": {
        "fr": "Raison générale inconnue : donnez le code d'une raison générale (service non fourni).",
        "en": "Unknown general reason: give the code of a general reason (service not provided)."},
    "reference.field.general_required": {
        "fr": "Une raison détaillée doit nommer sa raison générale.",
        "en": "A detailed reason must name its general reason."},
    "reference.field.general_not_allowed": {
        "fr": "Seule une raison détaillée a une raison générale.",
        "en": "Only a detailed reason has a general reason."},
    "reference.field.latitude": {
        "fr": "Latitude invalide : un nombre entre 44 et 63 (le Québec), ex. 45,5017.",
        "en": "Invalid latitude: a number between 44 and 63 (Quebec), e.g. 45.5017."},
    "reference.field.longitude": {
        "fr": "Longitude invalide : un nombre négatif entre -80 et -57 (le Québec), ex. -73,5673.",
        "en": "Invalid longitude: a negative number between -80 and -57 (Quebec), e.g. -73.5673."},
    "reference.field.coordinates_pair": {
        "fr": "Donnez la latitude et la longitude ensemble, ou aucune des deux.",
        "en": "Give both latitude and longitude, or neither."},
    "reference.field.not_a_boolean": {
        "fr": "Répondez oui ou non.",
        "en": "Answer yes or no."},
    "reference.field.immutable": {
        "fr": "Ne peut pas changer : c'est l'identité de l'élément (créez-en un autre et désactivez celui-ci).",
        "en": "Cannot change: it is the item's identity (create another one and deactivate this one)."},
    "reference.field.duplicate_in_file": {
        "fr": "Cet élément figure déjà plus haut dans le fichier.",
        "en": "This item already appears earlier in the file."},
    "reference.field.too_many_cells": {
        "fr": "La ligne a plus de cellules que la première ligne n'a de colonnes.",
        "en": "The row has more cells than the first line has columns."},
})

PLAIN = register_plain({
    "reference.inconsistent": {
        "fr": "Ces données ne concordent pas avec les données de référence.",
        "en": "This data does not fit the reference data."},
    "reference.unknown_kind": {"fr": "Type de données de référence inconnu.", "en": "Unknown kind of reference data."},
    "reference.already_exists": {"fr": "Cet élément existe déjà.", "en": "This item already exists."},
    "reference.version_conflict": {
        "fr": "Cet élément a été modifié entre-temps : rechargez-le et refaites vos changements.",
        "en": "This item was changed meanwhile: reload it and make your changes again."},
    "reference.csv_too_large": {"fr": "Fichier CSV trop volumineux.", "en": "CSV file too large."},
    "reference.csv_missing_columns": {
        "fr": "Des colonnes obligatoires sont absentes de la première ligne.",
        "en": "Required columns are missing from the first line."},
    "reference.csv_duplicate_column": {"fr": "Une colonne est nommée deux fois.", "en": "A column is named twice."},
})
