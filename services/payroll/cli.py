"""Payroll commands.

`python -m services.payroll.cli rebuild` drops payroll's read models and rebuilds them from zero
through booking's, auth's and reference's `events_since` over RPC (AMQP_URI), applying payroll's own decisions
(closed periods, policy versions) where they were taken; prints the totals before and after as JSON
(stop the payroll service first, or run it on a copy of its store with PAYROLL_STORE_URL).
`python -m services.payroll.cli totals` prints the totals only.
`python -m services.payroll.cli parked [--retry]` lists the booking or auth events payroll could not
apply, or marks them to be applied again by the running service (ims_common/parked_command.py)."""
from __future__ import annotations

import argparse
import json
import sys

from ims_common import parked_command
from services.payroll import bootstrap


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="services.payroll.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("rebuild", help="rebuild the read models from booking's and auth's events")
    sub.add_parser("totals", help="print the totals per period and interpreter")
    parked_command.add_to(sub)
    args = parser.parse_args(argv)
    stores = bootstrap.open_stores()
    try:
        if args.command == "parked":
            print(json.dumps(parked_command.run(stores.doc_store, args), indent=2, ensure_ascii=False))
            return 0
        app = bootstrap.build(stores)
        if args.command == "totals":
            print(json.dumps(app.totals(), sort_keys=True))
            return 0
        from nameko.standalone.rpc import ClusterRpcProxy
        before = app.totals()
        with ClusterRpcProxy({"AMQP_URI": bootstrap.amqp_uri()}) as rpc:
            after = app.rebuild(rpc.booking.events_since, rpc.auth.events_since, rpc.reference.events_since)
        print(json.dumps({"before": before, "after": after, "identical": before == after}, sort_keys=True))
    finally:
        stores.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
