import pytest

from programs import content_cache
from programs.demo_content import load_demo_content


@pytest.fixture
def demo_content(db):
    """The same content `make run` loads."""
    load_demo_content()


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        username="editor", password="correct-horse-battery-staple", is_staff=True
    )


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin client, signed in with password and second factor
    as the admin requires (admissions.security.MFARequiredMiddleware)."""
    from tests.security.otp import login_with_second_factor

    return login_with_second_factor(client, admin_user)


@pytest.fixture(autouse=True)
def _cold_content_cache():
    """Each test starts as a fresh worker would: nothing kept in memory."""
    content_cache.clear()
    yield
    content_cache.clear()
