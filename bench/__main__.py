"""``python -m bench``: run the whole benchmark and print its figures."""

import sys

from bench.run import main

sys.exit(main())
