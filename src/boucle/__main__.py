import gc
import sys

from boucle.cli import main


def run() -> int:
    """The `boucle` command (console script and `python -m boucle`)."""
    code = main()
    # The process ends here: its last collection of cyclic garbage need not walk every object the command
    # left (a dense region's `boucle match` leaves millions), so they are set aside (gc.freeze) first.
    gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(run())
