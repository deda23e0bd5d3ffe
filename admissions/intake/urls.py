from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "admissions"

# Inside i18n_patterns (sheer_site/urls.py): the path words are translated.
urlpatterns = [
    path(_("consultation/"), views.consultation, name="consultation"),
    path(_("verify-insurance/"), views.verify_insurance, name="verify_insurance"),
    # Fixed addresses: nothing about the request is ever in a URL.
    # (robots.txt keeps the thank-you pages out of search engines.)
    path(_("thank-you/consultation/"), views.consultation_thanks, name="consultation_thanks"),
    path(_("thank-you/insurance/"), views.insurance_thanks, name="insurance_thanks"),
    # A signed token of the request's kind and id: no patient data in the URL.
    path(_("stop/<str:token>/"), views.stop_contact, name="stop_contact"),
]
