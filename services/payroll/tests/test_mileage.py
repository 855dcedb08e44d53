"""The mileage claim checked against the computed distance (domain/mileage.py through pricing):
the shorter origin, the 16 km threshold on the computed figure, the margin, the policy's action on
an excess, and a claim that cannot be checked flagged, never silently paid. Both figures are in the
inputs and in the distance line's rule."""
from datetime import date
from decimal import Decimal

from services.payroll.domain.policy import CURRENT_POLICY, MILEAGE_FLAG, PolicyBook, default_policy_book

from .test_pricing import booking, provided

HMR = {"latitude": "45.5745", "longitude": "-73.5580", "facility": "HC-HMR"}   # Hôpital Maisonneuve-Rosemont
MONTREAL_HQ = {"latitude": "45.5232", "longitude": "-73.5886", "region": "06"}  # 7,7 km by the road factor
JOLIETTE_HQ = {"latitude": "46.0160", "longitude": "-73.4370", "region": "14"}  # 62,5 km
NEAR_HOME = {"latitude": "45.6500", "longitude": "-73.5800", "source": "profile"}  # 10,7 km


def in_person(km: str):
    return booking("in_person"), provided(distance_km=km)


def priced(km: str, places, book=None):
    from services.payroll.domain.pricing import price
    b, r = in_person(km)
    return price(b, r, None, book or default_policy_book(), places=places)


def test_the_issues_case_450_km_for_a_montreal_hospital_is_not_paid_and_says_why():
    rem = priced("450", {"facility": HMR, "home": None, "head_office": MONTREAL_HQ})
    assert rem.lines["distance"].cents == 0
    assert {"mileage_reduced", "mileage_below_threshold"} <= set(rem.flags)
    assert (rem.inputs["claimed_km"], rem.inputs["computed_km"], rem.inputs["computed_from"]) == ("450", "7.7", "head_office")
    assert rem.rules["distance"]["fr"].startswith("Distance calculée de 7,7\u00a0km : 16\u00a0km ou moins, non payé "
                                                  "(réclamé : 450\u00a0km)")
    assert "computed distance: 7.7\u00a0km from the main region's head office" in rem.rules["distance"]["en"]


def test_a_claim_beyond_the_margin_is_paid_at_the_computed_distance_when_the_policy_says_so():
    rem = priced("450", {"facility": HMR, "home": None, "head_office": JOLIETTE_HQ})
    assert rem.inputs["computed_km"] == "62.5" and rem.inputs["allowed_km"] == "75.0"
    assert rem.inputs["paid_km"] == "125.0" and str(rem.lines["distance"]) == "60.00"   # 62,5 × 2 × 0,48
    assert "mileage_reduced" in rem.flags
    assert rem.rules["distance"]["fr"] == (
        "125\u00a0km payés à 0,48\u00a0$/km (aller-retour d'un trajet de 62,5\u00a0km) ; distance calculée : "
        "62,5\u00a0km depuis le siège social de la région principale ; réclamé : 450\u00a0km, plus de 20 % au-delà : "
        "payé à la distance calculée, politique BI-2024-11-04")


def test_or_paid_as_claimed_and_flagged_for_review():
    book = PolicyBook([CURRENT_POLICY.derive(version="BI-flag", effective_from=date(2024, 11, 4),
                                             mileage_excess_action=MILEAGE_FLAG)])
    rem = priced("450", {"facility": HMR, "home": None, "head_office": JOLIETTE_HQ}, book)
    assert rem.inputs["paid_km"] == "900" and str(rem.lines["distance"]) == "432.00"
    assert "mileage_excess" in rem.flags and rem.inputs["computed_km"] == "62.5"
    assert "réclamé : 450\u00a0km, plus de 20 % au-delà de la distance calculée : à vérifier" in rem.rules["distance"]["fr"]


def test_within_the_margin_the_claim_is_paid_as_claimed_with_no_flag():
    rem = priced("70", {"facility": HMR, "home": None, "head_office": JOLIETTE_HQ})
    assert rem.inputs["paid_km"] == "140" and not [f for f in rem.flags if f.startswith("mileage")]


def test_the_shorter_origin_decides_and_the_threshold_applies_to_it():
    # Home 10,7 km away, head office 62,5 km: from home, 16 km or less, so nothing is claimable.
    rem = priced("60", {"facility": HMR, "home": NEAR_HOME, "head_office": JOLIETTE_HQ})
    assert (rem.inputs["computed_from"], rem.inputs["computed_km"]) == ("home", "10.7")
    assert rem.inputs["home_km"] == "10.7" and rem.inputs["head_office_km"] == "62.5"
    assert rem.lines["distance"].cents == 0 and "mileage_below_threshold" in rem.flags


def test_without_coordinates_the_claim_is_flagged_never_silently_paid():
    for places in (None, {"facility": None, "home": NEAR_HOME, "head_office": JOLIETTE_HQ},
                   {"facility": HMR, "home": None, "head_office": None}):
        rem = priced("40", places)
        assert "mileage_unverified" in rem.flags and rem.inputs["computed_km"] is None
        assert "distance non vérifiable (coordonnées inconnues) : à vérifier" in rem.rules["distance"]["fr"]
    assert priced("0", None).flags == () and priced("0", None).rules["distance"]["fr"].startswith(
        "Aucun kilométrage déclaré")


def test_money_stays_exact_on_computed_figures():
    rem = priced("450", {"facility": HMR, "home": None, "head_office": JOLIETTE_HQ})
    assert isinstance(rem.lines["distance"].cents, int)
    assert Decimal(rem.inputs["paid_km"]) * Decimal("0.48") == Decimal("60.00")
