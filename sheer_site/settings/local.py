"""Local development: `make run`. DEBUG on unless DJANGO_DEBUG says otherwise."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# Fixed development keys so `make run` works with nothing set. Never use these
# for real data: production.py requires its own from the environment.
if not PHI_ENCRYPTION_KEYS:  # noqa: F405
    PHI_ENCRYPTION_KEYS = [("dev1", "ZGV2LW9ubHkta2V5LWRvLW5vdC11c2UtZm9yLXBoaSE")]
if not PHI_LOOKUP_KEY:  # noqa: F405
    PHI_LOOKUP_KEY = "ZGV2LW9ubHktbG9va3VwLWtleS1ub3QtZm9yLXBoaSE"

# Staff alerts print to the console with `make run`, so the whole flow shows.
ADMISSIONS_ALERT_EMAIL = env("ADMISSIONS_ALERT_EMAIL", default="admissions@localhost")
