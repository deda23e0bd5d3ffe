#!/usr/bin/env python
"""A form post cut off by the client: no partial record, no stray card photo.

Starts gunicorn (production settings, 8804) on a scratch database
sheer_h8_abort. Builds a complete insurance-verification post with two card
photos (multipart, about 2 x --photo-kb), then for each cut point opens a
socket, announces the full Content-Length, sends only the first part of the
body and closes the connection: inside the text fields, inside each photo,
and one byte short of the end. Each attempt uses its own form and token.
Finally one complete post shows the same form does store.

Talking to gunicorn directly is the hard case: nginx (deploy/nginx) reads the
whole body before passing a request on, so behind it a cut-off post never
reaches Django at all.

    .venv/bin/python scripts/fault_client_abort.py

Exit status 1 if any cut-off post left a row or a card photo (rows in
admissions_cardphoto since issue 14), or the complete one was not stored
exactly once with its two photos.
"""

import argparse
import io
import random
import socket
import sys
import time

from harness import client, database, site
from harness.client import INSURANCE, INSURANCE_THANKS
from harness.process import Group


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--photo-kb", type=int, default=600, help="size of each card photo (default 600 KB)")
    parser.add_argument("--port", type=int, default=8804)
    options = parser.parse_args(argv)
    return run(options)


def photo(kb: int, seed: int) -> bytes:
    """A JPEG of about `kb` kilobytes (noise does not compress)."""
    from PIL import Image

    side = int((kb * 1024 / 1.2) ** 0.5 / 1.7)
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (side, side), bytes(rng.getrandbits(8) for _ in range(side * side * 3)))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95)
    return out.getvalue()


def multipart(fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str, dict]:
    """The body, its boundary, and where each part starts (for cut points)."""
    boundary = "----sheerfleet" + client.run_id()
    out = io.BytesIO()
    where = {}
    for name, value in fields:
        where.setdefault(name, out.tell())
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, filename, data in files:
        where[name] = out.tell()
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: image/jpeg\r\n\r\n".encode()
        )
        where[name + ":data"] = out.tell()
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), boundary, where


def insurance_answers(marker: str, carrier_id: str) -> list[tuple[str, str]]:
    return [
        ("utm_campaign", marker),
        ("first_name", client.name_for(marker)),
        ("last_name", "Fleet"),
        ("date_of_birth", "04/27/1985"),
        ("phone", ""),
        ("email", f"{marker.lower()}@example.com"),
        ("state", "CA"),
        ("carrier", carrier_id),
        ("carrier_other", ""),
        ("member_id", "W123456789"),
        ("group_number", "GRP-001"),
        ("policy_holder", "patient"),
        ("benefits_authorization", "on"),
        ("website", ""),
    ]


def send(port: int, browser: client.Browser, body: bytes, boundary: str, cut: int | None) -> str:
    """Send the post; with `cut`, only body[:cut] and then close the socket."""
    csrf = browser.csrf()
    head = (
        f"POST {INSURANCE} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n"
        f"Origin: https://127.0.0.1\r\nReferer: https://127.0.0.1{INSURANCE}\r\n"
        f"Cookie: __Host-csrftoken={csrf}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head + (body if cut is None else body[:cut]))
        if cut is not None:
            sock.shutdown(socket.SHUT_WR)  # the client is gone mid-body
            sock.settimeout(10)
            try:
                reply = sock.recv(200)
            except (TimeoutError, ConnectionError):
                reply = b""
            return reply.split(b"\r\n", 1)[0].decode(errors="replace") or "(connection closed)"
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
        return reply.split(b"\r\n", 1)[0].decode(errors="replace") + (
            " -> thank-you" if f"Location: {INSURANCE_THANKS}".encode() in reply else ""
        )


def run(options) -> int:
    with Group("abort") as group:
        url = database.scratch(group, "sheer_h8_abort")
        site.serve_fleet(group, url, options.port, workers=1, threads=4)
        carrier_id = database.psql(
            url, "SELECT id FROM admissions_insurancecarrier WHERE active ORDER BY id LIMIT 1"
        )
        front, back = photo(options.photo_kb, 1), photo(options.photo_kb, 2)
        run_id = client.run_id()

        def post(n: int, cut_at) -> tuple[int, int, str]:
            browser = client.Browser(options.port)
            fields = [*browser.form(INSURANCE), *insurance_answers(f"{run_id}x{n}", carrier_id)]
            fields.append(("csrfmiddlewaretoken", browser.csrf()))
            body, boundary, where = multipart(
                fields, [("card_front", "front.jpg", front), ("card_back", "back.jpg", back)]
            )
            cut = cut_at(body, where) if cut_at else None
            return cut or len(body), len(body), send(options.port, browser, body, boundary, cut)

        cuts = {
            "inside the text fields": lambda body, where: where["member_id"] + 20,
            "after the fields, before the photos": lambda body, where: where["card_front"],
            "inside the front photo": lambda body, where: where["card_front:data"] + len(front) // 2,
            "inside the back photo": lambda body, where: where["card_back:data"] + len(back) // 2,
            "at the photo's end, no closing boundary": lambda body, where: len(body) - len(b"--\r\n") - 60,
            "one byte short": lambda body, where: len(body) - 1,
        }
        print()
        print(
            f"fault: form posts cut off by the client (photos {len(front) // 1024} + {len(back) // 1024} KB)"
        )
        for n, (label, cut_at) in enumerate(cuts.items()):
            sent, total, reply = post(n, cut_at)
            print(f"  cut {label:<40} {sent:>8} of {total} bytes: {reply}")
        time.sleep(1.0)  # let any request still being handled finish
        rows_after_cuts = stored(url, run_id)
        photos_after_cuts = database.count(url, "admissions_cardphoto")

        sent, total, reply = post(len(cuts), None)
        rows = stored(url, run_id)
        photos = database.count(url, "admissions_cardphoto")
        complete = f"{run_id}x{len(cuts)}"
        print(f"  complete post                                     {total:>8} bytes: {reply}")
        print(
            f"  rows from cut-off posts        {sum(v for k, v in rows_after_cuts.items() if k != complete)}"
        )
        print(f"  photos from cut-off posts      {photos_after_cuts}")
        print(f"  rows from the complete post    {rows.get(complete, 0)}")
        print(f"  photos after the complete post {photos}")
        healthy = client.http_status(options.port, "/readyz") == 200
        print(f"  server still ready             {healthy}")
        failed = rows_after_cuts or photos_after_cuts or rows != {complete: 1} or photos != 2 or not healthy
        return group.result(bool(failed), tail=30)


def stored(url: str, run_id: str) -> dict[str, int]:
    """Insurance-verification rows per marker (sent as the campaign)."""
    return database.count_by_marker(url, "admissions_insuranceverification", run_id)


if __name__ == "__main__":
    sys.exit(main())
