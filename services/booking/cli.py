"""Booking service commands. `python -m services.booking.cli rebuild` rebuilds the read models from
the event store (stop the service first, or run it against a copy)."""
from __future__ import annotations

import argparse
import sys

from services.booking import bootstrap


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="services.booking.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("rebuild", help="drop the read models and replay every event")
    args = parser.parse_args(argv)
    stores = bootstrap.open_stores()
    try:
        if args.command == "rebuild":
            app = bootstrap.build(stores, catch_up=False)
            print(f"replayed {app.rebuild_read_models()} events")
    finally:
        stores.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
