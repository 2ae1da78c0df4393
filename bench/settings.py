"""Production settings plus one bare view (bench/urls.py) to measure the fixed cost of a request.

Everything else comes from the environment, exactly as in production (see dtc/settings.py).
"""

from dtc.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
