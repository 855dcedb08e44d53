"""Every flag payroll's pricing can raise reads in words (the validation queue shows them)."""
from __future__ import annotations

import re
from pathlib import Path

from services.payroll.contract.vocabulary import FLAG_LABELS, flag_label

DOMAIN = Path(__file__).resolve().parents[1] / "domain"


def test_every_flag_raised_has_a_label_in_both_languages():
    raised = set()
    for source in DOMAIN.glob("*.py"):
        text = source.read_text(encoding="utf-8")
        raised.update(re.findall(r'flags\.add\("([a-z_]+)"\)', text))
        raised.update(re.findall(r'"(communication_after_[a-z]+)"', text))
    assert raised and raised <= set(FLAG_LABELS), raised - set(FLAG_LABELS)
    assert all(fr and en and fr != en for fr, en in FLAG_LABELS.values())
    assert flag_label("something_new") == "Point à vérifier"
