"""A small HTTP client on urllib for the clearinghouse backends (no extra dependency).

Every failure becomes an `EligibilityError` whose message names the kind of
failure and never a body: request and response bodies carry patient data.
"""

import http.client
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit


class EligibilityError(Exception):
    """A check that could not complete. `retryable` says whether trying again later may help."""

    def __init__(self, reason: str, *, retryable: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


class EligibilityTimeout(EligibilityError):
    def __init__(self, reason: str = "the clearinghouse did not answer in time"):
        super().__init__(reason, retryable=True)


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


def send(
    method: str, url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None, timeout: float
) -> Response:
    """One request; any HTTP status comes back as a Response, transport failures raise EligibilityError."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise EligibilityError("clearinghouse URL must be http or https")
    request = urllib.request.Request(url, data=body, headers=headers or {}, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310 - scheme checked above
            return Response(reply.status, {k.lower(): v for k, v in reply.headers.items()}, reply.read())
    except urllib.error.HTTPError as exc:
        with exc:
            data = exc.read()
        return Response(exc.code, {k.lower(): v for k, v in (exc.headers or {}).items()}, data)
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError | socket.timeout):
            raise EligibilityTimeout() from None
        raise EligibilityError(
            f"could not reach the clearinghouse ({type(exc.reason).__name__})", retryable=True
        ) from None
    except TimeoutError:
        raise EligibilityTimeout() from None
    except (OSError, http.client.HTTPException) as exc:
        raise EligibilityError(
            f"connection to the clearinghouse failed ({type(exc).__name__})", retryable=True
        ) from None
