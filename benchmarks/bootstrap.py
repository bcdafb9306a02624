"""Set up Django for a benchmark script run as ``python benchmarks/<script>.py``."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup():
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    import django

    django.setup()
