"""Commands of the notification service, on its store (NOTIFICATION_STORE_URL, default SQLite under
IMS_DATA_DIR):

  python -m services.notification.cli deliveries [--status pending|sent|failed] [--booking ID] [--user ID]
      the delivery log, oldest first (never a message's text)
  python -m services.notification.cli retry [--id DELIVERY_ID ...]
      puts failed deliveries (all, or the ones named) back in the queue: the running service sends
      them within a second. Messages that held a secret were scrubbed and are skipped (the person
      asks for a new code or link).
  python -m services.notification.cli rebuild
      refills the copies of bookings and profiles from booking's and auth's events_since over RPC
      (AMQP_URI), telling no one; deliveries and timers stay. Stop the notification service first.
  python -m services.notification.cli parked [--retry] [--projector booking|auth|payroll]
      the events notification could not apply, or (--retry) marks them to be applied again by the
      running service once the cause is fixed
"""
from __future__ import annotations

import argparse
import json
import sys

from ims_common import parked_command
from services.notification import bootstrap


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m services.notification.cli", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("deliveries", help="the delivery log")
    listing.add_argument("--status", choices=("pending", "sent", "failed"))
    listing.add_argument("--booking")
    listing.add_argument("--user")
    listing.add_argument("--limit", type=int, default=1000)
    retry = commands.add_parser("retry", help="put failed deliveries back in the queue")
    retry.add_argument("--id", action="append", dest="ids")
    commands.add_parser("rebuild", help="refill the booking and profile copies from the events")
    parked_command.add_to(commands)
    return parser


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    stores = bootstrap.open_stores()
    try:
        app = bootstrap.build(stores, senders={})   # the CLI sends nothing itself
        if args.command == "parked":
            out = parked_command.run(stores.doc_store, args)
        elif args.command == "deliveries":
            out = app.deliveries({"status": args.status, "booking_id": args.booking, "user_id": args.user,
                                  "limit": args.limit})
        elif args.command == "retry":
            out = app.retry_failed(args.ids)
        else:
            from nameko.standalone.rpc import ClusterRpcProxy
            with ClusterRpcProxy({"AMQP_URI": bootstrap.amqp_uri()}) as rpc:
                out = app.rebuild(rpc.booking.events_since, rpc.auth.events_since)
        print(json.dumps(out, indent=2, ensure_ascii=False))
    finally:
        stores.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
