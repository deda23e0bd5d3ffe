"""Issue 14: two app hosts on one database, each with its own (empty) private
media directory. A person sends the insurance form with both card photos to
host A; a coordinator signed in with password and authenticator code on host
B opens them through the staff card view and gets the same pictures, and the
look is in the audit trail. Neither host writes a file: the photos are sealed
rows in PostgreSQL (admissions.models.card_photos).

Production settings, gunicorn as deploy/systemd runs it (scripts/harness)."""

import io
import re
import sys
import time
from pathlib import Path

from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from django_otp.oath import TOTP
from PIL import Image, ImageStat

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from harness import client, database, site  # noqa: E402
from harness.process import Group  # noqa: E402

PORT_A, PORT_B = 8611, 8612
PASSWORD = "a-long-staff-passphrase-for-the-fleet"
# A coordinator with a confirmed authenticator; prints the key the app would hold.
MAKE_COORDINATOR = f"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from admissions.access.models import AuthenticatorApp
user = get_user_model().objects.create_user(username="casey", password="{PASSWORD}", is_staff=True)
user.groups.set(Group.objects.filter(name="Admissions coordinator"))
print("KEY", AuthenticatorApp.objects.create(user=user, name="Phone", confirmed=True).key)
"""
COLOURS = {"front": (20, 40, 120), "back": (0, 128, 128)}


def card(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 400), colour).save(out, "JPEG", quality=95)
    return out.getvalue()


def send_insurance_form(port: int, marker: str, carrier_id: str) -> tuple[int, str]:
    browser = client.Browser(port)
    fields = dict(browser.form(client.INSURANCE))
    fields.update(
        utm_campaign=marker,
        first_name=client.name_for(marker),
        last_name="Fleet",
        date_of_birth="04/27/1985",
        email=f"{marker.lower()}@example.com",
        state="CA",
        carrier=carrier_id,
        member_id="W123456789",
        policy_holder="patient",
        benefits_authorization="on",
        website="",
        csrfmiddlewaretoken=browser.csrf(),
    )
    for side, colour in COLOURS.items():
        photo = io.BytesIO(card(colour))
        photo.name = f"IMG_{side}.jpg"
        fields[f"card_{side}"] = photo
    status, headers, _ = browser.request(
        "POST", client.INSURANCE, encode_multipart(BOUNDARY, fields), {"Content-Type": MULTIPART_CONTENT}
    )
    return status, headers.get("location", "")


def staff_sign_in(port: int, key_hex: str) -> client.Browser:
    """Password on the admin login page, then the authenticator's code."""
    browser = client.Browser(port)
    login = reverse("admin:login")
    status, _, _ = browser.request("GET", login)
    assert status == 200
    form = {"username": "casey", "password": PASSWORD, "next": reverse("admin:index")}
    status, headers, _ = browser.post(login, list(form.items()))
    assert status == 302 and headers["location"] == reverse("admin:index"), (status, headers)
    # Half signed in: the admin sends the password-only session to the code page.
    status, headers, _ = browser.request("GET", headers["location"])
    assert status == 302 and headers["location"].startswith(reverse("mfa:verify")), (status, headers)
    status, _, body = browser.request("GET", headers["location"])
    assert status == 200 and 'name="token"' in body.decode()
    totp = TOTP(bytes.fromhex(key_hex), step=30, t0=0, digits=6, drift=0)
    totp.time = time.time()
    status, headers, _ = browser.post(reverse("mfa:verify"), [("token", f"{totp.token():06d}")])
    assert status == 302 and headers["location"] == reverse("admin:index"), (status, headers)
    return browser


def test_a_photo_sent_to_one_host_is_shown_by_the_other():
    with Group("two_hosts") as group:
        url = database.scratch(group, "sheer_h2_two_hosts")
        env = site.fleet_env(url)
        site.prepare(env)
        key_hex = re.search(r"KEY ([0-9a-f]+)", site.manage(env, "shell", "-c", MAKE_COORDINATOR).stdout)[1]
        disks = {}
        for name, port in (("a", PORT_A), ("b", PORT_B)):
            disks[name] = group.work / f"private-{name}"
            disks[name].mkdir()
            site.gunicorn(group, {**env, "DJANGO_PRIVATE_MEDIA_ROOT": str(disks[name])}, port, workers=1)
        carrier_id = database.psql(
            url, "SELECT id FROM admissions_insurancecarrier WHERE active ORDER BY id LIMIT 1"
        )

        marker = client.run_id()
        assert send_insurance_form(PORT_A, marker, carrier_id) == (303, client.INSURANCE_THANKS)
        submission_id = database.psql(
            url,
            f"SELECT id FROM admissions_insuranceverification WHERE utm_campaign = '{marker}'",  # noqa: S608
        )
        assert database.count(url, "admissions_cardphoto") == 2
        sealed_heads = database.psql(
            url, "SELECT encode(substring(sealed from 1 for 11), 'escape') FROM admissions_cardphoto"
        )
        assert sealed_heads.split() == ["phi1.test1.", "phi1.test1."]

        coordinator = staff_sign_in(PORT_B, key_hex)
        shown = {}
        for side, colour in COLOURS.items():
            path = reverse("admin:admissions_lead_card", args=[int(submission_id), side])
            status, headers, body = coordinator.request("GET", path)
            assert status == 200, (side, status)
            assert headers["content-type"] == "image/jpeg" and "no-store" in headers["cache-control"]
            image = Image.open(io.BytesIO(body))
            assert image.format == "JPEG" and image.size == (640, 400) and not image.getexif()
            mean = ImageStat.Stat(image).mean
            assert all(abs(got - want) <= 3 for got, want in zip(mean, colour, strict=True)), (side, mean)
            shown[side] = body
        assert shown["front"] != shown["back"]

        # Without signing in, host A shows nothing; nobody ever wrote a file.
        status, headers, _ = client.Browser(PORT_A).request(
            "GET", reverse("admin:admissions_lead_card", args=[int(submission_id), "front"])
        )
        assert status == 302 and headers["location"].startswith(reverse("admin:login"))
        assert [p for disk in disks.values() for p in disk.rglob("*")] == []
        downloads = database.psql(
            url, "SELECT detail FROM admissions_auditevent WHERE action = 'download' ORDER BY id"
        )
        assert downloads.split() == ["card_front", "card_back"], downloads
