"""Issue 15 #14: Permissions-Policy, gunicorn's own limits and trusted
proxies, CSV cells a locale could split into a formula, no query strings in
nginx's access log, and createsuperuser --noinput under the password rules."""

import re
import runpy
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from admissions.staff.export import csv_safe

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_permissions_policy_on_pages_and_static_files(client):
    for url in ("/static/css/site.css", "/admissions/consultation/"):
        policy = client.get(url)["Permissions-Policy"]
        assert "camera=()" in policy and "geolocation=()" in policy, url
        assert "publickey-credentials-get=(self)" in policy


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('\uff1dHYPERLINK("http://evil.example")', '\'\uff1dHYPERLINK("http://evil.example")'),
        ("\uff0b1", "'\uff0b1"),
        ("\uff20SUM(A1)", "'\uff20SUM(A1)"),
        ("google;=cmd|' /C calc'!A0", "google;'=cmd|' /C calc'!A0"),
        ("a; -2+3", "a; '-2+3"),
        ("=1", "'=1"),
        ("google", "google"),
        ("a;b", "a;b"),
    ],
)
def test_csv_cells_never_start_a_formula_in_any_locale(value, expected):
    assert csv_safe(value) == expected


def gunicorn_config(monkeypatch, **env):
    for name in ("GUNICORN_FORWARDED_ALLOW_IPS", "DJANGO_TRUSTED_PROXIES"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_sets_its_own_limits_and_trusted_proxies(monkeypatch):
    config = gunicorn_config(monkeypatch)
    assert config["limit_request_line"] <= 4094
    assert config["limit_request_fields"] <= 50
    assert config["limit_request_field_size"] <= 8190
    assert config["forwarded_allow_ips"] == "127.0.0.1,::1"
    assert config["secure_scheme_headers"] == {"X-FORWARDED-PROTO": "https"}
    assert config["max_requests"] and config["max_worker_memory_mb"]
    assert (
        gunicorn_config(monkeypatch, DJANGO_TRUSTED_PROXIES="10.0.0.5")["forwarded_allow_ips"] == "10.0.0.5"
    )
    assert "*" not in gunicorn_config(monkeypatch, DJANGO_TRUSTED_PROXIES="")["forwarded_allow_ips"]


def test_a_worker_over_its_memory_budget_is_replaced(monkeypatch):
    config = gunicorn_config(monkeypatch, GUNICORN_MAX_WORKER_MEMORY_MB="1")

    class Worker:
        alive, pid = True, 1

        class log:
            @staticmethod
            def warning(*args):
                pass

    worker = Worker()
    config["post_request"](worker, None, {}, None)
    assert worker.alive is False  # this test process is bigger than 1 MB
    config = gunicorn_config(monkeypatch, GUNICORN_MAX_WORKER_MEMORY_MB="100000")
    worker = Worker()
    config["post_request"](worker, None, {}, None)
    assert worker.alive is True


def test_nginx_logs_no_query_strings():
    site = (ROOT / "deploy/nginx/sheer-recovery.conf").read_text()
    site = "\n".join(line.split("#", 1)[0] for line in site.splitlines())
    formats = dict(re.findall(r"log_format\s+(\S+)\s+((?:'[^']*'\s*)+);", site))
    assert formats, "the site defines its own log format"
    for name, text in formats.items():
        for variable in ("$request ", '$request"', "$request_uri", "$args", "$query_string", "$http_referer"):
            assert variable not in text, (name, variable)
    for target, fmt in re.findall(r"access_log\s+(\S+)(?:\s+(\S+))?\s*;", site):
        assert target == "off" or fmt.rstrip(";") in formats, (target, fmt)
    assert re.search(r"server_name www\.sheerrecovery\.com;[\s\S]*access_log \S+ sheer_no_query;", site)


@pytest.mark.django_db
def test_createsuperuser_noinput_applies_the_password_rules(monkeypatch, django_user_model):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "short")
    with pytest.raises(CommandError, match="at least 15 characters"):
        call_command("createsuperuser", "--noinput", "--username", "root", "--email", "root@example.test")
    assert not django_user_model.objects.filter(username="root").exists()
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-enough-passphrase-for-root")
    call_command("createsuperuser", "--noinput", "--username", "root", "--email", "root@example.test")
    assert django_user_model.objects.get(username="root").is_superuser
