"""Spanish content (issue 13): a row per language linked to its English
original, each published on its own; no English text under a Spanish address."""

import json
import xml.etree.ElementTree as ET  # noqa: S405 - parsing our own sitemap output

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs import content_cache, drafts, translations
from programs.models import LevelOfCare, Page, Person, PublicationStatus, Service

from .html_parts import parse

pytestmark = pytest.mark.django_db

SITE_URL = "https://www.example.test"
IOP = "/programs/intensive-outpatient-program/"
IOP_ES = "/es/programas/programa-intensivo/"
ABOUT = "/about/"


def _fresh_spanish(original, slug, *, publish, name=None):
    """original's Spanish version made as the admin makes it, with its own slug."""
    original.translations.all().delete()  # the demo's own Spanish version, if loaded
    copy, _left_out = translations.create_translation(original, "es")
    copy.slug = slug
    if name:
        copy.name = name
    copy.save()
    if publish:
        copy = drafts.publish(copy)
    return copy


@pytest.fixture
def iop(demo_content):
    return LevelOfCare.objects.get(language="en", slug="intensive-outpatient-program")


@pytest.fixture
def iop_es_draft(iop):
    return _fresh_spanish(iop, "programa-intensivo", publish=False, name="Programa intensivo")


@pytest.fixture
def iop_es(iop):
    return _fresh_spanish(iop, "programa-intensivo", publish=True, name="Programa intensivo")


def hreflangs(html):
    return {el.attrs["hreflang"]: el.attrs["href"] for el in parse(html).find_all("link", rel="alternate")}


def switch_links(html):
    parts = parse(html)
    return [el for el in parts.elements if el.tag == "a" and "hreflang" in el.attrs]


def json_ld(html):
    return [json.loads(el.text) for el in parse(html).find_all("script", type="application/ld+json")]


def test_an_unpublished_spanish_page_is_404_and_its_english_page_does_not_name_it(client, iop_es_draft):
    assert client.get(IOP_ES).status_code == 404
    response = client.get(IOP)
    assert response.status_code == 200
    html = response.content.decode()
    assert "es" not in hreflangs(html)
    (switch,) = switch_links(html)
    assert switch.attrs["href"] == "/es/"  # the Spanish home page, saying this page is missing
    assert "no está en español" in switch.text.lower() or "todavía" in switch.text.lower()


def test_a_published_pair_names_each_other(client, iop_es):
    english, spanish = client.get(IOP).content.decode(), client.get(IOP_ES).content.decode()
    expected = {"en": SITE_URL + IOP, "es": SITE_URL + IOP_ES, "x-default": SITE_URL + IOP}
    assert hreflangs(english) == expected
    assert hreflangs(spanish) == expected
    assert [a.attrs["href"] for a in switch_links(english)] == [IOP_ES]
    assert [a.attrs["href"] for a in switch_links(spanish)] == [IOP]
    assert '<html lang="es">' in spanish


def test_a_spanish_draft_never_shows_publicly(client, iop_es):
    drafts.save_draft(iop_es, {**drafts.live_copy(iop_es), "summary": "Borrador secreto."}, user=None)
    html = client.get(IOP_ES).content.decode()
    assert "Borrador secreto" not in html
    assert iop_es.summary in html


def test_the_spanish_page_is_not_shown_under_the_english_address_nor_the_reverse(client, iop_es):
    assert client.get("/programs/programa-intensivo/").status_code == 404
    assert client.get("/es/programas/intensive-outpatient-program/").status_code == 404


def test_slugs_are_unique_per_language(iop_es):
    english_about = Page.objects.get(language="en", slug="about")
    # The same slug in another language is allowed …
    Page.objects.filter(translation_of=english_about).delete()
    Page.objects.create(
        language="es", translation_of=english_about, title="Sobre nosotros", slug="about", summary="x"
    )
    # … twice in one language it is not.
    with pytest.raises(IntegrityError), transaction.atomic():
        Page.objects.create(title="Another", slug="privacy", summary="x")
    # Nor two Spanish versions of one original, nor a Spanish row without one.
    with pytest.raises(IntegrityError), transaction.atomic():
        Page.objects.create(language="es", translation_of=english_about, title="Otra", slug="otra")
    with pytest.raises(IntegrityError), transaction.atomic():
        Page.objects.create(language="es", title="Huérfana", slug="huerfana")


def test_publishing_with_the_placeholder_slug_is_refused(iop):
    from django.core.exceptions import ValidationError

    iop.translations.all().delete()
    copy, _left_out = translations.create_translation(iop, "es")
    assert copy.slug == "intensive-outpatient-program-es"
    copy.status = PublicationStatus.PUBLISHED
    with pytest.raises(ValidationError) as caught:
        copy.full_clean()
    assert "slug" in caught.value.message_dict


def sitemap(client):
    root = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314 - our own output
    ns = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}
    return {
        url.find("sm:loc", ns).text: {
            link.get("hreflang"): link.get("href") for link in url.findall("xhtml:link", ns)
        }
        for url in root.findall("sm:url", ns)
    }


def test_sitemap_alternates_are_reciprocal_and_name_only_published_versions(client, iop_es):
    urls = sitemap(client)
    expected = {"en": SITE_URL + IOP, "es": SITE_URL + IOP_ES, "x-default": SITE_URL + IOP}
    assert urls[SITE_URL + IOP] == expected
    assert urls[SITE_URL + IOP_ES] == expected
    assert urls[SITE_URL + "/es/equipo/"] == {
        "en": SITE_URL + "/team/",
        "es": SITE_URL + "/es/equipo/",
        "x-default": SITE_URL + "/team/",
    }
    for location, alternates in urls.items():
        for code, href in alternates.items():
            if code != "x-default":
                assert urls[href] == alternates, (location, href)  # each names the other the same way

    drafts.unpublish(iop_es)
    content_cache.clear()
    urls = sitemap(client)
    assert SITE_URL + IOP_ES not in urls
    assert "es" not in urls[SITE_URL + IOP]


def test_spanish_pages_say_in_language_es_in_structured_data(client, iop_es):
    blocks = json_ld(client.get(IOP_ES).content.decode())
    (page,) = [b for b in blocks if b["@type"] == "MedicalWebPage"]
    assert page["inLanguage"] == "es"
    assert page["name"] == iop_es.title and page["url"] == SITE_URL + IOP_ES
    (crumbs,) = [b for b in blocks if b["@type"] == "BreadcrumbList"]
    assert [item["name"] for item in crumbs["itemListElement"]][:2] == ["Inicio", "Programas"]
    assert crumbs["itemListElement"][1]["item"] == SITE_URL + "/es/programas/"
    english = json_ld(client.get(IOP).content.decode())
    assert [b["inLanguage"] for b in english if b["@type"] == "MedicalWebPage"] == ["en"]


def test_the_preview_of_a_spanish_row_is_in_spanish(admin_client, iop_es_draft):
    for url in [
        reverse("programs:preview_program", kwargs={"pk": iop_es_draft.pk}),
        iop_es_draft.reverse_in_language("programs:preview_program", pk=iop_es_draft.pk),
    ]:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="es">' in html and response["Content-Language"] == "es"
        assert parse(html).link("canonical") == SITE_URL + IOP_ES
    assert iop_es_draft.reverse_in_language("programs:preview_program", pk=1).startswith("/es/preview/")


def test_add_the_spanish_version_creates_an_unpublished_copy(admin_client, iop):
    LevelOfCare.objects.filter(translation_of=iop).delete()
    family_es = Service.objects.filter(language="es").first()
    url = reverse("admin:programs_levelofcare_translate", args=[iop.pk, "es"])
    change = admin_client.get(reverse("admin:programs_levelofcare_change", args=[iop.pk])).content.decode()
    assert url in change and "not yet written" in change

    assert admin_client.get(url).status_code == 200  # asks first
    assert not LevelOfCare.objects.filter(translation_of=iop).exists()
    response = admin_client.post(url)

    copy = LevelOfCare.objects.get(translation_of=iop)
    assert response.status_code == 302 and response["Location"].endswith(f"/{copy.pk}/change/")
    assert copy.language == "es" and copy.status == PublicationStatus.DRAFT
    assert copy.slug == "intensive-outpatient-program-es"
    assert copy.reviewed_on is None
    assert [f.question for f in copy.faqs.all()] == [f.question for f in iop.faqs.all()]
    assert all(service.language == "es" for service in copy.services.all())
    if family_es is not None and family_es.translation_of in iop.services.all():
        assert family_es in copy.services.all()
    assert admin_client.get(copy.get_absolute_url()).status_code == 404

    change = admin_client.get(reverse("admin:programs_levelofcare_change", args=[copy.pk])).content.decode()
    assert "draft (not on the site)" in change
    # Its own history from the start, and the services offered are Spanish only.
    assert admin_client.get(reverse("admin:programs_levelofcare_history", args=[copy.pk])).status_code == 200
    english_service = iop.services.first()
    assert f'value="{english_service.pk}"' not in change.split('name="services"')[1].split("</select>")[0]


def test_query_counts_are_the_same_for_spanish_pages(client, iop_es):
    def count(url):
        client.get(url)
        content_cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assert count(IOP_ES) == count(IOP)
    assert count("/es/") == count("/")
    assert count("/es/programas/") == count("/programs/")


def test_the_content_memo_keeps_languages_apart(client, iop_es):
    spanish = client.get(IOP_ES).content.decode()
    english = client.get(IOP).content.decode()  # the same worker, memo warm
    assert '<html lang="en">' in english and iop_es.name not in english
    assert '<html lang="es">' in spanish and "Programa intensivo" in spanish
    # The lists too: the English home page lists no Spanish program after the Spanish one was served.
    client.get("/es/")
    assert "Programa intensivo" not in client.get("/").content.decode()
    assert "Programa intensivo" in client.get("/es/").content.decode()


def test_team_shows_spanish_text_or_marks_english(client, demo_content):
    person = Person.objects.filter(active=True).first()
    person.role_es, person.bio_es = "Directora clínica", ""
    person.save()
    html = client.get("/es/equipo/").content.decode()
    assert "Directora clínica" in html
    bios = [el for el in parse(html).elements if el.tag == "p" and el.text.strip() == person.bio]
    assert bios and all(el.attrs.get("lang") == "en" for el in bios)


def test_a_plain_page_pair_names_each_other_and_keeps_its_role(client, demo_content):
    about = Page.objects.get(language="en", slug="about")
    spanish = _fresh_spanish(about, "quienes-somos", publish=True)
    html = client.get("/es/quienes-somos/").content.decode()
    expected = {"en": SITE_URL + ABOUT, "es": SITE_URL + "/es/quienes-somos/", "x-default": SITE_URL + ABOUT}
    assert hreflangs(html) == expected == hreflangs(client.get(ABOUT).content.decode())
    (page_ld,) = [b for b in json_ld(html) if b["@type"] == "WebPage"]
    assert page_ld["inLanguage"] == "es" and page_ld["name"] == spanish.title
    # In the Spanish header with its English original (chosen by the original's slug).
    header = html.split('class="site-nav"')[1].split("</ul>")[0]
    assert 'href="/es/quienes-somos/"' in header
