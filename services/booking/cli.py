"""Booking service commands. `python -m services.booking.cli rebuild` rebuilds the read models from
the event store (stop the service first, or run it against a copy). `parked [--retry]` lists the
events its projectors (read model, auth's profiles) could not apply, or marks them to be applied
again by the running service (ims_common/parked_command.py)."""
from __future__ import annotations

import argparse
import json
import sys

from ims_common import parked_command
from services.booking import bootstrap


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="services.booking.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("rebuild", help="drop the read models and replay every event")
    parked_command.add_to(sub)
    args = parser.parse_args(argv)
    stores = bootstrap.open_stores()
    try:
        if args.command == "parked":
            print(json.dumps(parked_command.run(stores.doc_store, args), indent=2, ensure_ascii=False))
        elif args.command == "rebuild":
            app = bootstrap.build(stores, catch_up=False)
            print(f"replayed {app.rebuild_read_models()} events")
    finally:
        stores.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
