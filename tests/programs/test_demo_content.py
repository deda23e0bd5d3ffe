import re

import pytest
from django.core.management import call_command

from programs.demo_content import LEVELS, PAGES, SERVICES, load_demo_content
from programs.models import (
    Accreditation,
    FrequentlyAskedQuestion,
    LevelOfCare,
    License,
    Page,
    Person,
    Picture,
    PublicationStatus,
    Service,
    SiteFacts,
)

pytestmark = pytest.mark.django_db

MODELS = [
    SiteFacts,
    Service,
    LevelOfCare,
    FrequentlyAskedQuestion,
    Page,
    License,
    Accreditation,
    Person,
    Picture,
]


TRANSLATED = {Service, LevelOfCare, Page}


def snapshot():
    """Counts of the English demo rows (the Spanish ones: test_demo_content_es.py), ids of all rows."""
    counts = {
        model.__name__: (
            model.objects.filter(language="en") if model in TRANSLATED else model.objects
        ).count()
        for model in MODELS
    }
    counts["FrequentlyAskedQuestion"] = FrequentlyAskedQuestion.objects.filter(
        level_of_care__language="en"
    ).count()
    counts["level-service links"] = LevelOfCare.services.through.objects.filter(
        levelofcare__language="en"
    ).count()
    ids = {model.__name__: sorted(model.objects.values_list("pk", flat=True)) for model in MODELS}
    return counts, ids


def test_loading_twice_changes_nothing(capsys):
    call_command("load_demo_content")
    first_counts, first_ids = snapshot()
    call_command("load_demo_content")
    second_counts, second_ids = snapshot()

    assert first_counts == second_counts
    assert first_ids == second_ids  # updated in place, not deleted and recreated
    assert first_counts == {
        "SiteFacts": 1,
        "Service": 9,
        "LevelOfCare": 3,
        "FrequentlyAskedQuestion": 10,
        "Page": 7,  # issue 12: the "no tracking" page
        "License": 1,
        "Accreditation": 2,  # issue 12: LegitScript beside The Joint Commission
        "Person": 4,
        "Picture": 7,  # three illustrations, four portrait placeholders
        "level-service links": 9 + 9 + 6,
    }
    # The summary counts every language's rows.
    assert (
        f"Demo content loaded: {LevelOfCare.objects.count()} levels of care, {Service.objects.count()} services, "
        f"{Page.objects.count()} pages, 1 licenses, 4 team members, 7 pictures." in capsys.readouterr().out
    )


def test_no_duplicate_faqs_or_services_after_reloading():
    load_demo_content()
    load_demo_content()
    for level in LevelOfCare.objects.all():
        questions = list(level.faqs.values_list("question", flat=True))
        assert len(questions) == len(set(questions)), level
        services = list(level.services.values_list("slug", flat=True))
        assert len(services) == len(set(services)), level
    assert Service.objects.values("name").distinct().count() == Service.objects.count()


def test_reset_restores_edited_demo_rows_and_trims_extra_faqs():
    load_demo_content()
    level = LevelOfCare.objects.get(slug="intensive-outpatient-program")
    level.summary = "Edited"
    level.save()
    FrequentlyAskedQuestion.objects.create(level_of_care=level, question="Extra?", answer="x", order=0)
    Page.objects.filter(slug="about").update(status=PublicationStatus.DRAFT)

    load_demo_content(reset=True)

    level.refresh_from_db()
    assert level.summary != "Edited"
    assert level.faqs.count() == 4
    assert not level.faqs.filter(question="Extra?").exists()
    assert Page.objects.get(slug="about").status == PublicationStatus.PUBLISHED


def test_demo_content_is_all_published_and_valid():
    load_demo_content()
    for model in MODELS:
        for obj in model.objects.all():
            obj.full_clean()
    assert not LevelOfCare.objects.exclude(status=PublicationStatus.PUBLISHED).exists()
    assert not Page.objects.exclude(status=PublicationStatus.PUBLISHED).exists()


def test_demo_copy_keeps_the_seed_facts():
    load_demo_content()
    iop = LevelOfCare.objects.get(language="en", slug="intensive-outpatient-program")
    assert (iop.days_per_week_min, iop.days_per_week_max) == (3, 5)
    assert iop.typical_length == "30 to 60 days"
    assert iop.lives_at_home
    assert "between PHP and regular outpatient" in iop.body
    assert "sober living" in iop.body and "12-step" in iop.body
    assert "shorter and less frequent" in iop.body  # sessions taper off
    assert len(iop.benefit_list) == 9
    assert len(iop.criteria_list) == 3
    assert set(iop.services.values_list("slug", flat=True)) == {slug for slug, _, _ in SERVICES}
    english = LevelOfCare.objects.filter(language="en")
    php, op = english.get(short_name="PHP"), english.get(short_name="OP")
    assert not php.lives_at_home
    assert php.order < iop.order < op.order
    for level in (php, op):
        assert 2 <= level.faqs.count() <= 4


def test_demo_copy_uses_us_spelling_and_no_placeholder_text():
    text = repr(LEVELS) + repr(PAGES) + repr(SERVICES)
    for british in ["licence", "recognise", "practise", "organis", "colour", "centre", "programme"]:
        assert british not in text.lower(), british
    assert not re.search(r"lorem|ipsum|TODO|TBD|\bxxx\b", text, re.IGNORECASE)


def test_the_command_records_a_first_version_of_every_demo_row():
    from reversion.models import Version

    call_command("load_demo_content")
    for model in MODELS:
        for obj in model.objects.all():
            versions = Version.objects.get_for_object(obj)
            assert versions.count() == 1, obj
            assert versions.get().revision.get_comment() == "Demo content loaded"
    iop = LevelOfCare.objects.get(slug="intensive-outpatient-program")
    first = Version.objects.get_for_object(iop).get()
    assert sorted(first.field_dict["services"]) == sorted(iop.services.values_list("pk", flat=True))
    call_command("load_demo_content")
    assert Version.objects.get_for_object(iop).count() == 1  # nothing written, nothing recorded


def test_make_run_twice_keeps_an_editors_change(admin_client):
    """`make run` loads the demo content each time: what an editor published or
    drafted in between stays as it is."""
    from .test_admin import admin_url, form_data

    call_command("load_demo_content")
    level = LevelOfCare.objects.get(slug="intensive-outpatient-program")
    url = admin_url(LevelOfCare, "change", level.pk)
    data = form_data(admin_client.get(url))
    data["summary"] = "An editor's published summary."
    assert admin_client.post(url, data).status_code == 302
    page = Page.objects.get(slug="about")
    page_url = admin_url(Page, "change", page.pk)
    data = form_data(admin_client.get(page_url), button="_save_draft")
    data["title"] = "An editor's draft title"
    assert admin_client.post(page_url, data).status_code == 302
    Service.objects.filter(slug="family-therapy").update(description="Edited by hand.")

    call_command("load_demo_content")

    level.refresh_from_db()
    page.refresh_from_db()
    assert level.summary == "An editor's published summary."
    assert page.draft["title"] == "An editor's draft title"
    assert Service.objects.get(slug="family-therapy").description == "Edited by hand."


def test_loading_again_adds_only_what_is_missing():
    call_command("load_demo_content")
    Page.objects.filter(translation_of__slug="accessibility").delete()  # translations first (PROTECT)
    Page.objects.filter(slug="accessibility").delete()
    level = LevelOfCare.objects.get(slug="outpatient-program")
    level.faqs.all().delete()  # an editor removed them: not put back

    call_command("load_demo_content")

    assert Page.objects.filter(slug="accessibility", status=PublicationStatus.PUBLISHED).exists()
    assert not level.faqs.exists()


def test_reset_restores_the_demo_text_as_a_new_version(capsys):
    from reversion.models import Version

    call_command("load_demo_content")
    level = LevelOfCare.objects.get(slug="intensive-outpatient-program")
    original = level.summary
    LevelOfCare.objects.filter(pk=level.pk).update(
        summary="Edited", status=PublicationStatus.DRAFT, draft={"summary": "Draft"}
    )

    call_command("load_demo_content", "--reset")

    level.refresh_from_db()
    assert level.summary == original and level.is_published and level.draft is None
    latest = Version.objects.get_for_object(level).first()
    assert latest.revision.get_comment() == "Demo content restored (load_demo_content --reset)"
    assert Version.objects.get_for_object(level).count() == 2
