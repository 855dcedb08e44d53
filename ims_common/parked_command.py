"""The `parked` command every consuming service's CLI has (docs/DEVELOPING.md): lists the events its
projectors parked (ims_common/projection.py), or with --retry marks them to be applied again by the
running service's next catch-up, once the cause is fixed."""
from __future__ import annotations

import argparse

from ims_common.projection import parked_events, request_retry

HELP = "events this service could not apply (parked); --retry: apply them again once the cause is fixed"


def add_to(commands) -> argparse.ArgumentParser:
    """Adds `parked [--retry] [--projector NAME] [--position N]` to an argparse subparsers object."""
    cmd = commands.add_parser("parked", help=HELP, description=HELP)
    cmd.add_argument("--retry", action="store_true", help="mark them to be applied again")
    cmd.add_argument("--projector", help="only this projector's (e.g. booking, auth)")
    cmd.add_argument("--position", type=int, help="only the event at this position of its source")
    return cmd


def run(docs, args) -> list | dict:
    if args.retry:
        return {"marked_for_retry": request_retry(docs, args.projector, args.position)}
    return [p for p in parked_events(docs, args.projector) if args.position in (None, p["position"])]
