import pytest
from django.contrib.auth.models import Group

from .otp import login_with_second_factor

PASSWORD = "a-long-staff-passphrase-for-tests"


def make_staff(django_user_model, username, *groups):
    user = django_user_model.objects.create_user(username=username, password=PASSWORD, is_staff=True)
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


@pytest.fixture
def coordinator(django_user_model):
    return make_staff(django_user_model, "casey", "Admissions coordinator")


@pytest.fixture
def manager(django_user_model):
    return make_staff(django_user_model, "morgan", "Admissions manager")


@pytest.fixture
def content_editor(django_user_model):
    return make_staff(django_user_model, "eddie", "Content editor")


@pytest.fixture
def verified_client(client):
    """Factory: the test client signed in as a user with password and code."""

    def sign_in(user):
        return login_with_second_factor(client, user)

    return sign_in
