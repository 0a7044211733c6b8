"""Run the suite against a real PostgreSQL server, or say clearly why not.

Locally, no reachable server means the PostgreSQL run is skipped with a message;
under CI (``CI=true``) it is an error, so a green CI always means both databases.
Usage: run_postgres_tests.py POSTGRES_URL [pytest args...]
"""

import os
import subprocess
import sys


def reachable(url: str) -> str | None:
    try:
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://", 1), connect_timeout=3):
            return None
    except Exception as exc:  # any failure to connect is reported as is
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def main() -> int:
    url, pytest_args = sys.argv[1], sys.argv[2:]
    problem = reachable(url)
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            print(f"PostgreSQL unreachable at {url} under CI: {problem}", file=sys.stderr)
            return 1
        print(f"PostgreSQL unreachable at {url} ({problem}): PostgreSQL tests SKIPPED", file=sys.stderr)
        return 0
    print(f"Running the suite on PostgreSQL ({url})", file=sys.stderr)
    env = dict(os.environ, DATABASE_URL=url)
    return subprocess.call([sys.executable, "-m", "pytest", *pytest_args], env=env)


if __name__ == "__main__":
    sys.exit(main())
