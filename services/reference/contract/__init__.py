"""The reference service's contract: the only part of services/reference that other packages may
import (a test over the whole tree enforces it; docs/DEVELOPING.md, docs/contracts.md "Reference data").

vocabulary.py (the kinds of reference data, their fields and labels), events.py (event types, schema
versions, upcasters, stream ids), fold.py (an item's state from its events), copy.py (a consumer's copy
of the reference data, kept from `reference.events`), geo.py (great-circle distances), rpc.py (methods,
reads), messages.py (message codes in French and English)."""
from . import messages  # noqa: F401  (registers its message codes for translate)
