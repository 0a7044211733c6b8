"""``boucle passport verify ID`` and ``boucle passport demo``.

``verify`` checks a passport's event chain against its recorded head.

ID is the passport's handle, its Digital Link / platform URI, or ``--all``. Every problem
(edited, reordered, deleted event, deleted last event) is printed; the exit code is 1 when
any is found, 2 for an unknown passport, 0 when every chain is intact.
"""

import sys


def _find(identifier):
    from .identifiers import passports_for_uri
    from .models import Passport

    if identifier.startswith(("http://", "https://", "urn:")):
        return passports_for_uri(identifier)
    return list(Passport.objects.filter(handle=identifier))


def _verify(args) -> int:
    from .events import verify
    from .models import Passport

    if args.all == bool(args.id):
        print("give a passport handle or URI, or --all", file=sys.stderr)
        return 2
    passports = list(Passport.objects.order_by("pk")) if args.all else _find(args.id)
    if not passports:
        print("no passports yet" if args.all else f"no passport {args.id!r}", file=sys.stderr)
        return 0 if args.all else 2
    broken = 0
    for passport in passports:
        problems = verify(passport)
        if problems:
            broken += 1
            for problem in problems:
                print(f"{passport.handle}: {problem}")
        else:
            print(f"{passport.handle}: chain intact ({passport.chain.count()} events)", file=sys.stderr)
    return 1 if broken else 0


def _demo(args) -> int:
    from .demo import seed
    from .identifiers import scan_uri

    try:
        passports = seed(args.root.rstrip("/"))
    except LookupError as err:
        print(err, file=sys.stderr)
        return 1
    for passport in passports:
        print(f"{passport.handle}\t{passport.level}\t{scan_uri(passport, args.root.rstrip('/'))}")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("passport", help="product passports")
    sub = p.add_subparsers(dest="passport_command", required=True)
    v = sub.add_parser("verify", help="detect edited, reordered or deleted events in a passport's history")
    v.add_argument("id", nargs="?", help="passport handle or Digital Link URI")
    v.add_argument("--all", action="store_true", help="verify every passport")
    v.set_defaults(func=_verify, needs_db=True)
    d = sub.add_parser("demo", help="issue demonstration passports (GS1 prefix 952) on the demo territory")
    d.add_argument("--root", default="http://localhost:8000", help="resolver root printed in the URIs")
    d.set_defaults(func=_demo, needs_db=True)
