from django.urls import path

from . import views

app_name = "admissions"

urlpatterns = [
    path("consultation/", views.consultation, name="consultation"),
    path("verify-insurance/", views.verify_insurance, name="verify_insurance"),
]
