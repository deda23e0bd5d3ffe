"""The client's address behind our own proxies.

nginx (deploy/nginx) connects to gunicorn, so REMOTE_ADDR is nginx's address;
the client's is in X-Forwarded-For. That header is only believed when the
connection comes from an address in DJANGO_TRUSTED_PROXIES: anyone else could
write any address there and dodge the per-address rate limit. Everything that
needs the client's address (rate limit, consent evidence, audit trail) reads
REMOTE_ADDR and so gets the right one.
"""

import ipaddress

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed


def _networks(values):
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values if value.strip())


def _address(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


class TrustedProxyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = _networks(settings.TRUSTED_PROXIES)
        if not self.trusted:
            raise MiddlewareNotUsed  # no proxy in front (development, tests)

    def is_trusted(self, address) -> bool:
        return address is not None and any(address in network for network in self.trusted)

    def __call__(self, request):
        client = self.client_address(request.META)
        if client is not None:
            request.META["REMOTE_ADDR"] = client
        return self.get_response(request)

    def client_address(self, meta) -> str | None:
        """The right-most address in X-Forwarded-For that is not one of our
        proxies: addresses to its left were written by the client and prove
        nothing. None when the peer is not a trusted proxy or the header is
        missing or malformed (REMOTE_ADDR is then left as it is)."""
        if not self.is_trusted(_address(meta.get("REMOTE_ADDR", ""))):
            return None
        hops = [hop for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:
                return None
            if not self.is_trusted(address):
                return str(address)
        return None
