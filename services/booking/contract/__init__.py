"""The booking service's contract: the only part of services/booking that other packages may import
(a test over the whole tree enforces it; docs/DEVELOPING.md).

events.py (type names, schema versions, upcasters), fold.py (the booking's state from its events),
vocabulary.py (statuses, modes, booking fields, who may try each command), rpc.py (methods, reads),
messages.py (message codes in French and English), schemas.py / public.py / generate.py (the public
projection of the events for outside systems, docs/events/)."""
from . import messages  # noqa: F401  (registers its message codes for translate)
