"""Placeholder pages until the intake forms land (admissions intake issue):
they tell a person how to reach admissions now, so no call to action is a dead end."""

from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@require_safe
@cache_control(public=True, max_age=300)
def consultation(request):
    return render(request, "admissions/coming_soon.html", {"title": "Request a free consultation"})


@require_safe
@cache_control(public=True, max_age=300)
def verify_insurance(request):
    return render(request, "admissions/coming_soon.html", {"title": "Check your insurance"})
