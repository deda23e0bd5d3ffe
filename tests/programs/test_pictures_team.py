"""Issue 12: pictures as responsive renditions, the clinical team and review
dates, structured data, and a unique title on every public page."""

import datetime
import io
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from programs import renditions
from programs.models import LevelOfCare, Person, Picture, SiteFacts, review_due_before

pytestmark = pytest.mark.django_db

PUBLIC = [
    "/", "/programs/", "/levels-of-care/", "/team/",
    "/programs/intensive-outpatient-program/", "/programs/partial-hospitalization-program/",
    "/programs/outpatient-program/", "/about/", "/insurance/", "/sober-living/", "/privacy/",
    "/accessibility/", "/no-tracking/", "/licensing/",
    "/admissions/consultation/", "/admissions/verify-insurance/",
]  # fmt: skip


@pytest.fixture(autouse=True)
def media(settings, tmp_path_factory):
    # One folder for the whole run: renditions of the same bytes are reused.
    settings.MEDIA_ROOT = str(tmp_path_factory.getbasetemp() / "media")


def _jpeg_with_exif(size=(2000, 1000)):
    img = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"  # Make
    exif[0x8825] = {2: (33.0, 36.0, 0.0)}  # GPS
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _picture(**kwargs):
    pic = Picture(kind="facility", title="Test", alt_text="A test picture", **kwargs)
    pic.file.save("test.jpg", ContentFile(_jpeg_with_exif()), save=False)
    pic.save()
    return pic


def test_renditions_are_made_on_save_in_every_format_and_width_without_exif():
    pic = _picture()
    made = renditions.plan(pic, "wide")
    assert {r.ext for r in made} == {"avif", "webp", "jpg"}
    assert sorted({r.width for r in made}) == [480, 800, 1200]  # 1600 would upscale the 1500 px crop
    for item in made:
        with Image.open(renditions.default_storage.open(item.name)) as img:
            assert img.format == {"avif": "AVIF", "webp": "WEBP", "jpg": "JPEG"}[item.ext]
            assert img.size == (item.width, item.height)
            assert abs(item.width * 2 - item.height * 3) <= 3  # 3:2, give or take rounding
            assert not img.getexif(), f"{item.name} keeps EXIF"
            assert "exif" not in img.info and "xmp" not in img.info
        assert b"SecretCameraMaker" not in renditions.default_storage.open(item.name).read()


def test_the_focal_point_decides_the_crop():
    left = renditions.focal_crop(Image.new("RGB", (300, 100)), "square", 0, 50)
    assert left.size == (100, 100)
    box = {}
    for x in (0, 50, 100):
        probe = Image.new("L", (300, 100))
        probe.putpixel((0, 0), 255)
        box[x] = renditions.focal_crop(probe, "square", x, 50).getpixel((0, 0))
    assert box == {0: 255, 50: 0, 100: 0}


def test_a_missing_rendition_is_made_on_first_request_and_cached_for_a_year(client):
    pic = _picture(focal_x=30)
    item = renditions.plan(pic, "wide")[0]
    renditions.default_storage.delete(item.name)
    response = client.get(item.url)
    assert response.status_code == 200
    assert response["Content-Type"] == item.mime
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert renditions.default_storage.exists(item.name)
    assert client.get(item.url.replace(pic.rendition_key, "0" * 12)).status_code == 404


def test_picture_needs_a_description_or_the_decorative_tick():
    pic = Picture(kind="team", title="x")
    with pytest.raises(ValidationError) as excinfo:
        pic.clean()
    assert "alt_text" in excinfo.value.message_dict
    pic.decorative = True
    pic.clean()
    assert pic.alt == ""
    pic.alt_text = "Both"
    with pytest.raises(ValidationError):
        pic.clean()


def test_hero_is_eager_with_fetchpriority_and_team_photos_lazy(client, demo_content):
    html = client.get("/programs/intensive-outpatient-program/").content.decode()
    imgs = re.findall(r"<img [^>]+>", html)
    pictures = [tag for tag in imgs if "/media/renditions/" in tag]
    assert pictures, "no responsive picture on the program page"
    hero, rest = pictures[0], pictures[1:]
    assert 'fetchpriority="high"' in hero and 'loading="eager"' in hero
    for tag in pictures:
        assert re.search(r'width="\d+"', tag) and re.search(r'height="\d+"', tag)
        assert "srcset=" in tag and "sizes=" in tag
    assert rest and all('loading="lazy"' in tag for tag in rest)
    assert html.count('type="image/avif"') == len(pictures) and html.count('type="image/webp"') == len(
        pictures
    )


def test_program_page_shows_team_and_review(client, demo_content):
    html = client.get("/programs/intensive-outpatient-program/").content.decode()
    level = LevelOfCare.objects.get(slug="intensive-outpatient-program")
    assert "Clinically reviewed by" in html and level.reviewed_by.name in html
    assert level.reviewed_on.isoformat() in html
    for member in level.team.all():
        assert member.name in html
    assert "?program=intensive-outpatient-program" in html
    assert '<details class="faq">' in html
    assert "ASAM level 2.1" in html


def test_reviews_older_than_twelve_months_are_overdue():
    today = datetime.date(2026, 3, 31)
    assert review_due_before(today) == datetime.date(2025, 3, 31)
    assert review_due_before(datetime.date(2028, 2, 29)) == datetime.date(2027, 2, 28)
    level = LevelOfCare(reviewed_on=timezone.localdate() - datetime.timedelta(days=400))
    assert level.review_is_overdue
    level.reviewed_on = timezone.localdate() - datetime.timedelta(days=30)
    assert not level.review_is_overdue
    assert LevelOfCare(reviewed_on=None).review_is_overdue


def test_admin_flags_overdue_reviews(admin_client, demo_content):
    LevelOfCare.objects.filter(slug="outpatient-program").update(reviewed_on=datetime.date(2020, 1, 1))
    html = admin_client.get("/admin/programs/levelofcare/?review=overdue").content.decode()
    assert "Overdue: last reviewed 2020-01-01" in html
    assert "Intensive Outpatient Program" not in html.split("result_list")[-1]


def _ld(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    items = []
    for block in blocks:
        data = json.loads(block)
        items += data if isinstance(data, list) else [data]
    return items


def test_person_json_ld_on_team_page(client, demo_content):
    people = [item for item in _ld(client.get("/team/").content.decode()) if item["@type"] == "Person"]
    assert len(people) == Person.objects.filter(active=True).count()
    first = people[0]
    assert first["@context"] == "https://schema.org"
    assert first["name"] and first["jobTitle"] and first["worksFor"]["@id"].endswith("/#organization")
    assert first["hasCredential"]["identifier"] and first["hasCredential"]["url"].startswith("https://")
    assert first["image"].startswith("https://www.example.test/media/renditions/")


def test_medical_clinic_has_geo_and_same_as_only_when_set(client, demo_content):
    clinic = next(i for i in _ld(client.get("/").content.decode()) if i["@type"] == "MedicalClinic")
    assert "geo" not in clinic and "sameAs" not in clinic
    SiteFacts.objects.filter(pk=1).update(
        latitude="33.615000", longitude="-117.875000", same_as="https://example.org/sheer\n"
    )
    from programs import content_cache

    content_cache.clear()
    content_cache._set_new_version()
    clinic = next(i for i in _ld(client.get("/").content.decode()) if i["@type"] == "MedicalClinic")
    assert clinic["geo"] == {"@type": "GeoCoordinates", "latitude": 33.615, "longitude": -117.875}
    assert clinic["sameAs"] == ["https://example.org/sheer"]


def test_every_public_page_has_a_unique_non_empty_title_and_og_title(client, demo_content):
    titles, og_titles = {}, {}
    for url in PUBLIC:
        html = client.get(url).content.decode()
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()
        og = re.search(r'<meta property="og:title" content="([^"]*)"', html).group(1).strip()
        assert title and not title.startswith("|"), url
        assert og and og != "Sheer Recovery", url
        titles.setdefault(title, []).append(url)
        og_titles.setdefault(og, []).append(url)
    assert all(len(urls) == 1 for urls in titles.values()), titles
    assert all(len(urls) == 1 for urls in og_titles.values()), og_titles


def test_insurance_page_lists_the_payer_directory_and_says_what_is_not_accepted(client, demo_content):
    from admissions.eligibility.payers import PAYERS

    html = client.get("/insurance/").content.decode()
    for payer in PAYERS:
        assert payer.display_name.replace("&", "&amp;") in html
    assert "Medi-Cal" in html and "Medicare" in html and "not able to accept" in html
    assert "/admissions/verify-insurance/" in html and "Good Faith Estimate" in html


@pytest.mark.parametrize("url", ["/admissions/consultation/", "/admissions/verify-insurance/"])
def test_forms_carry_the_good_faith_estimate_and_no_repeated_footer_link(client, demo_content, url):
    html = client.get(url).content.decode()
    assert "Good Faith Estimate" in html
    own = 'href="' + url + '"'
    assert own not in html.split('class="cta-band"')[-1].split("</section>")[0]


def test_a_program_link_preselects_it_in_the_consultation_form(client, demo_content):
    level = LevelOfCare.objects.get(slug="intensive-outpatient-program")
    html = client.get("/admissions/consultation/?program=intensive-outpatient-program").content.decode()
    assert f'<option value="{level.pk}" selected>' in html
    unknown = client.get("/admissions/consultation/?program=nope").content.decode()
    assert not re.search(r'<option value="\d+" selected>', unknown)
