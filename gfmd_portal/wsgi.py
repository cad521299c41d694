import gc
import os
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gfmd_portal.settings")
try:
    application = get_wsgi_application()
except ImproperlyConfigured as exc:
    # One line naming the variable; exit status 3 tells gunicorn not to start workers again.
    print(f"Configuration error: {exc}", file=sys.stderr, flush=True)
    sys.exit(3)

# The objects of the loaded application (about 85,000: modules, functions, settings) live as long as
# the process: moved out of the garbage collector's reach, so that its full collections, which a
# page of a few hundred sessions triggers every ten requests or so, no longer walk them each time
# (measured: 60-80 ms per full collection before, 1-4 ms after; bench/agenda.py).
gc.collect()
gc.freeze()
