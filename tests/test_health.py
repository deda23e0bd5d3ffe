import socket

import pytest
from django.db import connection


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "body"), [("/healthz", b"ok\n"), ("/readyz", b"ready\n")])
def test_probes_answer_plainly_without_cookies_or_caching(client, url, body):
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == body
    assert response["Content-Type"].startswith("text/plain")
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405


def unused_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_readyz_is_503_when_the_database_cannot_be_reached(client):
    """A real failure: the connection is pointed at a port nothing listens on."""
    original = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(unused_port()))
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.content == b"database unavailable\n"
        assert client.get("/healthz").status_code == 200  # the process itself still answers
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(original)
    assert client.get("/readyz").status_code == 200
