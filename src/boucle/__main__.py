import gc
import sys

from boucle.cli import main

code = main()
# The process ends here: no last collection of cyclic garbage walking every object the command left (a dense
# region's `boucle match` leaves millions); files and the database are closed by the command itself.
gc.disable()
sys.exit(code)
