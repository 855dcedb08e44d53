"""Commands of the reference service, acting directly on its store (ims_common.config.store_url("reference")).

  python -m services.reference.cli load-defaults         adds the default set's missing items
  python -m services.reference.cli import KIND FILE [--dry-run]
                                                         imports a CSV file of one kind; prints the report
  python -m services.reference.cli export KIND           prints the kind's items as CSV (import reads it back)
  python -m services.reference.cli rebuild               folds the read model again from the events
  python -m services.reference.cli parked [--retry]      events the read model could not apply (parked)
KIND: region, establishment, facility, cost_centre, admin_unit, language, context, report_reason.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ims_common import parked_command
from services.reference import bootstrap
from services.reference.adapters.default_set import default_files
from services.reference.app.importing import import_text
from services.reference.contract import vocabulary as V
from services.reference.domain import csv_rows

OPERATOR = {"user_id": "cli", "role": "system", "name": "Ligne de commande"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.reference.cli", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("load-defaults")
    commands.add_parser("rebuild")
    imp = commands.add_parser("import")
    imp.add_argument("kind", choices=V.KINDS)
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true")
    exp = commands.add_parser("export")
    exp.add_argument("kind", choices=V.KINDS)
    parked_command.add_to(commands)
    args = parser.parse_args(argv)
    stores = bootstrap.open_stores()
    try:
        app = bootstrap.build(stores, load_defaults=False)
        if args.command == "parked":
            out = parked_command.run(stores.doc_store, args)
        elif args.command == "load-defaults":
            out = app.load_defaults(default_files())
        elif args.command == "rebuild":
            out = {"events": app.rebuild()}
        elif args.command == "import":
            text, encoding = csv_rows.decode(args.file.read_bytes())
            out = import_text(app, OPERATOR, args.kind, text, encoding, dry_run=args.dry_run)
        else:
            items, page = [], 1
            while True:
                found = app.list_items(OPERATOR, args.kind, {"include_inactive": True, "sort": "code",
                                                             "per_page": 1000, "page": page})
                items += found["items"]
                if page * 1000 >= found["total"]:
                    break
                page += 1
            sys.stdout.write(csv_rows.to_csv(args.kind, items))
            return 0
        print(json.dumps(out, indent=2, ensure_ascii=False))
    finally:
        stores.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
