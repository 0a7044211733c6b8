import sys

from boucle.cli import main

sys.exit(main())
