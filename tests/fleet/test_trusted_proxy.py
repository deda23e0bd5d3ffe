"""The client's address is taken from X-Forwarded-For only when our own proxy
sent the request, and then the right-most address that is not a proxy."""

import pytest
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from sheer_site.middleware import TrustedProxyMiddleware


def remote_addr_seen(remote_addr, forwarded=None, trusted=("127.0.0.1", "10.0.0.0/24")):
    seen = {}

    def view(request):
        seen["addr"] = request.META["REMOTE_ADDR"]
        return HttpResponse()

    with override_settings(TRUSTED_PROXIES=list(trusted)):
        middleware = TrustedProxyMiddleware(view)
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    middleware(RequestFactory().get("/", **extra))
    return seen["addr"]


def test_client_address_from_trusted_proxy():
    assert remote_addr_seen("127.0.0.1", "203.0.113.9") == "203.0.113.9"


def test_address_written_by_client_is_ignored():
    # The client wrote 1.2.3.4 itself; nginx appended the real peer.
    assert remote_addr_seen("127.0.0.1", "1.2.3.4, 198.51.100.7") == "198.51.100.7"


def test_chain_of_trusted_proxies_is_skipped():
    assert remote_addr_seen("127.0.0.1", "198.51.100.7, 10.0.0.5") == "198.51.100.7"


def test_untrusted_peer_cannot_choose_its_address():
    assert remote_addr_seen("198.51.100.7", "127.0.0.1") == "198.51.100.7"
    assert remote_addr_seen("198.51.100.7", "203.0.113.1") == "198.51.100.7"


@pytest.mark.parametrize("header", ["", "not-an-ip", "203.0.113.9, garbage", " , "])
def test_missing_or_malformed_header_keeps_peer_address(header):
    assert remote_addr_seen("127.0.0.1", header) == "127.0.0.1"


def test_ipv6_client_through_ipv6_proxy():
    assert remote_addr_seen("::1", "2001:db8::7", trusted=("::1",)) == "2001:db8::7"


def test_only_proxies_in_header_keeps_peer_address():
    assert remote_addr_seen("127.0.0.1", "10.0.0.1, 10.0.0.2") == "127.0.0.1"


def test_no_trusted_proxies_means_middleware_unused():
    with override_settings(TRUSTED_PROXIES=[]), pytest.raises(MiddlewareNotUsed):
        TrustedProxyMiddleware(lambda request: HttpResponse())
