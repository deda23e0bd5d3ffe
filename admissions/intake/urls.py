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
]
