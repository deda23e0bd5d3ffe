import os

from django.core.wsgi import get_wsgi_application

from sheer_site.middleware import CompleteBodyMiddleware

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sheer_site.settings.production")

# A body cut off by the client is refused, never taken for the whole form.
application = CompleteBodyMiddleware(get_wsgi_application())
