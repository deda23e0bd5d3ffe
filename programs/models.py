"""Content edited by staff in the admin: levels of care, services, plain pages
and the site-wide facts (phone, address, licences) that header, footer and
structured data read."""

import calendar
import datetime
import hashlib

import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation

from .markup import lines, render_markdown


class PublicationStatus(models.TextChoices):
    # "Draft" here means "not on the site". A live page being reworked keeps
    # PUBLISHED and carries its next version in `draft` (see programs.drafts).
    DRAFT = "draft", "Draft (hidden from the public)"
    PUBLISHED = "published", "Published"


# Where an editor's unpublished work and its schedule are kept, beside the live
# columns. Not content: never in a version, never copied by publishing.
DRAFT_STATE_FIELDS = ("draft", "draft_updated_at", "draft_updated_by", "publish_at")
# Which language a row is in, and its English original: set once when the
# version is created ("Add the Spanish version"), never part of a draft.
TRANSLATION_FIELDS = ("language", "translation_of")
# Kept by the site itself, not typed by an editor.
NOT_DRAFTED_FIELDS = (
    "id",
    "status",
    *TRANSLATION_FIELDS,
    "body_html",
    "created_at",
    "updated_at",
    "updated_by",
    *DRAFT_STATE_FIELDS,
)


ENGLISH = "en"


def language_field():
    return models.CharField(
        max_length=5,
        choices=settings.LANGUAGES,
        default=ENGLISH,
        editable=False,
        help_text="The language of this version. English rows are the originals; another language's "
        "row is created from one with “Add the Spanish version”.",
    )


def translation_of_field(verbose_name):
    # PROTECT: deleting an English original must not take its translations
    # with it unseen (CASCADE), nor leave them without an original (SET_NULL,
    # which the check below forbids). Delete the translations first.
    return models.ForeignKey(
        "self",
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="translations",
        help_text="The English original this row translates; empty for English rows.",
    )


def translation_constraints(prefix: str, unique_per_language=("slug",)) -> list:
    """One version per language per original, English rows are originals and
    others translate one, and each field in unique_per_language unique within
    a language (a Spanish slug may repeat an English one)."""
    return [
        *(
            models.UniqueConstraint(fields=["language", name], name=f"{prefix}_{name}_per_language")
            for name in unique_per_language
        ),
        models.UniqueConstraint(
            fields=["translation_of", "language"], name=f"{prefix}_one_version_per_language"
        ),
        models.CheckConstraint(
            condition=models.Q(language=ENGLISH, translation_of__isnull=True)
            | (~models.Q(language=ENGLISH) & models.Q(translation_of__isnull=False)),
            name=f"{prefix}_translation_has_english_original",
        ),
    ]


def placeholder_slug(english_slug: str, code: str) -> str:
    """The address a new translation gets until its editor writes a real one."""
    return f"{english_slug}-{code}"[:100]


class TranslatableMixin:
    """A row per language linked to its English original (the Wagtail way):
    each version has its own status, draft, schedule, history and slug."""

    def clean_translation(self):
        if self.language == ENGLISH:
            if self.translation_of_id is not None:
                raise ValidationError(
                    {"translation_of": "An English row is an original: it translates nothing."}
                )
            return
        if self.translation_of_id is None:
            raise ValidationError({"translation_of": "Name the English original this version translates."})
        if self.translation_of.language != ENGLISH:
            raise ValidationError({"translation_of": "Choose the English original, not another translation."})
        if getattr(self, "status", None) == PublicationStatus.PUBLISHED and self.slug == placeholder_slug(
            self.translation_of.slug, self.language
        ):
            raise ValidationError(
                {
                    "slug": "Give this version its own address in its language before publishing (it still has the "
                    "placeholder made when it was created)."
                }
            )

    @property
    def original(self):
        """The English original (self for an English row): what leads and
        reports should point at, whatever language the visitor read."""
        return self.translation_of if self.translation_of_id else self

    @property
    def original_id(self):
        return self.translation_of_id or self.pk


class TranslatableQuerySet(models.QuerySet):
    def in_language(self, code=None):
        """Rows in this language (default: the active one)."""
        return self.filter(language=code or translation.get_language() or ENGLISH)


class PublishableQuerySet(TranslatableQuerySet):
    def published(self):
        return self.filter(status=PublicationStatus.PUBLISHED)

    def with_published_versions(self):
        """Each row with the slug of its published version in every language
        (`_slug_<code>`), in the same query: the language switch and hreflang
        then cost nothing."""
        original = Coalesce(OuterRef("translation_of_id"), OuterRef("pk"))
        return self.annotate(
            **{
                f"_slug_{code}": Subquery(
                    self.model.objects.published()
                    .filter(language=code)
                    .filter(models.Q(pk=original) | models.Q(translation_of_id=original))
                    .values("slug")[:1]
                )
                for code, _name in settings.LANGUAGES
            }
        )


class PublishableContent(TranslatableMixin, models.Model):
    """Fields every public page shares: language, publication state and search metadata."""

    language = language_field()
    translation_of = translation_of_field("English original")
    status = models.CharField(
        max_length=10,
        choices=PublicationStatus,
        default=PublicationStatus.DRAFT,
        help_text="Whether the live version is on the site. Change it with Publish and Unpublish on the "
        "edit page; saving a draft never changes it.",
    )
    seo_title = models.CharField(
        "SEO title",
        max_length=70,
        blank=True,
        help_text="Shown in search results and browser tabs (up to 70 characters). "
        "Leave blank to use the name.",
    )
    seo_description = models.CharField(
        "SEO description",
        max_length=160,
        blank=True,
        help_text="The sentence search engines show under the title (up to 160 characters). "
        "Leave blank to use the summary.",
    )
    body = models.TextField(
        blank=True,
        help_text="Markdown: ## for a heading, - for a list item, **bold**, [link](https://…). "
        "HTML, scripts and embeds are not allowed.",
    )
    # Rendered and sanitized on save: rendering Markdown on every request
    # would cost more CPU than the rest of the page.
    body_html = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # The next version an editor is working on: the editable fields as JSON
    # (see programs.drafts). The columns above stay what the public sees.
    draft = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        encoder=DjangoJSONEncoder,
        help_text="Unpublished changes waiting to be published; empty when the live version is current.",
    )
    draft_updated_at = models.DateTimeField(
        "draft saved at", null=True, blank=True, editable=False, help_text="When the draft was last saved."
    )
    draft_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="draft saved by",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text="Who saved the draft last.",
    )
    publish_at = models.DateTimeField(
        "Publish the draft at",
        null=True,
        blank=True,
        help_text="Optional. Pick a date and time (Pacific) to publish this draft automatically, then press "
        "Save draft. Leave empty to publish by hand with the Publish button.",
    )

    objects = PublishableQuerySet.as_manager()

    # Relations edited with the page and kept in its draft: many-to-many
    # fields, and child rows as (related name, their editable fields).
    draft_m2m_fields: tuple = ()
    draft_children: tuple = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)

    @property
    def is_published(self):
        return self.status == PublicationStatus.PUBLISHED

    @property
    def has_unpublished_changes(self):
        return self.draft is not None

    def published_versions(self) -> dict:
        """{language: a stand-in for this content's published version in it, or
        None}: enough for get_absolute_url(). From with_published_versions()'s
        annotation when present, else one query."""
        slugs = {code: getattr(self, f"_slug_{code}", False) for code, _name in settings.LANGUAGES}
        if False in slugs.values():
            found = (
                type(self)
                .objects.published()
                .filter(models.Q(pk=self.original_id) | models.Q(translation_of_id=self.original_id))
                .values_list("language", "slug")
            )
            slugs = {code: None for code in slugs} | dict(found)
        return {code: type(self)(language=code, slug=slug) if slug else None for code, slug in slugs.items()}

    def reverse_in_language(self, name, **kwargs):
        # A row's address is in its own language, whatever language is active.
        # Kept on the instance (keyed by the slug too): the rows in the header
        # and footer are shared by every page a worker draws.
        key = (name, self.language, *sorted(kwargs.items()))
        urls = self.__dict__.setdefault("_urls", {})
        if key not in urls:
            with translation.override(self.language):
                urls[key] = reverse(name, kwargs=kwargs)
        return urls[key]

    @classmethod
    def drafted_fields(cls):
        """The concrete fields a draft holds: what an editor types, plus the
        image size that goes with an uploaded image."""
        return [f for f in cls._meta.concrete_fields if f.name not in NOT_DRAFTED_FIELDS]


class Service(TranslatableMixin, models.Model):
    """A therapy or support service; levels of care in the same language share them."""

    language = models.CharField(
        max_length=5,
        choices=settings.LANGUAGES,
        default=ENGLISH,
        help_text="The language of this service's name and description. A program lists only services "
        "in its own language.",
    )
    translation_of = models.ForeignKey(
        "self",
        verbose_name="English original",
        on_delete=models.PROTECT,  # as for pages: delete the translations first
        null=True,
        blank=True,
        related_name="translations",
        limit_choices_to={"language": ENGLISH},
        help_text="For a Spanish service: the English service it translates, so “Add the Spanish version” "
        "of a program can offer it. Empty for English services.",
    )
    name = models.CharField(
        max_length=80, help_text="For example “Family therapy”. Unique within a language."
    )
    slug = models.SlugField(
        max_length=80, help_text="Used in links; lower case and hyphens. Unique within a language."
    )
    description = models.CharField(
        max_length=300,
        blank=True,
        help_text="One or two plain sentences describing the service to a family.",
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")

    objects = TranslatableQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        constraints = translation_constraints("service", ("slug", "name"))

    def __str__(self):
        return self.name if self.language == ENGLISH else f"{self.name} ({self.language})"

    def clean(self):
        self.clean_translation()


class LevelOfCare(PublishableContent):
    """A treatment program such as Intensive Outpatient (IOP)."""

    name = models.CharField(
        max_length=100,
        help_text="Full name, e.g. “Intensive Outpatient Program”. Unique within a language.",
    )
    slug = models.SlugField(
        max_length=100,
        help_text="The page address: /programs/<slug>/ (Spanish: /es/programas/<slug>/). Unique within a "
        "language. Changing it breaks existing links.",
    )
    short_name = models.CharField(max_length=12, help_text="Abbreviation, e.g. “IOP”.")
    asam_level = models.CharField(
        "ASAM level",
        max_length=8,
        blank=True,
        validators=[RegexValidator(r"^[0-4](\.[0-9])?$", "Use the ASAM form, e.g. 2.1.")],
        help_text="ASAM Criteria level of care, e.g. 2.1 for IOP.",
    )
    summary = models.CharField(
        max_length=300,
        help_text="One or two sentences shown on program cards and at the top of the page.",
    )
    days_per_week_min = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(7)],
        help_text="Fewest treatment days in a typical week.",
    )
    days_per_week_max = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(7)],
        help_text="Most treatment days in a typical week.",
    )
    hours_per_day_min = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text="Fewest hours of treatment on a treatment day.",
    )
    hours_per_day_max = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text="Most hours of treatment on a treatment day.",
    )
    typical_length = models.CharField(
        max_length=60, help_text="How long the program usually lasts, e.g. “30 to 60 days”."
    )
    lives_at_home = models.BooleanField(
        "Patients can live at home",
        default=True,
        help_text="Untick if patients live at the facility or in sober living during this program.",
    )
    who_it_fits = models.TextField(
        "Who it fits",
        help_text="One criterion per line, e.g. “You have already completed detox”.",
    )
    fit_summary = models.CharField(
        max_length=140,
        help_text="A short phrase for the comparison table, e.g. “Stepping down from PHP”.",
    )
    benefits = models.TextField(blank=True, help_text="One benefit per line.")
    services = models.ManyToManyField(
        Service, blank=True, related_name="levels_of_care", help_text="Services offered in this program."
    )
    image = models.ImageField(
        upload_to="programs/",
        blank=True,
        width_field="image_width",
        height_field="image_height",
        help_text="Optional photo for the top of the page; at least 1200 px wide.",
    )
    # Filled on upload so rendering a page never opens the image file.
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_alt = models.CharField(
        "Image description",
        max_length=200,
        blank=True,
        help_text="What the photo shows, for people using screen readers. Required with an image.",
    )
    hero_picture = models.ForeignKey(
        "Picture",
        verbose_name="picture",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="A picture from Pictures for the top of the page (preferred to the upload above).",
    )
    team = models.ManyToManyField(
        "Person", blank=True, related_name="levels_of_care", help_text="Clinicians who work in this program."
    )
    reviewed_by = models.ForeignKey(
        "Person",
        verbose_name="clinically reviewed by",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The clinician who last checked this page for clinical accuracy.",
    )
    reviewed_on = models.DateField(
        "clinically reviewed on",
        null=True,
        blank=True,
        help_text="The date of that review. Pages reviewed more than 12 months ago are flagged in the list.",
    )
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Position in menus and the comparison table; lower comes first."
    )

    draft_m2m_fields = ("services", "team")
    draft_children = (("faqs", ("question", "answer", "order")),)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = "level of care"
        verbose_name_plural = "levels of care"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(days_per_week_min__lte=models.F("days_per_week_max")),
                name="level_of_care_days_range",
            ),
            models.CheckConstraint(
                condition=models.Q(hours_per_day_min__lte=models.F("hours_per_day_max")),
                name="level_of_care_hours_range",
            ),
            *translation_constraints("level_of_care", ("slug", "name")),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return self.reverse_in_language("programs:detail", slug=self.slug)

    def clean(self):
        self.clean_translation()
        errors = {}
        if (
            self.days_per_week_min
            and self.days_per_week_max
            and self.days_per_week_min > self.days_per_week_max
        ):
            errors["days_per_week_max"] = "Must be at least the fewest days per week."
        if (
            self.hours_per_day_min
            and self.hours_per_day_max
            and self.hours_per_day_min > self.hours_per_day_max
        ):
            errors["hours_per_day_max"] = "Must be at least the fewest hours per day."
        if self.image and not self.image_alt.strip():
            errors["image_alt"] = "Describe the image for people who cannot see it."
        if self.reviewed_on and self.reviewed_on > timezone.localdate():
            errors["reviewed_on"] = "A review date cannot be in the future."
        if bool(self.reviewed_by_id) != bool(self.reviewed_on):
            errors["reviewed_on" if self.reviewed_by_id else "reviewed_by"] = (
                "Give both who reviewed the page and when, or neither."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def title(self):
        return self.seo_title or f"{self.name} ({self.short_name})"

    @property
    def description(self):
        return self.seo_description or _meta_description(self.summary)

    @property
    def review_is_overdue(self):
        """No review, or one more than 12 months old."""
        return self.reviewed_on is None or self.reviewed_on < review_due_before()

    @property
    def criteria_list(self):
        return lines(self.who_it_fits)

    @property
    def benefit_list(self):
        return lines(self.benefits)

    @property
    def days_per_week(self):
        return _span(self.days_per_week_min, self.days_per_week_max)

    @property
    def hours_per_day(self):
        return _span(self.hours_per_day_min, self.hours_per_day_max)


REVIEW_VALID_MONTHS = 12


def review_due_before(today=None):
    """Reviews older than this date are overdue (12 months before today)."""
    today = today or timezone.localdate()
    year, month = divmod(today.year * 12 + today.month - 1 - REVIEW_VALID_MONTHS, 12)
    month += 1
    day = min(today.day, calendar.monthrange(year, month)[1])
    return datetime.date(year, month, day)


def _meta_description(text):
    # Search engines cut descriptions at about 160 characters; a summary may be
    # longer, so end it at a word rather than mid-word.
    if len(text) <= 160:
        return text
    return text[:159].rsplit(" ", 1)[0].rstrip(" ,;:.–-") + "…"


def _span(low, high):
    return str(low) if low == high else f"{low}–{high}"


class FrequentlyAskedQuestion(models.Model):
    level_of_care = models.ForeignKey(
        LevelOfCare,
        on_delete=models.CASCADE,
        related_name="faqs",
        help_text="The program page this question appears on.",
    )
    question = models.CharField(max_length=200, help_text="As a family would ask it.")
    answer = models.TextField(help_text="A short, plain answer. Plain text; no HTML.")
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "frequently asked question"

    def __str__(self):
        return self.question


class Page(PublishableContent):
    """A plain page such as About, Insurance or the Privacy notice."""

    title = models.CharField(max_length=100, help_text="The page heading.")
    menu_title = models.CharField(
        max_length=30,
        blank=True,
        help_text="Short name for the header menu on phones, e.g. “Insurance”. Leave blank to use the heading.",
    )
    slug = models.SlugField(
        max_length=100,
        help_text="The page address: /<slug>/ (Spanish: /es/<slug>/). Unique within a language. Changing "
        "it breaks existing links.",
    )
    summary = models.CharField(
        max_length=300,
        blank=True,
        help_text="One sentence under the heading; also the fallback SEO description.",
    )
    show_in_footer = models.BooleanField(default=True, help_text="List this page in the footer.")
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Position in the footer; lower comes first."
    )

    class Meta:
        ordering = ["order", "title"]
        constraints = translation_constraints("page")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.reverse_in_language("programs:page", slug=self.slug)

    def clean(self):
        self.clean_translation()
        # The meta description comes from one of these; a published page without
        # either would show search engines an empty snippet.
        if self.status == PublicationStatus.PUBLISHED and not (
            self.summary.strip() or self.seo_description.strip()
        ):
            raise ValidationError(
                {"summary": "Write a one-sentence summary (or an SEO description) before publishing."}
            )

    @property
    def description(self):
        return self.seo_description or _meta_description(self.summary)


class SiteFacts(models.Model):
    """The one row of facts about the center that every page shows."""

    name = models.CharField(max_length=100, default="Sheer Recovery", help_text="The center's public name.")
    admissions_phone = models.CharField(
        max_length=20,
        validators=[RegexValidator(r"^\+1\d{10}$", "Use +1 and ten digits, e.g. +17145551234.")],
        help_text="24/7 admissions line in international form, e.g. +17145551234.",
    )
    admissions_phone_display = models.CharField(
        max_length=20, help_text="The same number as people read it, e.g. (714) 555-1234."
    )
    email = models.EmailField(
        blank=True, help_text="Public contact address (optional). Never a personal inbox."
    )
    street_address = models.CharField(max_length=120, help_text="Street and suite.")
    locality = models.CharField("City", max_length=60, help_text="As written in the postal address.")
    region = models.CharField("State", max_length=2, default="CA", help_text="Two-letter state code.")
    postal_code = models.CharField(
        "ZIP code",
        max_length=10,
        validators=[RegexValidator(r"^\d{5}(-\d{4})?$", "A US ZIP code, e.g. 92660.")],
        help_text="Five digits, or ZIP+4, e.g. 92660.",
    )
    hours = models.CharField(
        max_length=120,
        default="Admissions answers 24 hours a day, 7 days a week",
        help_text="Opening hours as a sentence for people.",
    )
    hours_es = models.CharField(
        "Hours in Spanish",
        max_length=120,
        blank=True,
        help_text="The same sentence in Spanish, for the Spanish pages, e.g. “Admisiones atiende las 24 "
        "horas, los 7 días de la semana”. Leave blank to show the English sentence there.",
    )
    opening_hours_spec = models.CharField(
        "Opening hours (machine-readable)",
        max_length=120,
        default="Mo-Su 00:00-23:59",
        help_text="schema.org form used by search engines, e.g. “Mo-Fr 08:00-18:00”.",
    )
    latitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text="Optional, for maps in search results, e.g. 33.615000.",
    )
    longitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        help_text="Optional, e.g. -117.875000.",
    )
    same_as = models.TextField(
        "Official profiles",
        blank=True,
        help_text="Optional: the center's own profiles elsewhere (Google Business, a directory listing), one "
        "address per line. Given to search engines only; the site shows and loads nothing from them.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "site facts"
        verbose_name_plural = "site facts"
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="site_facts_single_row")]

    def __str__(self):
        return "Site facts"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls):
        return cls.objects.filter(pk=1).first()

    @property
    def same_as_list(self):
        return lines(self.same_as)

    @property
    def hours_in_language(self):
        """The hours in the active language; empty when not written in it."""
        if translation.get_language() == "es":
            return self.hours_es
        return self.hours


class License(models.Model):
    """A state licence or certification; California requires it to be shown."""

    name = models.CharField(
        max_length=120, help_text="What it licenses, e.g. “Outpatient treatment program”."
    )
    number = models.CharField(max_length=40, help_text="The licence number exactly as issued.")
    issuer = models.CharField(
        max_length=120,
        default="California Department of Health Care Services",
        help_text="The agency that issued it.",
    )
    expires_on = models.DateField(help_text="Expiry date; expired licences disappear from the site.")
    verify_url = models.URLField(
        "Verification link", blank=True, help_text="The issuer's public page where anyone can check it."
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")

    class Meta:
        ordering = ["order", "name"]
        constraints = [models.UniqueConstraint(fields=["issuer", "number"], name="license_unique_number")]

    def __str__(self):
        return f"{self.name} #{self.number}"

    @property
    def is_current(self):
        return self.expires_on >= timezone.localdate()


class Accreditation(models.Model):
    """An accreditation or certification, shown as a seal near the top of the
    home page and in the footer, each with its verification link."""

    name = models.CharField(max_length=120, help_text="e.g. “The Joint Commission Gold Seal of Approval”.")
    issuer = models.CharField(max_length=120, help_text="The accrediting body.")
    url = models.URLField("Verification link", blank=True, help_text="Public page that confirms it.")
    seal = models.ForeignKey(
        "Picture",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Optional: the seal image the accrediting body gave you (from Pictures). Without one, "
        "the name is shown as a text badge.",
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class PictureKind(models.TextChoices):
    FACILITY = "facility", "Facility"
    TEAM = "team", "Team member"
    PROGRAM = "program", "Program"
    SEAL = "seal", "Accreditation seal"


class Picture(models.Model):
    """An image an editor uploads once; the site serves it as responsive
    renditions (programs.renditions): AVIF, WebP and JPEG at several widths,
    cropped around the focal point, without EXIF. The original is never served."""

    kind = models.CharField(
        max_length=12,
        choices=PictureKind,
        default=PictureKind.FACILITY,
        help_text="Decides the crop: team members square, seals small squares, the rest wide (3:2).",
    )
    title = models.CharField(max_length=100, help_text="For finding it in the admin; not shown on the site.")
    file = models.ImageField(
        upload_to="pictures/",
        width_field="width",
        height_field="height",
        help_text="JPEG, PNG or WebP, at least 1200 px wide for facility and program pictures.",
    )
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    alt_text = models.CharField(
        "Description (alt text)",
        max_length=200,
        blank=True,
        help_text="What the picture shows, for people using screen readers, e.g. “The garden behind the "
        "house, with chairs in the shade”. Required unless the picture is decorative.",
    )
    decorative = models.BooleanField(
        "Decorative only",
        default=False,
        help_text="Tick only if the picture adds nothing a screen-reader user would miss.",
    )
    focal_x = models.PositiveSmallIntegerField(
        "Focal point, across (%)",
        default=50,
        validators=[MaxValueValidator(100)],
        help_text="Where the important part is, from the left edge (0) to the right (100). Crops keep it.",
    )
    focal_y = models.PositiveSmallIntegerField(
        "Focal point, down (%)",
        default=50,
        validators=[MaxValueValidator(100)],
        help_text="From the top (0) to the bottom (100).",
    )
    # Names the renditions: a digest of the file's bytes and the focal point,
    # so a changed picture gets new URLs and the same picture keeps them.
    rendition_key = models.CharField(max_length=12, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "title"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.file:
            # A file saved with save=False has not measured itself yet.
            self._meta.get_field("file").update_dimension_fields(self, force=True)
        self.rendition_key = self._key() if self.file else ""
        super().save(*args, **kwargs)

    # Bump when the way renditions are made changes (programs.renditions): every name changes with it.
    RENDITION_RECIPE = "1"

    def _key(self) -> str:
        """Digest of the file's bytes, the focal point and the rendition recipe."""
        digest = hashlib.sha256(f"{self.RENDITION_RECIPE}|{self.focal_x}|{self.focal_y}|".encode())
        self.file.open("rb")
        try:
            self.file.seek(0)
            for chunk in self.file.chunks():
                digest.update(chunk)
        finally:
            self.file.seek(0)
        return digest.hexdigest()[:12]

    def clean(self):
        alt = self.alt_text.strip()
        if not alt and not self.decorative:
            raise ValidationError(
                {"alt_text": "Describe the picture, or tick “Decorative only” if it carries no meaning."}
            )
        if alt and self.decorative:
            raise ValidationError(
                {"decorative": "A decorative picture has no description: clear one or the other."}
            )

    @property
    def alt(self):
        return "" if self.decorative else self.alt_text


class Person(models.Model):
    """A member of the clinical team, shown on the team page and program pages."""

    name = models.CharField(max_length=100, help_text="Full name as the person wants it shown.")
    slug = models.SlugField(max_length=100, unique=True, help_text="Used as the anchor on the team page.")
    credentials = models.CharField(
        max_length=80, blank=True, help_text="Letters after the name, e.g. “LMFT” or “MD, ASAM-certified”."
    )
    role = models.CharField(max_length=100, help_text="e.g. “Clinical Director” or “Medical Director”.")
    license_type = models.CharField(
        "Licence type", max_length=80, blank=True, help_text="e.g. “Licensed Marriage and Family Therapist”."
    )
    license_number = models.CharField(
        "Licence number", max_length=40, blank=True, help_text="Exactly as the licensing board shows it."
    )
    license_verify_url = models.URLField(
        "Licence verification link",
        blank=True,
        help_text="The licensing board's public lookup where anyone can check the licence.",
    )
    bio = models.TextField(max_length=600, help_text="Two or three plain sentences. Plain text.")
    role_es = models.CharField(
        "Role in Spanish",
        max_length=100,
        blank=True,
        help_text="e.g. “Directora clínica”. Leave blank and the Spanish pages show the English role, "
        "marked as English.",
    )
    bio_es = models.TextField(
        "Bio in Spanish",
        max_length=600,
        blank=True,
        help_text="The bio in plain Spanish. Leave blank and the Spanish team page shows the English bio, "
        "marked as English.",
    )
    photo = models.ForeignKey(
        Picture,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="From Pictures.",
    )
    active = models.BooleanField(default=True, help_text="Untick when the person leaves: hidden everywhere.")
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")

    objects = models.Manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = "team member"

    def __str__(self):
        return f"{self.name}, {self.credentials}" if self.credentials else self.name

    def get_absolute_url(self):
        return reverse("programs:team") + f"#{self.slug}"

    def _in_language(self, english, spanish):
        # (text, lang attribute): English shown on a Spanish page says so.
        language = translation.get_language() or ENGLISH
        if language == "es" and spanish.strip():
            return spanish, ""
        return english, "" if language == ENGLISH else ENGLISH

    @property
    def role_shown(self):
        return self._in_language(self.role, self.role_es)[0]

    @property
    def role_lang(self):
        return self._in_language(self.role, self.role_es)[1]

    @property
    def bio_shown(self):
        return self._in_language(self.bio, self.bio_es)[0]

    @property
    def bio_lang(self):
        return self._in_language(self.bio, self.bio_es)[1]

    def clean(self):
        if self.license_verify_url and not self.license_number.strip():
            raise ValidationError({"license_number": "Give the licence number the link verifies."})


# Versions hold what was live, never the draft beside it; a level of care's
# version includes its FAQs, so restoring one brings them back too.
reversion.register(FrequentlyAskedQuestion)
reversion.register(LevelOfCare, exclude=DRAFT_STATE_FIELDS, follow=("faqs",))
reversion.register(Page, exclude=DRAFT_STATE_FIELDS)
reversion.register(Person)
reversion.register(Picture)
