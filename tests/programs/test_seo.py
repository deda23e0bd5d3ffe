"""What search engines and link previews read: titles, descriptions,
canonical and Open Graph tags, JSON-LD, the sitemap and robots.txt."""

import datetime
import json
import xml.etree.ElementTree as ET  # noqa: S405 - parsing our own sitemap output

import pytest
from django.conf import settings
from django.utils import timezone

from programs.models import FrequentlyAskedQuestion, LevelOfCare, License, Page, PublicationStatus, SiteFacts

from .html_parts import parse

pytestmark = pytest.mark.django_db

SITE_URL = "https://www.example.test"  # settings/test.py
STATIC_PUBLIC_URLS = ["/", "/programs/", "/levels-of-care/", "/team/"]
PROGRAM_URLS = [
    "/programs/intensive-outpatient-program/",
    "/programs/partial-hospitalization-program/",
    "/programs/outpatient-program/",
]
PAGE_URLS = [
    "/about/",
    "/insurance/",
    "/sober-living/",
    "/privacy/",
    "/accessibility/",
    "/no-tracking/",
    "/licensing/",
]
PUBLIC_URLS = STATIC_PUBLIC_URLS + PROGRAM_URLS + PAGE_URLS


def test_settings_site_url_is_the_one_these_tests_expect():
    assert settings.SITE_URL == SITE_URL


def test_the_public_url_list_covers_every_published_page(demo_content):
    published = [level.get_absolute_url() for level in LevelOfCare.objects.published().in_language("en")]
    published += [page.get_absolute_url() for page in Page.objects.published().in_language("en")]
    assert sorted(STATIC_PUBLIC_URLS + published) == sorted(PUBLIC_URLS)


def get_parts(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return parse(response.content.decode())


def json_ld(parts):
    blocks = []
    for script in parts.scripts():
        if script.attrs.get("type") == "application/ld+json":
            blocks.append(json.loads(script.text))
    return blocks


def of_type(blocks, type_):
    return [b for b in blocks if b.get("@type") == type_]


# Titles, descriptions, canonical, Open Graph


def test_titles_and_descriptions_are_unique_and_non_empty(client, demo_content):
    titles, descriptions = {}, {}
    for url in PUBLIC_URLS:
        parts = get_parts(client, url)
        title, description = parts.title, parts.meta(name="description")
        assert title and description.strip(), url
        assert len(title) <= 70, f"{url}: title is {len(title)} characters"
        assert 50 <= len(description) <= 160, f"{url}: description is {len(description)} characters"
        assert title not in titles, f"{url} repeats the title of {titles.get(title)}"
        assert description not in descriptions, (
            f"{url} repeats the description of {descriptions.get(description)}"
        )
        titles[title], descriptions[description] = url, url


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_canonical_and_open_graph_tags(client, demo_content, url):
    parts = get_parts(client, url)
    assert parts.link("canonical") == SITE_URL + url
    assert parts.meta(prop="og:url") == SITE_URL + url
    for prop in ["og:title", "og:description", "og:image", "og:type", "og:site_name"]:
        assert parts.meta(prop=prop).strip(), f"{prop} is empty on {url}"
    assert parts.meta(prop="og:image").startswith(SITE_URL + "/")
    assert not parts.find_all("meta", name="robots"), "public pages must be indexable"


def test_the_og_image_is_served(client, demo_content):
    image = get_parts(client, "/").meta(prop="og:image")
    response = client.get(image.removeprefix(SITE_URL))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"


def test_canonical_ignores_the_host_and_query_string_of_the_request(client, demo_content):
    response = client.get("/programs/?utm_source=ad", headers={"host": "localhost"})
    parts = parse(response.content.decode())
    assert parts.link("canonical") == SITE_URL + "/programs/"
    assert parts.meta(prop="og:url") == SITE_URL + "/programs/"


def test_program_seo_fields_override_the_defaults(client, demo_content):
    level = LevelOfCare.objects.get(slug="outpatient-program")
    level.seo_title = "Weekly outpatient therapy in Newport Beach"
    level.seo_description = "One or two sessions a week while you get back to everyday life."
    level.save()
    parts = get_parts(client, level.get_absolute_url())
    assert parts.title.startswith("Weekly outpatient therapy in Newport Beach")
    assert parts.meta(name="description") == level.seo_description
    assert parts.meta(prop="og:title") == level.seo_title
    assert parts.meta(prop="og:description") == level.seo_description


def test_a_program_photo_becomes_the_share_image(client, demo_content, settings, tmp_path):
    # The older direct upload; a picture from Pictures (issue 12) wins over it, so none here.
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "programs").mkdir()
    (tmp_path / "programs" / "iop.jpg").write_bytes(b"not read when rendering")
    LevelOfCare.objects.filter(slug="intensive-outpatient-program").update(
        hero_picture=None,
        image="programs/iop.jpg",
        image_alt="A therapy group",
        image_width=1200,
        image_height=630,
    )
    parts = get_parts(client, "/programs/intensive-outpatient-program/")
    assert parts.meta(prop="og:image") == SITE_URL + "/media/programs/iop.jpg"
    [img] = [el for el in parts.find_all("img") if el.attrs.get("src") == "/media/programs/iop.jpg"]
    assert (img.attrs["alt"], img.attrs["width"], img.attrs["height"]) == ("A therapy group", "1200", "630")


# JSON-LD


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_every_json_ld_block_parses_and_the_clinic_facts_are_right(client, demo_content, url):
    blocks = json_ld(get_parts(client, url))
    assert blocks, url
    for block in blocks:
        assert block["@context"] == "https://schema.org"
    [clinic] = of_type(blocks, "MedicalClinic")
    facts = SiteFacts.load()
    assert clinic["name"] == facts.name == "Sheer Recovery"
    assert clinic["telephone"] == facts.admissions_phone
    assert clinic["url"] == SITE_URL + "/"
    assert clinic["address"] == {
        "@type": "PostalAddress",
        "streetAddress": facts.street_address,
        "addressLocality": facts.locality,
        "addressRegion": "CA",
        "postalCode": facts.postal_code,
        "addressCountry": "US",
    }
    assert clinic["openingHours"] == "Mo-Su 00:00-23:59"


@pytest.mark.parametrize("url", [u for u in PUBLIC_URLS if u != "/"])
def test_breadcrumb_list_matches_the_visible_trail(client, demo_content, url):
    parts = get_parts(client, url)
    [crumbs] = of_type(json_ld(parts), "BreadcrumbList")
    items = crumbs["itemListElement"]
    assert [item["position"] for item in items] == list(range(1, len(items) + 1))
    assert all(item["@type"] == "ListItem" for item in items)

    trail = [el for el in parts.within("nav", aria_label="Breadcrumb") if el.tag == "li"]
    visible = []  # (name, absolute link or None) as a reader sees the trail
    for li in trail:
        links = [el for el in parts.inside(li) if el.tag == "a"]
        visible.append((li.text.strip(), SITE_URL + links[0].attrs["href"] if links else None))
    assert [item["name"] for item in items] == [name for name, _ in visible]
    # Every crumb but the current page is a link to the same absolute URL.
    assert [item["item"] for item in items[:-1]] == [href for _, href in visible[:-1]]
    assert items[0]["item"] == SITE_URL + "/"
    assert items[-1]["item"] == SITE_URL + url
    assert visible[-1][1] is None and trail[-1].attrs.get("aria-current") == "page"


def test_home_has_no_breadcrumbs(client, demo_content):
    parts = get_parts(client, "/")
    assert not of_type(json_ld(parts), "BreadcrumbList")
    assert not parts.find_all("nav", aria_label="Breadcrumb")


@pytest.mark.parametrize("url", PROGRAM_URLS)
def test_program_pages_with_faqs_carry_an_faq_page(client, demo_content, url):
    level = LevelOfCare.objects.get(slug=url.split("/")[2])
    faqs = list(level.faqs.all())
    assert faqs, f"the demo content should give {level.short_name} some FAQs"
    [faq_page] = of_type(json_ld(get_parts(client, url)), "FAQPage")
    assert [(q["@type"], q["name"], q["acceptedAnswer"]["text"]) for q in faq_page["mainEntity"]] == [
        ("Question", faq.question, faq.answer) for faq in faqs
    ]


def test_no_faq_page_without_faqs(client, demo_content):
    FrequentlyAskedQuestion.objects.filter(level_of_care__slug="outpatient-program").delete()
    assert not of_type(json_ld(get_parts(client, "/programs/outpatient-program/")), "FAQPage")
    for url in STATIC_PUBLIC_URLS + PAGE_URLS:
        assert not of_type(json_ld(get_parts(client, url)), "FAQPage"), url


BREAKOUT = "Yes.</script><script>alert(1)</script><!-- & --> ' \" \u2028 </SCRIPT >"


def test_stored_content_cannot_break_out_of_the_json_ld_script(client, demo_content):
    level = LevelOfCare.objects.get(slug="intensive-outpatient-program")
    FrequentlyAskedQuestion.objects.create(
        level_of_care=level, question="</script>?", answer=BREAKOUT, order=99
    )
    SiteFacts.objects.filter(pk=1).update(name="Sheer </script><script>alert(2)</script>")

    html = client.get(level.get_absolute_url()).content.decode()
    parts = parse(html)
    site_script = {"src": "/static/js/attribution.js", "defer": ""}  # the one file every page loads
    assert all(script.attrs in ({"type": "application/ld+json"}, site_script) for script in parts.scripts())
    blocks = json_ld(parts)
    [faq_page] = of_type(blocks, "FAQPage")
    assert faq_page["mainEntity"][-1]["acceptedAnswer"]["text"] == BREAKOUT
    assert faq_page["mainEntity"][-1]["name"] == "</script>?"
    assert of_type(blocks, "MedicalClinic")[0]["name"] == "Sheer </script><script>alert(2)</script>"
    # 4 JSON-LD blocks (the page itself since issue 13), one Person block per team member (issue 12) and the file
    people = level.team.filter(active=True).count()
    assert html.lower().count("<script") == len(parts.scripts()) == 5 + people


# Licences in the footer


def footer_text(parts):
    return " ".join(el.text for el in parts.within("footer") if el.tag == "li")


def test_current_licenses_show_in_the_footer_of_every_page_and_expired_ones_do_not(client, demo_content):
    today = timezone.localdate()
    License.objects.create(
        name="Expired certification",
        number="EXPIRED-1",
        expires_on=today - datetime.timedelta(days=1),
        verify_url="https://www.dhcs.ca.gov/expired",
    )
    License.objects.create(name="Last day today", number="TODAY-1", expires_on=today)
    current = License.objects.get(number="300000AP")

    for url in [*PUBLIC_URLS, "/no-such-page/"]:
        response = client.get(url)
        parts = parse(response.content.decode())
        text = footer_text(parts)
        assert current.number in text, url
        assert current.issuer in text, url
        assert current.expires_on.strftime("%B %-d, %Y") in text, url
        assert "TODAY-1" in text, url
        footer_links = [el.attrs.get("href") for el in parts.within("footer") if el.tag == "a"]
        assert current.verify_url in footer_links, url
        assert "EXPIRED-1" not in response.content.decode(), url
        assert "https://www.dhcs.ca.gov/expired" not in footer_links, url


def test_the_licensing_page_lists_current_licenses_only(client, demo_content):
    License.objects.create(name="Old", number="OLD-9", expires_on=datetime.date(2020, 1, 1))
    html = client.get("/licensing/").content.decode()
    parts = parse(html)
    items = [el.text for el in parts.within("article") if el.tag == "li"]
    assert [text for text in items if "300000AP" in text] == [
        "Outpatient treatment services: license #300000AP, issued by California Department of Health Care "
        "Services, valid through June 30, 2027 (verify license #300000AP)"
    ]
    assert "OLD-9" not in html


def test_the_licensing_page_says_what_to_do_when_no_license_is_current(client, demo_content):
    License.objects.update(expires_on=datetime.date(2020, 1, 1))
    parts = get_parts(client, "/licensing/")
    assert "Please call us for our current license details." in [el.text for el in parts.within("article")]


# Sitemap and robots.txt


def sitemap_locations(client, **headers):
    response = client.get("/sitemap.xml", headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    ns = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    return [loc.text for loc in root.findall("sm:url/sm:loc", ns)]


def test_sitemap_lists_exactly_the_published_pages_on_site_url(client, demo_content):
    LevelOfCare.objects.filter(slug="outpatient-program").update(status=PublicationStatus.DRAFT)
    Page.objects.filter(slug="privacy").update(status=PublicationStatus.DRAFT)
    Page.objects.create(title="Secret draft", slug="secret-draft")

    locations = sitemap_locations(client, host="localhost")

    expected = [*STATIC_PUBLIC_URLS, "/admissions/consultation/", "/admissions/verify-insurance/"]
    expected += [u for u in PROGRAM_URLS if u != "/programs/outpatient-program/"]
    expected += [u for u in PAGE_URLS if u != "/privacy/"]
    # Every fixed page in Spanish too, and whatever Spanish content is published.
    expected += ["/es/", "/es/programas/", "/es/niveles-de-atencion/", "/es/equipo/"]
    expected += ["/es/admisiones/consulta/", "/es/admisiones/verificar-seguro/"]
    expected += [obj.get_absolute_url() for obj in LevelOfCare.objects.published().in_language("es")]
    expected += [obj.get_absolute_url() for obj in Page.objects.published().in_language("es")]
    assert sorted(locations) == sorted(SITE_URL + u for u in expected)
    assert len(locations) == len(set(locations))


def test_every_sitemap_location_answers_200(client, demo_content):
    for location in sitemap_locations(client):
        assert client.get(location.removeprefix(SITE_URL)).status_code == 200, location


def test_sitemap_is_cacheable(client, demo_content):
    response = client.get("/sitemap.xml")
    assert "public" in response["Cache-Control"]
    assert not response.cookies


def test_robots_txt_points_to_the_sitemap_and_keeps_the_admin_path_private(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    lines = body.splitlines()
    assert f"Sitemap: {SITE_URL}/sitemap.xml" in lines
    assert "User-agent: *" in lines
    assert "Disallow: /preview/" in lines
    assert "Disallow: /admissions/thank-you/" in lines
    assert "Disallow: /es/preview/" in lines
    assert "Disallow: /es/admisiones/gracias/" in lines
    assert "Disallow: /" not in lines  # the public site stays crawlable
    assert settings.ADMIN_PATH.strip("/") not in body
    assert "admin" not in body.lower()
