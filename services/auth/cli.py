"""Commands of the auth service, acting directly on its store (ims_common.config.store_url("auth")).

  python -m services.auth.cli create-coordinator --email E --first-name F --last-name L [--password P]
      the first coordinator; the password comes from --password, else IMS_BOOTSTRAP_PASSWORD, else a
      prompt. Prints the new identifier.
  python -m services.auth.cli create-account --email E --first-name F --last-name L --role R [...]
      any account (demo data); without a password a temporary one is made and printed.
  python -m services.auth.cli rebuild-read-models
      replays every event into the accounts read model.
  python -m services.auth.cli create-system-token --name N --scope events:read [--scope webhooks:manage] [--days D]
      a long-lived token (role "system") for an outside system; printed once (app/system_tokens.py).
  python -m services.auth.cli revoke-system-token --jti J      /   list-system-tokens
      revoking appends SystemTokenRevoked: the auth service publishes it, every gateway refuses the token.
  python -m services.auth.cli parked [--retry]
      events its read models could not apply (ims_common/parked_command.py).
"""
from __future__ import annotations

import argparse
import getpass
import json
import os
import sys

from ims_common import parked_command
from ims_common.errors import IMSError
from ims_common.messages import translate
from services.auth import bootstrap
from services.auth.app import Auth
from services.auth.app import system_tokens
from services.auth.contract.vocabulary import ROLES


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m services.auth.cli", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("create-coordinator", "create-account"):
        cmd = commands.add_parser(name)
        cmd.add_argument("--email", required=True)
        cmd.add_argument("--first-name", required=True)
        cmd.add_argument("--last-name", required=True)
        cmd.add_argument("--password", help="visible in the process list: prefer IMS_BOOTSTRAP_PASSWORD")
    account = commands.choices["create-account"]
    account.add_argument("--role", required=True, choices=ROLES)
    account.add_argument("--secondary-role", choices=ROLES)
    account.add_argument("--default-role", choices=ROLES)
    account.add_argument("--establishment")
    account.add_argument("--display-language", choices=("fr", "en"))
    commands.add_parser("rebuild-read-models")
    system = commands.add_parser("create-system-token")
    system.add_argument("--name", required=True)
    system.add_argument("--scope", action="append", required=True, choices=system_tokens.SCOPES)
    system.add_argument("--days", type=int, default=system_tokens.DEFAULT_DAYS)
    commands.add_parser("revoke-system-token").add_argument("--jti", required=True)
    commands.add_parser("list-system-tokens")
    parked_command.add_to(commands)
    return parser


def _bootstrap_password(args) -> str | None:
    if args.password:
        return args.password
    if os.environ.get("IMS_BOOTSTRAP_PASSWORD"):
        return os.environ["IMS_BOOTSTRAP_PASSWORD"]
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password again: "):
            raise SystemExit("The two passwords differ.")
        return first
    return None


def _system_tokens(auth: Auth, args) -> str:
    tokens = auth.system_tokens
    try:
        if args.command == "create-system-token":
            made = tokens.create(args.name, args.scope, args.days)
            return f"{made['token']}\njti: {made['jti']}"
        if args.command == "revoke-system-token":
            return f"revoked {tokens.revoke(args.jti)['jti']}"
    except (ValueError, KeyError) as exc:
        raise SystemExit(f"{args.command}: {exc}") from None
    return "\n".join(f"{t['jti']} {t['name']} {','.join(t['scopes'])} expires_at={t['expires_at']} "
                     f"revoked_at={t.get('revoked_at')}" for t in tokens.listing())


def _run(auth: Auth, args) -> str:
    if args.command == "create-coordinator":
        account = auth.accounts.bootstrap_coordinator(args.email, args.first_name, args.last_name,
                                                      _bootstrap_password(args))
        return account["user_id"]
    if args.command == "create-account":
        given = {"email": args.email, "first_name": args.first_name, "last_name": args.last_name,
                 "role": args.role, "secondary_role": args.secondary_role, "default_role": args.default_role,
                 "establishment": args.establishment, "display_language": args.display_language,
                 "password": args.password or os.environ.get("IMS_BOOTSTRAP_PASSWORD")}
        account = auth.accounts.create_account_as_operator({k: v for k, v in given.items() if v is not None})
        if "temporary_password" in account:
            return f"{account['user_id']}\ntemporary password: {account['temporary_password']}"
        return account["user_id"]
    return f"{auth.ctx.view.rebuild()} events replayed"


def _explain(error: IMSError) -> str:
    lines = [translate(error.code, "en", dict(error.params, fields=", ".join(error.fields)))]
    for field, codes in error.fields.items():
        lines += [f"  {field}: {translate(code, 'en')}" for code in codes]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    auth, close = bootstrap.for_cli()
    try:
        if args.command == "parked":
            print(json.dumps(parked_command.run(auth.ctx.docs, args), indent=2, ensure_ascii=False))
            return 0
        if args.command.endswith("system-token") or args.command == "list-system-tokens":
            print(_system_tokens(auth, args))
            return 0
        print(_run(auth, args))
    except IMSError as error:
        print(_explain(error), file=sys.stderr)
        return 2
    finally:
        close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
