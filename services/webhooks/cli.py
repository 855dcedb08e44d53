"""Commands of the webhooks service, acting directly on its store (WEBHOOKS_STORE_URL, default SQLite
under IMS_DATA_DIR).

  python -m services.webhooks.cli list                 the active subscriptions, each endpoint's
                                                       backlog and whether it is paused
  python -m services.webhooks.cli show --subscription ID          one of them (a deleted one too)
  python -m services.webhooks.cli deliveries --subscription ID [--status pending|delivered|failed|cancelled]
  python -m services.webhooks.cli retry --subscription ID
      puts the subscription's failed deliveries back to pending (due now)
  python -m services.webhooks.cli resume --subscription ID
      a paused endpoint is probed at once (the running service sends its oldest pending delivery)
  python -m services.webhooks.cli parked [--retry]     booking events it could not turn into deliveries
"""
from __future__ import annotations

import argparse
import json
import sys

from ims_common import parked_command
from services.webhooks import bootstrap

OPERATOR = {"user_id": "cli", "role": "admin"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.webhooks.cli", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list")
    for name in ("show", "deliveries", "retry", "resume"):
        cmd = commands.add_parser(name)
        cmd.add_argument("--subscription", required=True)
    commands.choices["deliveries"].add_argument("--status")
    parked_command.add_to(commands)
    args = parser.parse_args(argv)
    stores = bootstrap.open_stores()
    try:
        app = bootstrap.build(stores)
        if args.command == "list":
            out = app.list_subscriptions(OPERATOR)
        elif args.command == "show":
            out = app.subscription(OPERATOR, args.subscription)
        elif args.command == "deliveries":
            out = app.deliveries(OPERATOR, args.subscription, {"status": args.status, "limit": 1000})
        elif args.command == "retry":
            out = app.retry_failed(OPERATOR, args.subscription)
        elif args.command == "resume":
            out = app.resume(OPERATOR, args.subscription)
        else:
            out = parked_command.run(stores.doc_store, args)
        print(json.dumps(out, indent=2, ensure_ascii=False))
    finally:
        stores.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
