from django.urls import path

from . import views

app_name = "admissions"

urlpatterns = [
    path("consultation/", views.consultation, name="consultation"),
    path("verify-insurance/", views.verify_insurance, name="verify_insurance"),
    # Fixed addresses: nothing about the request is ever in a URL.
    # (robots.txt keeps /admissions/thank-you/ out of search engines.)
    path("thank-you/consultation/", views.consultation_thanks, name="consultation_thanks"),
    path("thank-you/insurance/", views.insurance_thanks, name="insurance_thanks"),
    # A signed token of the request's kind and id: no patient data in the URL.
    path("stop/<str:token>/", views.stop_contact, name="stop_contact"),
]
