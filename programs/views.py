from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

from . import selectors, structured_data
from .models import LevelOfCare, Page

# Public pages: the same bytes for everyone, so a shared cache (nginx) may
# keep them. ConditionalGetMiddleware adds the ETag for 304s.
public_page = cache_control(public=True, max_age=settings.PUBLIC_PAGE_MAX_AGE)

HOME = ("Home", "/")
PROGRAMS = ("Programs", "/programs/")


def _page(request, template, *, crumbs=(), status=200, **context):
    context["breadcrumbs"] = list(crumbs)
    context["breadcrumbs_ld"] = structured_data.breadcrumb_list(context["breadcrumbs"])
    return render(request, template, context, status=status)


@require_safe
@public_page
def home(request):
    return _page(request, "programs/home.html", levels=selectors.levels_of_care_for_comparison())


@require_safe
@public_page
def program_list(request):
    return _page(
        request,
        "programs/program_list.html",
        crumbs=[HOME, PROGRAMS],
        levels=selectors.levels_of_care_for_comparison(),
    )


def _render_level(request, level, *, preview=False):
    faqs = list(level.faqs.all())
    return _page(
        request,
        "programs/program_detail.html",
        crumbs=[HOME, PROGRAMS, (level.name, level.get_absolute_url())],
        canonical_path=level.get_absolute_url(),
        level=level,
        services=list(level.services.all()),
        faqs=faqs,
        faq_ld=structured_data.faq_page(faqs),
        preview=preview,
    )


@require_safe
@public_page
def program_detail(request, slug):
    try:
        level = selectors.level_of_care_detail(slug=slug)
    except LevelOfCare.DoesNotExist:
        raise Http404("No such program") from None
    return _render_level(request, level)


@require_safe
@public_page
def comparison(request):
    return _page(
        request,
        "programs/comparison.html",
        crumbs=[HOME, ("Levels of care", "/levels-of-care/")],
        levels=selectors.levels_of_care_for_comparison(),
    )


@require_safe
@public_page
def page_detail(request, slug):
    try:
        page = selectors.published_page(slug=slug)
    except Page.DoesNotExist:
        raise Http404("No such page") from None
    return _page(
        request, "programs/page_detail.html", crumbs=[HOME, (page.title, page.get_absolute_url())], page=page
    )


# Staff previews: drafts included, never cached, never indexed.
@never_cache
@staff_member_required
@require_safe
def preview_program(request, pk):
    try:
        level = LevelOfCare.objects.prefetch_related("services", "faqs").get(pk=pk)
    except LevelOfCare.DoesNotExist:
        raise Http404("No such program") from None
    return _render_level(request, level, preview=True)


@never_cache
@staff_member_required
@require_safe
def preview_page(request, pk):
    try:
        page = Page.objects.get(pk=pk)
    except Page.DoesNotExist:
        raise Http404("No such page") from None
    return _page(
        request,
        "programs/page_detail.html",
        crumbs=[HOME, (page.title, page.get_absolute_url())],
        canonical_path=page.get_absolute_url(),
        page=page,
        preview=True,
    )


@require_safe
@public_page
def robots_txt(request):
    lines = [
        "User-agent: *",
        # The admin path is deliberately not listed: robots.txt is public.
        "Disallow: /preview/",
        "Disallow: /admissions/thank-you/",
        f"Sitemap: {settings.SITE_URL}/sitemap.xml",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain")


def server_error(request):
    """The 500 page, with the phone number from the database or, when that is
    what failed, the last copy this process read."""
    response = render(request, "500.html", {"facts": selectors.site_facts_for_error_page()}, status=500)
    response["Cache-Control"] = "no-store"
    return response
