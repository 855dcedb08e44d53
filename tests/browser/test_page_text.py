"""The page scan itself (page_text.py): it names what no page may show, and lets French pass."""
from __future__ import annotations

from tests.browser.page_text import html_text, problems


def test_codes_reprs_english_words_and_english_numbers_are_named():
    found = problems("Données invalides : communications.0.at. Rôle : interpreter. Statut : service_provided. "
                     "Dernière modification : {'user_id': 'U1', 'role': 'x'} None "
                     "Montant final provisional · 42.50 km · $82.00 · Pending booking")
    for piece in ("code communications.0.at", "code interpreter", "code service_provided", "repr \"{'\"",
                  "repr 'None'", "code provisional", "English number '42.50 km'", "English number '$8'",
                  "English word 'Pending'", "English word 'booking'"):
        assert piece in found, (piece, found)


def test_french_pages_pass_and_english_pages_may_speak_english():
    assert problems("Réservation HC-24240001 · En attente · 42,5 km · 82,00 $ 0,48 $ · Écrire à biq@ssss.gouv.qc.ca "
                    "(recu-stationnement.png) · https://example.org/meet/abc · Interprète : Alice Web") == []
    assert problems("Pending booking, 42.50 km, $82.00", lang="en") == []


def test_html_text_leaves_out_scripts_and_other_languages():
    lang, text = html_text('<html lang="fr"><head><title>Liste</title><script>var a_b = 1;</script></head><body>'
                           '<button lang="en">English</button><p title="Aide">Bonjour</p><br>'
                           '<input type="submit" value="Envoyer"><input type="hidden" value="x_y"></body></html>')
    assert lang == "fr" and text == "Liste Aide Bonjour Envoyer"
