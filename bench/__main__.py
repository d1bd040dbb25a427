"""``python -m bench``: run every benchmark and write bench/RESULTS.md (``bench.suite``)."""

import sys

from bench.suite import main

sys.exit(main())
