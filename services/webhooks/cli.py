"""Commands of the webhooks service, acting directly on its store (ims_common.config.store_url("webhooks")).

  python -m services.webhooks.cli list                 the active subscriptions
  python -m services.webhooks.cli deliveries --subscription ID [--status pending|delivered|failed]
  python -m services.webhooks.cli retry --subscription ID
      puts the subscription's failed deliveries back to pending (due now)
"""
from __future__ import annotations

import argparse
import json
import sys

from ims_common import config
from ims_common.stores import open_document_store
from services.webhooks.app import DELIVERIES, WebhooksApp

OPERATOR = {"user_id": "cli", "role": "admin"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.webhooks.cli", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list")
    for name in ("deliveries", "retry"):
        cmd = commands.add_parser(name)
        cmd.add_argument("--subscription", required=True)
    commands.choices["deliveries"].add_argument("--status")
    args = parser.parse_args(argv)
    docs = open_document_store(config.store_url("webhooks"))
    try:
        app = WebhooksApp(docs)
        if args.command == "list":
            out = app.list_subscriptions(OPERATOR)
        elif args.command == "deliveries":
            out = app.deliveries(OPERATOR, args.subscription, {"status": args.status, "limit": 1000})
        else:
            app.deliveries(OPERATOR, args.subscription, {})     # NotFound when unknown
            failed = docs.find(DELIVERIES, {"subscription_id": args.subscription, "status": "failed"})
            for d in failed:
                d.update(status="pending", attempts=0, next_attempt_ts=0, next_attempt_at=None)
                docs.put(DELIVERIES, d["id"], d)
            out = {"requeued": len(failed)}
        print(json.dumps(out, indent=2, ensure_ascii=False))
    finally:
        docs.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
