from django.contrib import admin
from django.db.models import Count, Q
from django.utils.html import format_html

from .editing_admin import DraftAdmin, DraftChildInline, HistoryAdmin
from .models import (
    Accreditation,
    FrequentlyAskedQuestion,
    LevelOfCare,
    License,
    Page,
    Person,
    Picture,
    Service,
    SiteFacts,
    review_due_before,
)


class ReviewFilter(admin.SimpleListFilter):
    title = "clinical review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("overdue", "Older than 12 months, or none"), ("current", "Within 12 months")]

    def queryset(self, request, queryset):
        due = review_due_before()
        if self.value() == "overdue":
            return queryset.filter(Q(reviewed_on__isnull=True) | Q(reviewed_on__lt=due))
        if self.value() == "current":
            return queryset.filter(reviewed_on__gte=due)
        return queryset


class FrequentlyAskedQuestionInline(DraftChildInline):
    model = FrequentlyAskedQuestion
    fields = ["question", "answer", "order"]
    extra = 0


@admin.register(LevelOfCare)
class LevelOfCareAdmin(DraftAdmin):
    preview_url_name = "programs:preview_program"
    list_display = [
        "name",
        "language_column",
        "short_name",
        "schedule",
        "status",
        "draft_column",
        "clinical_review",
        "order",
        "updated_at",
        "updated_by",
        "preview_column",
    ]
    list_filter = ["language", "status", ReviewFilter]
    list_editable = ["order"]
    search_fields = ["name", "short_name", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["services", "team"]
    readonly_fields = ["publication_state", "language_versions", "preview_link", "updated_at", "updated_by"]
    inlines = [FrequentlyAskedQuestionInline]
    fieldsets = [
        (None, {"fields": ["publication_state", "language_versions", "preview_link", "publish_at"]}),
        (None, {"fields": ["name", "short_name", "slug", "asam_level", "order"]}),
        ("Page", {"fields": ["summary", "body", "hero_picture", "image", "image_alt"]}),
        ("Clinical team and review", {"fields": ["team", ("reviewed_by", "reviewed_on")]}),
        (
            "Schedule (drives the comparison table)",
            {
                "fields": [
                    ("days_per_week_min", "days_per_week_max"),
                    ("hours_per_day_min", "hours_per_day_max"),
                    "typical_length",
                    "lives_at_home",
                ]
            },
        ),
        (
            "Who it fits and what it offers",
            {"fields": ["fit_summary", "who_it_fits", "benefits", "services"]},
        ),
        ("Search engines", {"fields": ["seo_title", "seo_description"]}),
        ("Last published change", {"fields": ["updated_at", "updated_by"]}),
    ]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("updated_by", "draft_updated_by", "translation_of")
        )

    @admin.display(description="Clinical review", ordering="reviewed_on")
    def clinical_review(self, obj):
        if obj.reviewed_on is None:
            return format_html('<strong class="review-overdue">Not reviewed</strong>')
        if obj.review_is_overdue:
            return format_html(
                '<strong class="review-overdue">Overdue: last reviewed {}</strong>',
                obj.reviewed_on.isoformat(),
            )
        return obj.reviewed_on.isoformat()

    @admin.display(description="Schedule")
    def schedule(self, obj):
        return f"{obj.days_per_week} days a week, {obj.hours_per_day} hours a day"


@admin.register(Page)
class PageAdmin(DraftAdmin):
    preview_url_name = "programs:preview_page"
    list_display = [
        "title",
        "language_column",
        "slug",
        "status",
        "draft_column",
        "show_in_footer",
        "order",
        "updated_at",
        "updated_by",
        "preview_column",
    ]
    list_filter = ["language", "status", "show_in_footer"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["publication_state", "language_versions", "preview_link", "updated_at", "updated_by"]
    fieldsets = [
        (None, {"fields": ["publication_state", "language_versions", "preview_link", "publish_at"]}),
        (None, {"fields": ["title", "menu_title", "slug", "summary", "body"]}),
        ("Footer", {"fields": ["show_in_footer", "order"]}),
        ("Search engines", {"fields": ["seo_title", "seo_description"]}),
        ("Last published change", {"fields": ["updated_at", "updated_by"]}),
    ]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("updated_by", "draft_updated_by", "translation_of")
        )


@admin.register(Service)
class ServiceAdmin(HistoryAdmin):
    list_display = ["name", "language", "translation_of", "description", "program_count", "order"]
    list_editable = ["order"]
    list_filter = ["language"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "description"]
    fields = ["language", "translation_of", "name", "slug", "description", "order"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("translation_of")
            .annotate(_program_count=Count("levels_of_care"))
        )

    @admin.display(description="Programs offering it", ordering="_program_count")
    def program_count(self, obj):
        return obj._program_count


@admin.register(SiteFacts)
class SiteFactsAdmin(HistoryAdmin):
    list_display = ["name", "admissions_phone_display", "locality", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name"]}),
        ("Admissions line", {"fields": ["admissions_phone", "admissions_phone_display", "email"]}),
        ("Address", {"fields": ["street_address", "locality", "region", "postal_code"]}),
        ("Hours", {"fields": ["hours", "hours_es", "opening_hours_spec"]}),
    ]

    def has_add_permission(self, request):
        # One row only; it is created by the demo content or on first save.
        return super().has_add_permission(request) and not SiteFacts.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(License)
class LicenseAdmin(HistoryAdmin):
    list_display = ["name", "number", "issuer", "expires_on", "is_current", "order"]
    list_editable = ["order"]
    list_filter = ["issuer"]
    search_fields = ["name", "number"]

    @admin.display(boolean=True, description="Shown on the site", ordering="expires_on")
    def is_current(self, obj):
        return obj.is_current


@admin.register(Accreditation)
class AccreditationAdmin(HistoryAdmin):
    list_display = ["name", "issuer", "url", "seal", "order"]
    list_editable = ["order"]


@admin.register(Picture)
class PictureAdmin(HistoryAdmin):
    list_display = ["title", "kind", "described", "width", "height", "created_at"]
    list_filter = ["kind", "decorative"]
    search_fields = ["title", "alt_text"]
    fieldsets = [
        (None, {"fields": ["kind", "title", "file"]}),
        ("For people who cannot see it", {"fields": ["alt_text", "decorative"]}),
        ("Cropping", {"fields": [("focal_x", "focal_y")]}),
    ]

    @admin.display(description="Description", boolean=False)
    def described(self, obj):
        return "Decorative" if obj.decorative else obj.alt_text[:60]


@admin.register(Person)
class PersonAdmin(HistoryAdmin):
    list_display = ["name", "credentials", "role", "license_number", "active", "order"]
    list_editable = ["order"]
    list_filter = ["active"]
    search_fields = ["name", "role", "credentials"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = []
    fieldsets = [
        (None, {"fields": ["name", "slug", "credentials", "role", "photo", "bio"]}),
        ("In Spanish", {"fields": ["role_es", "bio_es"]}),
        ("Licence", {"fields": ["license_type", "license_number", "license_verify_url"]}),
        ("On the site", {"fields": ["active", "order"]}),
    ]
