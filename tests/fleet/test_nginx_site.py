"""deploy/nginx/sheer-recovery.conf in front of gunicorn (production
settings), on 127.0.0.1: only host paths, ports and the certificate differ
from the deployed file (scripts/harness/nginx.py deploy_site)."""

import http.client
import socket
import ssl
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from harness import database, nginx  # noqa: E402
from harness import site as app_site  # noqa: E402
from harness.process import Group  # noqa: E402

HTTPS, HTTP, APP = 8843, 8880, 8805


@pytest.fixture(scope="module")
def site():
    group = Group("nginx-test")
    try:
        url = database.scratch(group, "sheer_h8_nginx")
        env, app = app_site.serve_fleet(group, url, APP, workers=1, threads=4)
        nginx.deploy_site(group, env, [APP], https_port=HTTPS, http_port=HTTP)
        yield group, app
    finally:
        group.close()


def get(path, *, method="GET", headers=None, body=None, port=HTTPS):
    if port == HTTPS:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the throwaway self-signed certificate
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def tls_handshake(*, version, ciphers=None):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    context.minimum_version = context.maximum_version = version
    if ciphers:
        context.set_ciphers(ciphers)
    with socket.create_connection(("127.0.0.1", HTTPS), timeout=10) as raw, context.wrap_socket(raw) as tls:
        return tls.version(), tls.cipher()[0]


def test_tls_modern_ciphers_only(site):
    assert tls_handshake(version=ssl.TLSVersion.TLSv1_3)[0] == "TLSv1.3"
    version, cipher = tls_handshake(version=ssl.TLSVersion.TLSv1_2)
    assert version == "TLSv1.2" and cipher.startswith("ECDHE-") and ("GCM" in cipher or "CHACHA20" in cipher)
    # A client that offers only CBC or non-forward-secret suites is turned away.
    for legacy in ("ECDHE-ECDSA-AES128-SHA256", "AES128-GCM-SHA256"):
        with pytest.raises(ssl.SSLError):
            tls_handshake(version=ssl.TLSVersion.TLSv1_2, ciphers=legacy)


def test_http_redirects_to_https(site):
    status, headers, _ = get("/programs/?x=1", port=HTTP)
    assert status == 301
    assert headers["location"] == "https://www.sheerrecovery.com/programs/?x=1"


def test_public_page_is_cached_and_carries_django_security_headers(site):
    get("/")
    status, headers, _ = get("/")
    assert status == 200
    assert headers["x-cache-status"] == "HIT"
    assert "max-age=63072000" in headers["strict-transport-security"]  # from Django, stored with the page
    assert "content-security-policy" in headers


def test_forms_admin_and_sessions_never_come_from_the_cache(site):
    for _ in range(2):
        status, headers, body = get("/admissions/consultation/")
    assert status == 200
    assert headers["x-cache-status"] == "BYPASS"
    assert "__Host-csrftoken" in headers.get("set-cookie", "")
    # A staff member's session always reaches Django, even on a public page.
    get("/programs/")
    _, headers, _ = get("/programs/", headers={"Cookie": "__Host-sessionid=abc"})
    assert headers["x-cache-status"] == "BYPASS"


def test_static_files_served_by_nginx_for_a_year(site):
    manifest = (app_site.STATIC_ROOT / "staticfiles.json").read_text()
    hashed = next(
        name for name in __import__("json").loads(manifest)["paths"].values() if name.endswith(".css")
    )
    status, headers, _ = get(f"/static/{hashed}")
    assert status == 200
    assert "immutable" in headers["cache-control"] and "max-age=31536000" in headers["cache-control"]
    assert "strict-transport-security" in headers


def test_body_limits(site):
    big = b"x" * (3 * 1024 * 1024)
    type_header = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _, _ = get("/admissions/consultation/", method="POST", body=big, headers=type_header)
    assert status == 413  # 2 MB is plenty for the consultation form
    # The insurance form takes two 10 MB photos: 21 MB reaches Django (403: no CSRF token).
    status, _, _ = get(
        "/admissions/verify-insurance/", method="POST", body=b"x" * (21 * 1024 * 1024), headers=type_header
    )
    assert status == 403
    status, _, _ = get(
        "/admissions/verify-insurance/", method="POST", body=b"x" * (25 * 1024 * 1024), headers=type_header
    )
    assert status == 413


def test_app_servers_down_public_pages_stale_forms_get_the_outage_page(site):
    """Last in this module: it stops the app server."""
    _, app = site
    get("/programs/")  # in the cache
    app.stop()
    status, headers, _ = get("/programs/")
    assert status == 200 and headers["x-cache-status"] in {"STALE", "HIT"}
    status, headers, body = get("/admissions/consultation/")
    assert status == 502
    assert b'href="tel:+1' in body and b"Sorry, something went wrong" in body
    assert headers["cache-control"] == "no-store"
    status, headers, body = get("/es/admisiones/consulta/")
    assert status == 502
    assert b'<html lang="es"' in body and b'href="tel:+1' in body and "algo falló".encode() in body
    assert headers["cache-control"] == "no-store"
