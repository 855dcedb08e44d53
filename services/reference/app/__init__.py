"""Use cases of the reference service: catalogue.py (reads, commands, read model, history),
importing.py (CSV imports and the default set)."""
from .catalogue import ReferenceApp  # noqa: F401
