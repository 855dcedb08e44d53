"""The payroll service's contract: the only part of services/payroll that other packages may import (a test
over the whole tree enforces it; docs/DEVELOPING.md). rpc.py names its RPC methods, vocabulary.py the
words it owns, messages.py its message codes in French and English."""
from . import messages  # noqa: F401  (registers its message codes for translate)
