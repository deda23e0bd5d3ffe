import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

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

from .images import GIF

pytestmark = pytest.mark.django_db


def make_level(**overrides):
    fields = {
        "name": "Test Program",
        "slug": "test-program",
        "short_name": "TP",
        "summary": "A test program.",
        "days_per_week_min": 3,
        "days_per_week_max": 5,
        "hours_per_day_min": 3,
        "hours_per_day_max": 4,
        "typical_length": "30 to 60 days",
        "who_it_fits": "Someone",
        "fit_summary": "Someone",
    }
    fields.update(overrides)
    return LevelOfCare(**fields)


def test_published_queryset_excludes_drafts():
    live = make_level(status=PublicationStatus.PUBLISHED)
    live.save()
    make_level(name="Draft", slug="draft", status=PublicationStatus.DRAFT).save()
    Page.objects.create(title="Live", slug="live", status=PublicationStatus.PUBLISHED)
    Page.objects.create(title="Hidden", slug="hidden")  # the default is draft

    assert list(LevelOfCare.objects.published()) == [live]
    assert list(Page.objects.published().values_list("slug", flat=True)) == ["live"]


def test_new_content_starts_as_a_draft():
    assert make_level().status == PublicationStatus.DRAFT
    assert Page().status == PublicationStatus.DRAFT


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"days_per_week_min": 5, "days_per_week_max": 3}, "days_per_week_max"),
        ({"hours_per_day_min": 6, "hours_per_day_max": 2}, "hours_per_day_max"),
    ],
)
def test_clean_rejects_a_range_whose_minimum_exceeds_its_maximum(overrides, field):
    level = make_level(**overrides)
    with pytest.raises(ValidationError) as excinfo:
        level.full_clean()
    assert list(excinfo.value.message_dict) == [field]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("days_per_week_min", 0),
        ("days_per_week_max", 8),
        ("hours_per_day_min", 0),
        ("hours_per_day_max", 25),
    ],
)
def test_schedule_values_outside_a_week_or_a_day_are_rejected(field, value):
    with pytest.raises(ValidationError) as excinfo:
        make_level(**{field: value}).full_clean()
    assert field in excinfo.value.message_dict


def test_equal_minimum_and_maximum_is_a_valid_range():
    level = make_level(days_per_week_min=5, days_per_week_max=5, hours_per_day_min=4, hours_per_day_max=4)
    level.full_clean()
    assert level.days_per_week == "5"
    assert level.hours_per_day == "4"


@pytest.mark.parametrize("alt", ["", "   "])
def test_clean_requires_an_image_description_with_an_image(alt, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    level = make_level(image=SimpleUploadedFile("photo.gif", GIF, "image/gif"), image_alt=alt)
    with pytest.raises(ValidationError) as excinfo:
        level.full_clean()
    assert list(excinfo.value.message_dict) == ["image_alt"]

    level.image_alt = "Two people talking on a bench"
    level.full_clean()


def test_image_dimensions_are_stored_on_save(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    level = make_level(image=SimpleUploadedFile("photo.gif", GIF, "image/gif"), image_alt="A photo")
    level.save()
    level.refresh_from_db()
    assert (level.image_width, level.image_height) == (1, 1)


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        ({"days_per_week_min": 5, "days_per_week_max": 3}, "level_of_care_days_range"),
        ({"hours_per_day_min": 6, "hours_per_day_max": 2}, "level_of_care_hours_range"),
    ],
)
def test_the_database_refuses_an_inverted_range_even_without_clean(overrides, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        make_level(**overrides).save()
    assert not LevelOfCare.objects.exists()


def test_the_database_keeps_site_facts_to_one_row():
    with pytest.raises(IntegrityError, match="site_facts_single_row"), transaction.atomic():
        # A bulk insert bypasses SiteFacts.save(), which would force pk=1.
        SiteFacts.objects.bulk_create([SiteFacts(pk=2, admissions_phone="+19495550100", postal_code="92660")])


def test_site_facts_save_always_writes_the_single_row():
    SiteFacts(admissions_phone="+19495550100", street_address="1 Main St", postal_code="92660").save()
    SiteFacts(pk=7, admissions_phone="+19495550199", street_address="2 Main St", postal_code="92660").save()
    assert list(SiteFacts.objects.values_list("pk", "admissions_phone")) == [(1, "+19495550199")]
    assert SiteFacts.load().street_address == "2 Main St"


def test_a_licence_number_is_unique_per_issuer():
    License.objects.create(name="A", number="123", issuer="DHCS", expires_on="2030-01-01")
    License.objects.create(name="B", number="123", issuer="Another agency", expires_on="2030-01-01")
    with pytest.raises(IntegrityError, match="license_unique_number"), transaction.atomic():
        License.objects.create(name="C", number="123", issuer="DHCS", expires_on="2030-01-01")


def test_site_facts_reject_a_phone_number_not_in_international_form():
    facts = SiteFacts(
        admissions_phone="949-555-0142",
        admissions_phone_display="x",
        street_address="x",
        locality="x",
        postal_code="9266",
    )
    with pytest.raises(ValidationError) as excinfo:
        facts.full_clean()
    assert {"admissions_phone", "postal_code"} <= set(excinfo.value.message_dict)


# Fields an editor sees whose label already says everything. Keep this short:
# anything ambiguous gets help text instead.
SELF_EXPLAINING = set()


def editor_fields():
    for model in apps.get_app_config("programs").get_models():
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
            if field.editable and not field.auto_created and not field.primary_key:
                yield model, field


def test_the_models_checked_for_help_text_are_the_ones_editors_use():
    models = {model for model, _ in editor_fields()}
    assert models == {
        LevelOfCare,
        Page,
        Service,
        FrequentlyAskedQuestion,
        SiteFacts,
        License,
        Accreditation,
        Person,
        Picture,
    }


@pytest.mark.parametrize(
    ("model", "field"), list(editor_fields()), ids=[f"{m.__name__}.{f.name}" for m, f in editor_fields()]
)
def test_every_field_an_editor_sees_has_help_text(model, field):
    if f"{model.__name__}.{field.name}" in SELF_EXPLAINING:
        return
    assert str(field.help_text).strip(), f"{model.__name__}.{field.name} needs help_text for editors"


def test_faqs_and_services_keep_the_editor_order():
    level = make_level()
    level.save()
    second = FrequentlyAskedQuestion.objects.create(
        level_of_care=level, question="Second?", answer="b", order=2
    )
    first = FrequentlyAskedQuestion.objects.create(
        level_of_care=level, question="First?", answer="a", order=1
    )
    assert list(level.faqs.all()) == [first, second]
    later = Service.objects.create(name="A first by name", slug="a", order=5)
    earlier = Service.objects.create(name="Z last by name", slug="z", order=1)
    level.services.set([later, earlier])
    assert list(level.services.all()) == [earlier, later]


def test_a_long_summary_is_cut_at_a_word_for_the_meta_description():
    summary = (
        "Several hours of therapy three to five days a week, so you can keep working, studying or caring " * 3
    )
    level = make_level(summary=summary.strip())
    assert len(level.description) <= 160
    assert level.description.endswith("…")
    assert summary.startswith(level.description.removesuffix("…"))
    assert summary[len(level.description) - 1] == " "  # the cut falls between words

    level.summary = "Short and sweet."
    assert level.description == "Short and sweet."
    level.seo_description = "Written for search engines."
    assert level.description == "Written for search engines."
    assert Page(summary=summary).description == level.__class__(summary=summary).description


def test_a_page_cannot_be_published_without_a_summary_or_seo_description():
    page = Page(title="T", slug="t", status=PublicationStatus.PUBLISHED, summary="  ")
    with pytest.raises(ValidationError) as excinfo:
        page.full_clean()
    assert list(excinfo.value.message_dict) == ["summary"]

    Page(title="T", slug="t", summary="").full_clean()  # a draft may stay unfinished
    Page(title="T", slug="t", status=PublicationStatus.PUBLISHED, seo_description="For search.").full_clean()
    Page(title="T", slug="t", status=PublicationStatus.PUBLISHED, summary="A summary.").full_clean()
