"""Account identifiers such as UBIPN0002: "U", the bank ("BI"), the person's initials, and a
sequence number unique over all accounts (the store reserves it: app/reservations.py)."""
from __future__ import annotations

import re
import unicodedata

PREFIX = "UBI"
USER_ID_RE = re.compile(r"UBI[A-Z]{2}\d{4,}")


# Latin letters that Unicode does not decompose into an ASCII letter and an accent.
_NO_DECOMPOSITION = str.maketrans({"Ø": "O", "ø": "o", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe",
                                   "ß": "ss", "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Þ": "TH",
                                   "þ": "th", "ı": "i"})


def ascii_fold(text: str) -> str:
    """'Émilie' -> 'Emilie', 'Øyvind' -> 'Oyvind'; letters without an ASCII form disappear."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_NO_DECOMPOSITION))
    return decomposed.encode("ascii", "ignore").decode("ascii")


def initial(name: str) -> str:
    """First ASCII letter of the name, uppercased; 'X' when there is none (e.g. non-Latin script)."""
    for char in ascii_fold(name):
        if char.isalpha():
            return char.upper()
    return "X"


def make_user_id(first_name: str, last_name: str, sequence: int) -> str:
    if sequence < 1:
        raise ValueError("sequence starts at 1")
    return f"{PREFIX}{initial(first_name)}{initial(last_name)}{sequence:04d}"


def looks_like_user_id(value: str) -> bool:
    return bool(USER_ID_RE.fullmatch(value.strip().upper()))
