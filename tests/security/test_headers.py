"""Every header on every URL name: the resolver is walked, each named URL is
reversed (with sample arguments where it needs them) and requested as an
anonymous visitor and as a fully signed-in superuser."""

import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from programs.models import LevelOfCare, Page

pytestmark = pytest.mark.django_db

# Pages anyone may cache (nginx too); every other URL must not be public.
PUBLIC = {
    "programs:home",
    "programs:list",
    "programs:detail",
    "programs:comparison",
    "programs:page",
    "robots_txt",  # outside i18n_patterns since issue 13: no namespace
    "programs:team",  # the clinical team page (issue 12), once it lands
    # Issue 14: the same words for everyone, nothing personal, no cookie.
    "admissions:consultation_thanks",
    "admissions:insurance_thanks",
    "sitemap",
}


def named_patterns(patterns=None, namespace=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name, pattern


def sample_arguments(name, pattern, samples):
    """(args, kwargs) for reverse(): named parts from the samples, unnamed
    regex groups (django-reversion's) get an id."""
    regex = pattern.pattern.regex
    names = list(getattr(pattern.pattern, "converters", {})) or list(regex.groupindex)
    args = [str(samples(name, "pk"))] * (regex.groups - len(regex.groupindex)) if not names else []
    return args, {key: samples(name, key) for key in names}


@pytest.fixture
def samples(demo_content):
    level = LevelOfCare.objects.filter(status="published").first() or LevelOfCare.objects.first()
    page = Page.objects.filter(status="published").first() or Page.objects.first()

    def value(name, key):
        if name == "programs:detail":
            return level.slug
        if name == "programs:page":
            return page.slug
        if name == "programs:preview_program":
            return level.pk
        if name == "programs:preview_page":
            return page.pk
        if name.startswith("admin:otp_totp_totpdevice_"):
            # django-otp's QR config view answers a missing id with a 500 (superusers only).
            from django_otp.plugins.otp_totp.models import TOTPDevice

            return str(getattr(TOTPDevice.objects.order_by("pk").first(), "pk", 1))
        if key == "app_label":
            return "admissions"
        if key == "content_type_id":
            return ContentType.objects.get_for_model(LevelOfCare).pk
        return 1 if key in ("pk", "id") else str(level.pk)

    return value


def all_urls(samples):
    urls = {}
    for name, pattern in named_patterns():
        args, kwargs = sample_arguments(name, pattern, samples)
        try:
            urls[name] = reverse(name, args=args, kwargs=kwargs)
        except Exception:  # noqa: S112 - reported below: every name must reverse
            urls[name] = None
    return urls


def assert_security_headers(name, url, response):
    where = f"{name} {url} ({response.status_code})"
    assert response.status_code < 500, where
    assert response["X-Frame-Options"] == "DENY", where
    assert response["X-Content-Type-Options"] == "nosniff", where
    assert response["Referrer-Policy"] == "same-origin", where
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", where
    assert response["Cross-Origin-Resource-Policy"] == "same-origin", where
    # Issue 15 #14: browser features off, passkeys for this site only.
    policy = dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))
    assert policy["camera"] == policy["microphone"] == policy["geolocation"] == "()", where
    assert policy["publickey-credentials-get"] == "(self)", where
    csp = {
        part.split()[0]: part.split()[1:]
        for part in response["Content-Security-Policy"].split(";")
        if part.strip()
    }
    assert csp["default-src"] == ["'none'"], where
    assert csp["frame-ancestors"] == ["'none'"], where
    assert csp["base-uri"] == ["'none'"], where
    assert csp["form-action"] == ["'self'"], where
    # 'self' plus, when the page used it, this response's nonce; nothing else.
    assert csp["script-src"][0] == "'self'", where
    assert all(re.fullmatch(r"'nonce-[^']+'", source) for source in csp["script-src"][1:]), where
    assert "unsafe" not in response["Content-Security-Policy"], where

    cache_control = {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",")}
    if name in PUBLIC and response.status_code == 200:
        assert "public" in cache_control and "no-store" not in cache_control, where
    else:
        assert "public" not in cache_control, where
    if url.startswith((f"/{settings.ADMIN_PATH}", "/admissions/", "/es/admisiones/")) and name not in PUBLIC:
        assert {"no-store", "private"} <= cache_control, where


def test_every_url_name_reverses_with_sample_arguments(samples):
    missing = [name for name, url in all_urls(samples).items() if url is None]
    assert not missing, missing


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_every_url_sends_every_security_header(client, admin_client, samples, language):
    # The patient side again under /es/ (issue 13); the admin has no Spanish URLs.
    with translation.override(language):
        urls = {name: url for name, url in all_urls(samples).items() if url}
    if language != settings.LANGUAGE_CODE:
        urls = {name: url for name, url in urls.items() if url.startswith(f"/{language}/")}
        assert len(urls) > 10
    else:
        assert len(urls) > 50  # the admin's URLs are among them
    anonymous = client.__class__()
    for name, url in urls.items():
        assert_security_headers(name, url, anonymous.get(url))
        assert_security_headers(name, url, admin_client.get(url))


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_forms_are_never_cached_even_if_a_view_says_public(client, language):
    for name in ("admissions:consultation", "admissions:verify_insurance"):
        with translation.override(language):
            url = reverse(name)
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"] and "public" not in response["Cache-Control"]


def test_static_files_get_corp_too(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


def test_public_pages_do_not_vary_on_cookie_or_touch_the_session(client, demo_content):
    response = client.get("/")
    assert "Cookie" not in response.get("Vary", "")
    assert "sessionid" not in response.cookies


@override_settings(
    SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=63072000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True
)
def test_http_redirects_to_https_and_https_gets_hsts(client, demo_content):
    plain = client.get("/programs/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/programs/"
    secure = client.get("/programs/", secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"


def production_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sheer_site.settings.production",
        "DJANGO_SECRET_KEY": "x" * 64,
        "DJANGO_ALLOWED_HOSTS": "www.example.com",
        "SITE_URL": "https://www.example.com",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/unused",
        "PHI_ENCRYPTION_KEYS": "k1:" + "A" * 43,
        "PHI_LOOKUP_KEY": "B" * 43,
        "ADMISSIONS_ALERT_EMAIL": "admissions@example.com",
    }
    names = [
        "SESSION_COOKIE_NAME",
        "CSRF_COOKIE_NAME",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SAMESITE",
        "SESSION_COOKIE_DOMAIN",
        "CSRF_COOKIE_DOMAIN",
        "SESSION_COOKIE_PATH",
        "CSRF_COOKIE_PATH",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_PROXY_SSL_HEADER",
        "SESSION_COOKIE_AGE",
    ]
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_production_cookies_and_transport():
    prod = production_settings()
    for cookie in ("SESSION", "CSRF"):
        # __Host-: Secure, Path=/, no Domain, or browsers refuse the cookie.
        assert prod[f"{cookie}_COOKIE_NAME"].startswith("__Host-")
        assert prod[f"{cookie}_COOKIE_SECURE"] is True
        assert prod[f"{cookie}_COOKIE_HTTPONLY"] is True
        assert prod[f"{cookie}_COOKIE_SAMESITE"] in ("Lax", "Strict")
        assert prod[f"{cookie}_COOKIE_DOMAIN"] is None
        assert prod[f"{cookie}_COOKIE_PATH"] == "/"
    assert prod["SECURE_SSL_REDIRECT"] is True
    assert prod["SECURE_HSTS_SECONDS"] >= 31536000
    assert prod["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert prod["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert prod["SESSION_COOKIE_AGE"] == 900


@override_settings(SESSION_COOKIE_NAME="__Host-sessionid", SESSION_COOKIE_SECURE=True)
def test_the_session_cookie_is_sent_as_a_host_cookie(client, coordinator):
    from .conftest import PASSWORD

    response = client.post(
        reverse("admin:login"), {"username": coordinator.username, "password": PASSWORD}, secure=True
    )
    cookie = response.cookies["__Host-sessionid"]
    assert cookie["secure"] and cookie["httponly"]
    assert cookie["path"] == "/" and not cookie["domain"]
    assert cookie["samesite"] == "Lax"
