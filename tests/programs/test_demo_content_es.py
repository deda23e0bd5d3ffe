"""The Spanish demo content (programs.demo_content_es, issue 13): one published
Spanish version of every demo level of care, service and page, linked to its
English original, with the same facts, loaded as idempotently as the English."""

import re

import pytest
from django.core.management import call_command

from programs.demo_content import load_demo_content
from programs.demo_content_es import (
    HOURS_ES,
    LEVELS_ES,
    PAGES_ES,
    SERVICES_ES,
    STRUCTURE_FROM_ENGLISH,
    TEAM_ES,
)
from programs.models import (
    FrequentlyAskedQuestion,
    LevelOfCare,
    Page,
    Person,
    PublicationStatus,
    Service,
    SiteFacts,
)

pytestmark = pytest.mark.django_db

LEVEL_TEXT = (
    "name",
    "summary",
    "who_it_fits",
    "fit_summary",
    "benefits",
    "typical_length",
    "body",
    "seo_title",
    "seo_description",
    "image_alt",
)
PAGE_TEXT = ("title", "menu_title", "summary", "body", "seo_title", "seo_description")
SPANISH_SLUGS = {
    "partial-hospitalization-program": "programa-de-hospitalizacion-parcial",
    "intensive-outpatient-program": "programa-intensivo-ambulatorio",
    "outpatient-program": "programa-ambulatorio",
    "about": "sobre-nosotros",
    "insurance": "seguro",
    "sober-living": "vivienda-sobria",
    "privacy": "privacidad",
    "accessibility": "accesibilidad",
    "no-tracking": "sin-rastreo",
    "licensing": "licencias",
}


def spanish(obj):
    """The one Spanish version of an English row."""
    return obj.translations.get(language="es")


def english_levels():
    return LevelOfCare.objects.filter(language="en").order_by("order")


def english_pages():
    return Page.objects.filter(language="en").order_by("order")


def snapshot():
    """Every content row, every column (updated_at included), and the links."""
    models = [LevelOfCare, Page, Service, FrequentlyAskedQuestion, Person, SiteFacts]
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in models}
    for through in (LevelOfCare.services.through, LevelOfCare.team.through):
        rows[through.__name__] = sorted(
            through.objects.values_list("levelofcare_id", through_target(through))
        )
    return rows


def through_target(through):
    return "service_id" if through is LevelOfCare.services.through else "person_id"


def test_loading_twice_creates_nothing_and_changes_nothing():
    from reversion.models import Version

    call_command("load_demo_content")
    first = snapshot()
    call_command("load_demo_content")

    assert snapshot() == first
    assert LevelOfCare.objects.filter(language="es").count() == 3
    assert Page.objects.filter(language="es").count() == 7
    assert Service.objects.filter(language="es").count() == 9
    assert FrequentlyAskedQuestion.objects.filter(level_of_care__language="es").count() == 10
    # The first load recorded each Spanish row once; the second wrote nothing.
    for obj in [*LevelOfCare.objects.filter(language="es"), *Page.objects.filter(language="es")]:
        assert Version.objects.get_for_object(obj).count() == 1, obj
        assert Version.objects.get_for_object(obj).get().revision.get_comment() == "Demo content loaded"


def test_loading_again_keeps_an_editors_spanish_changes_and_adds_what_is_missing():
    load_demo_content()
    level = LevelOfCare.objects.get(language="es", slug="programa-intensivo-ambulatorio")
    level.summary = "Un resumen escrito por un editor."
    level.save()
    Person.objects.filter(slug="kevin-tran").update(bio_es="Biografía escrita por un editor.")
    SiteFacts.objects.update(hours_es="Horario escrito por un editor")
    Service.objects.filter(language="es", slug="terapia-familiar").update(description="Editada a mano.")
    Page.objects.filter(language="es", slug="accesibilidad").delete()

    load_demo_content()

    level.refresh_from_db()
    assert level.summary == "Un resumen escrito por un editor."
    assert Person.objects.get(slug="kevin-tran").bio_es == "Biografía escrita por un editor."
    assert SiteFacts.load().hours_es == "Horario escrito por un editor"
    assert Service.objects.get(language="es", slug="terapia-familiar").description == "Editada a mano."
    page = Page.objects.get(language="es", slug="accesibilidad")
    assert page.is_published and page.translation_of == Page.objects.get(language="en", slug="accessibility")


def test_reset_restores_the_spanish_demo_text_on_the_same_rows():
    load_demo_content()
    level = LevelOfCare.objects.get(language="es", slug="programa-intensivo-ambulatorio")
    faq_ids = list(level.faqs.values_list("pk", flat=True))
    LevelOfCare.objects.filter(pk=level.pk).update(
        summary="Editado", body="Editado", status=PublicationStatus.DRAFT, draft={"summary": "Borrador"}
    )
    level.faqs.filter(order=0).update(answer="Editada")
    FrequentlyAskedQuestion.objects.create(level_of_care=level, question="¿Otra?", answer="x", order=9)
    level.team.clear()
    Page.objects.filter(language="es", slug="privacidad").update(
        body="Editado", status=PublicationStatus.DRAFT
    )
    Service.objects.filter(language="es", slug="terapia-familiar").update(description="Editada")
    Person.objects.filter(slug="kevin-tran").update(role_es="Editado", bio_es="")
    SiteFacts.objects.update(hours_es="Editado")

    load_demo_content(reset=True)

    level.refresh_from_db()
    data = next(d for d in LEVELS_ES if d["slug"] == level.slug)
    assert (level.summary, level.body) == (data["summary"], data["body"])
    assert level.is_published and level.draft is None
    assert list(level.faqs.values_list("pk", flat=True)) == faq_ids
    assert list(level.faqs.values_list("question", "answer")) == data["faqs"]
    assert set(level.team.all()) == set(level.translation_of.team.all())
    page = Page.objects.get(language="es", slug="privacidad")
    assert page.is_published and page.body == next(d for d in PAGES_ES if d["slug"] == "privacidad")["body"]
    assert Service.objects.get(language="es", slug="terapia-familiar").description == next(
        s[3] for s in SERVICES_ES if s[1] == "terapia-familiar"
    )
    assert (Person.objects.get(slug="kevin-tran").role_es, Person.objects.get(slug="kevin-tran").bio_es) == (
        TEAM_ES["kevin-tran"]
    )
    assert SiteFacts.load().hours_es == HOURS_ES


def test_every_english_level_and_page_has_one_published_linked_spanish_version():
    load_demo_content()
    for original in [*english_levels(), *english_pages()]:
        versions = original.translations.filter(language="es")
        assert versions.count() == 1, original
        version = versions.get()
        assert version.status == PublicationStatus.PUBLISHED and version.draft is None, version
        assert version.slug == SPANISH_SLUGS[original.slug] != original.slug
        version.full_clean()
    assert english_levels().count() == 3 and english_pages().count() == 7
    assert not LevelOfCare.objects.filter(language="es", translation_of=None).exists()
    assert not Page.objects.filter(language="es", translation_of=None).exists()


def test_spanish_services_translate_the_english_ones_and_each_program_offers_the_same():
    load_demo_content()
    for service in Service.objects.filter(language="en"):
        version = spanish(service)
        assert (version.order, version.slug != service.slug, version.name != service.name) == (
            service.order,
            True,
            True,
        )
        version.full_clean()
    for original in english_levels():
        version = spanish(original)
        assert set(version.services.all()) == {spanish(s) for s in original.services.all()}
        assert not version.services.exclude(language="es").exists()


def test_the_spanish_versions_keep_the_english_facts():
    load_demo_content()
    for original in english_levels():
        version = spanish(original)
        for field in STRUCTURE_FROM_ENGLISH:
            assert getattr(version, field) == getattr(original, field), (version, field)
        assert version.hero_picture is not None  # the same picture, not a copy
        assert version.short_name == original.short_name
        assert set(version.team.all()) == set(original.team.all())
        assert len(version.criteria_list) == len(original.criteria_list)
        assert len(version.benefit_list) == len(original.benefit_list)
        assert version.faqs.count() == original.faqs.count()
        # Every number the English states (30 to 60 days, 12 steps, 24/7…), the Spanish states.
        for field in ("summary", "typical_length", "body", "seo_description"):
            assert numbers(getattr(version, field)) == numbers(getattr(original, field)), (version, field)
        assert body_shape(version.body) == body_shape(original.body), version
    for original in english_pages():
        version = spanish(original)
        assert (version.order, version.show_in_footer) == (original.order, original.show_in_footer)
        assert numbers(version.body) == numbers(original.body), version
        assert body_shape(version.body) == body_shape(original.body), version

    iop = LevelOfCare.objects.get(language="es", slug="programa-intensivo-ambulatorio")
    assert (iop.days_per_week, iop.hours_per_day, iop.asam_level) == ("3–5", "3–4", "2.1")
    assert "de tres a cinco días por semana" in iop.body and "de 30 a 60 días" in iop.body
    assert "entre el PHP y la atención ambulatoria regular" in iop.body
    assert "más cortas y menos frecuentes" in iop.body  # the sessions taper off
    assert "casas de vida sobria" in iop.body and "12 pasos" in iop.body
    privacy = Page.objects.get(language="es", slug="privacidad")
    for commitment in (
        "HIPAA",
        "42 CFR Part 2",
        "consentimiento por escrito",
        "Nunca la vendemos",
        "cookies",
    ):
        assert commitment in privacy.body, commitment
    accessibility = Page.objects.get(language="es", slug="accesibilidad")
    assert "(WCAG) 2.1, en el nivel AA" in accessibility.body and "llámenos" in accessibility.body


def numbers(text):
    return sorted(re.findall(r"\d+(?:\.\d+)?", text or ""))


def body_shape(body):
    """Headings and list items, counted: the same sections in both languages."""
    return (body.count("\n## ") + body.startswith("## "), body.count("\n- "))


def spanish_pairs():
    """(English text, Spanish text, where) for every text the Spanish demo writes."""
    pairs = []
    for original in english_levels():
        version = spanish(original)
        pairs += [(getattr(original, f), getattr(version, f), f"{version.slug}.{f}") for f in LEVEL_TEXT]
        for en_faq, es_faq in zip(original.faqs.all(), version.faqs.all(), strict=True):
            pairs += [(en_faq.question, es_faq.question, "faq"), (en_faq.answer, es_faq.answer, "faq")]
    for original in english_pages():
        version = spanish(original)
        pairs += [(getattr(original, f), getattr(version, f), f"{version.slug}.{f}") for f in PAGE_TEXT]
    for service in Service.objects.filter(language="en"):
        version = spanish(service)
        pairs += [(service.name, version.name, version.slug), (service.description, version.description, "")]
    for person in Person.objects.all():
        pairs += [(person.role, person.role_es, person.slug), (person.bio, person.bio_es, person.slug)]
    facts = SiteFacts.load()
    pairs.append((facts.hours, facts.hours_es, "hours"))
    return pairs


def test_no_spanish_text_is_a_copy_of_the_english_or_left_in_english():
    load_demo_content()
    pairs = spanish_pairs()
    assert len(pairs) > 100
    for english, text, where in pairs:
        # Blank in English (e.g. no SEO title: the name is used) may be blank in Spanish too.
        assert text.strip() or not english.strip(), where
        if english.strip():
            assert text != english, where
        padded = f" {text.lower()} "
        for word in (" the ", " and ", " your ", " you ", " with ", " for ", " is "):
            assert word not in padded, (where, word)
        # usted throughout, and no Spain-only words.
        assert not re.search(r"\b(tú|tu|tus|tienes|puedes|quieres|necesitas|vosotros|vuestr\w*)\b", padded), (
            where
        )
        assert not re.search(r"\b(ordenador|móvil|coger|vale)\b", padded), where


def test_spanish_program_and_pages_render_in_spanish(client):
    load_demo_content()
    response = client.get("/es/programas/programa-intensivo-ambulatorio/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="es"' in html
    assert "Programa Intensivo Ambulatorio" in html and "Un apoyo que dura más allá del programa" in html
    for page in Page.objects.filter(language="es"):
        response = client.get(page.get_absolute_url())
        assert response.status_code == 200, page.get_absolute_url()
        assert '<html lang="es"' in response.content.decode()
        assert page.title in response.content.decode().replace("&quot;", '"')
