from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_otp.decorators import otp_required

from . import drafts, insurers, renditions, selectors, structured_data
from .languages import alternates_for_content
from .models import LevelOfCare, Page
from .page_memo import public_page


# Breadcrumbs in the active language: names from the catalogue, paths reversed.
def _home():
    return (_("Home"), reverse("programs:home"))


def _programs():
    return (_("Programs"), reverse("programs:list"))


def _page(request, template, *, crumbs=(), status=200, **context):
    context["breadcrumbs"] = list(crumbs)
    context["breadcrumbs_ld"] = structured_data.breadcrumb_list(context["breadcrumbs"])
    return render(request, template, context, status=status)


def _versions(obj, *, preview=False):
    """The language switch and hreflang for content: each language's PUBLISHED
    version only (a preview names the row itself for its own language)."""
    versions = obj.published_versions()
    if preview:
        versions[obj.language] = obj
    return alternates_for_content(versions)


@require_safe
@public_page
def home(request):
    return _page(
        request,
        "programs/home.html",
        levels=selectors.levels_of_care_for_comparison(),
        hero_picture=selectors.home_picture(),
    )


@require_safe
@public_page
def team(request):
    members = selectors.team()
    return _page(
        request,
        "programs/team.html",
        crumbs=[_home(), (_("Our clinical team"), reverse("programs:team"))],
        team=members,
        people_ld=structured_data.people(members),
    )


@require_safe
@public_page
def program_list(request):
    return _page(
        request,
        "programs/program_list.html",
        crumbs=[_home(), _programs()],
        levels=selectors.levels_of_care_for_comparison(),
    )


def _render_level(request, level, *, services=None, faqs=None, team=None, preview=False, **context):
    faqs = list(level.faqs.all()) if faqs is None else faqs
    team = list(level.team.all()) if team is None else team
    return _page(
        request,
        "programs/program_detail.html",
        crumbs=[_home(), _programs(), (level.name, level.get_absolute_url())],
        canonical_path=level.get_absolute_url(),
        alternates=_versions(level, preview=preview),
        level=level,
        services=list(level.services.all()) if services is None else services,
        faqs=faqs,
        faq_ld=structured_data.faq_page(faqs, level.language),
        page_ld=structured_data.web_page(level, medical=True),
        team=team,
        people_ld=structured_data.people(team),
        preview=preview,
        **context,
    )


@require_safe
@public_page
def program_detail(request, slug):
    # The slug in the URL's language only: a page not published in this
    # language is a 404, never the English text under a Spanish address.
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
        crumbs=[_home(), (_("Levels of care"), reverse("programs:comparison"))],
        levels=selectors.levels_of_care_for_comparison(),
    )


@require_safe
@public_page
def page_detail(request, slug):
    try:
        page = selectors.published_page(slug=slug)
    except Page.DoesNotExist:
        raise Http404("No such page") from None
    return _render_page(request, page)


def _render_page(request, page, *, preview=False, **context):
    return _page(
        request,
        "programs/page_detail.html",
        crumbs=[_home(), (page.title, page.get_absolute_url())],
        canonical_path=page.get_absolute_url(),
        alternates=_versions(page, preview=preview),
        page=page,
        page_ld=structured_data.web_page(page),
        # The page's role, not its address: a translation has its own slug.
        insurers=insurers.directory() if page.original.slug == "insurance" else None,
        show_licenses=page.original.slug == "licensing",
        preview=preview,
        **context,
    )


# Staff previews: the draft if there is one (else what is live, or would
# be), through the public templates; never cached, never indexed. In the
# row's own language, whichever address the preview was opened at.
def _preview_of(model, pk):
    try:
        obj = model.objects.select_related("draft_updated_by", "translation_of").get(pk=pk)
    except model.DoesNotExist:
        raise Http404("Nothing to preview") from None
    drafts.apply(obj, drafts.working_copy(obj))
    return obj, {"preview_of_draft": obj.draft is not None, "preview_object": obj}


def _in_language_of(obj, render_page):
    with translation.override(obj.language):
        response = render_page()
    response["Content-Language"] = obj.language
    return response


@never_cache
@staff_member_required
@otp_required(login_url="/" + settings.ADMIN_PATH + "mfa/")  # a password alone reads no draft
@require_safe
def preview_program(request, pk):
    level, context = _preview_of(LevelOfCare, pk)
    relations = drafts.preview_relations(level)
    return _in_language_of(
        level,
        lambda: _render_level(
            request,
            level,
            services=relations["services"],
            faqs=relations["faqs"],
            team=[member for member in relations["team"] if member.active],
            preview=True,
            **context,
        ),
    )


@never_cache
@staff_member_required
@otp_required(login_url="/" + settings.ADMIN_PATH + "mfa/")  # a password alone reads no draft
@require_safe
def preview_page(request, pk):
    page, context = _preview_of(Page, pk)
    return _in_language_of(page, lambda: _render_page(request, page, preview=True, **context))


@require_safe
def rendition(request, name):
    """A picture's rendition from MEDIA, made now if it went missing. The name
    changes whenever the picture does, so it may be cached for a year."""
    found = renditions.rendition_for_name(name)
    if found is None:
        raise Http404("No such picture")
    picture, item = found
    if not default_storage.exists(item.name):
        renditions.ensure(picture, [item.shape])
    response = FileResponse(default_storage.open(item.name, "rb"), content_type=item.mime)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@require_safe
@public_page
def robots_txt(request):
    lines = ["User-agent: *"]
    # The admin path is deliberately not listed: robots.txt is public.
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            home = reverse("programs:home")
            thanks = reverse("admissions:consultation_thanks")
        lines.append(f"Disallow: {home}preview/")
        # The thank-you pages' folder: /admissions/thank-you/, /es/admisiones/gracias/.
        lines.append(f"Disallow: {thanks.rstrip('/').rsplit('/', 1)[0]}/")
    lines += [f"Sitemap: {settings.SITE_URL}/sitemap.xml", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain")


def server_error(request):
    """The 500 page, with the phone number from the database or, when that is
    what failed, the last copy this process read."""
    response = render(request, "500.html", {"facts": selectors.site_facts_for_error_page()}, status=500)
    response["Cache-Control"] = "no-store"
    return response
