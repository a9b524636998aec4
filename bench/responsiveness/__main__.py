"""`python -m bench.responsiveness`: see the package's docstring."""

import sys

from bench.responsiveness.run import main

sys.exit(main(sys.argv[1:]))
