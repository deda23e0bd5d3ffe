"""Whatever an editor (or a stolen editor account) types, nothing executable is
stored in body_html, and plain-text fields reach the page escaped."""

from urllib.parse import urlsplit

import pytest

from programs.markup import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from programs.models import FrequentlyAskedQuestion, LevelOfCare, Page, PublicationStatus, Service

from .html_parts import parse

pytestmark = pytest.mark.django_db

HOSTILE_MARKDOWN = {
    "script": "Hello <script>alert(1)</script> world",
    "script_block": "<script>\nalert(document.cookie)\n</script>\n\nAfter",
    "img_onerror": '<img src=x onerror="alert(1)">',
    "markdown_image_onerror": '![photo](x" onerror="alert(1))',
    "svg_onload": "<svg onload=alert(1)><circle r=1></svg>",
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "object": '<object data="https://evil.example/x.swf"></object>',
    "javascript_link": "[click me](javascript:alert(1))",
    "javascript_link_mixed_case": "[click me](JaVaScRiPt:alert(1))",
    "javascript_link_entity": "[click me](jav&#x61;script:alert(1))",
    "javascript_link_tab": "[click me](java\tscript:alert(1))",
    "javascript_autolink": "<javascript:alert(1)>",
    "vbscript_link": "[click me](vbscript:msgbox(1))",
    "data_link": "[click me](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "raw_anchor": '<a href="javascript:alert(1)" onclick="alert(2)">x</a>',
    "style": "<style>body{display:none}</style>",
    "form": '<form action="https://evil.example/"><input name="q"></form>',
    "link_title_breakout": '[x](https://ok.example/ "a\\" onmouseover=\\"alert(1)")',
    "html_in_table": "| a | b |\n|---|---|\n| <script>x</script> | <img src=x onerror=y> |",
}

SAFE_SCHEMES = {"http", "https", "mailto", "tel"}


def assert_nothing_executable(html):
    for el in parse(html).elements:
        assert el.tag in ALLOWED_TAGS, f"tag <{el.tag}> survived: {html!r}"
        allowed = ALLOWED_ATTRIBUTES.get(el.tag, set()) | ({"rel"} if el.tag == "a" else set())
        assert set(el.attrs) <= allowed, f"attributes {set(el.attrs) - allowed} survived: {html!r}"
        if "href" in el.attrs:
            scheme = urlsplit(el.attrs["href"].strip()).scheme.lower()
            assert scheme in SAFE_SCHEMES | {""}, f"href scheme {scheme!r} survived: {html!r}"


@pytest.mark.parametrize("source", HOSTILE_MARKDOWN.values(), ids=HOSTILE_MARKDOWN.keys())
@pytest.mark.parametrize("model", [Page, LevelOfCare])
def test_hostile_markdown_stores_nothing_executable(model, source):
    if model is Page:
        obj = Page.objects.create(title="T", slug="t", body=source)
    else:
        obj = LevelOfCare.objects.create(
            name="T", slug="t", short_name="T", summary="s", days_per_week_min=1, days_per_week_max=1,
            hours_per_day_min=1, hours_per_day_max=1, typical_length="x", who_it_fits="x", fit_summary="x",
            body=source,
        )  # fmt: skip
    obj.refresh_from_db()
    assert_nothing_executable(obj.body_html)
    lowered = obj.body_html.lower()
    assert "<script" not in lowered and "<iframe" not in lowered


def test_markdown_editors_need_still_renders():
    page = Page.objects.create(
        title="T",
        slug="t",
        body="## Heading\n\n- one\n- **two**\n\n[Call us](tel:+19495550142) or [read](https://example.org/x)",
    )
    html = page.body_html
    assert "<h2>Heading</h2>" in html
    assert "<li><strong>two</strong></li>" in html
    assert '<a href="tel:+19495550142" rel="noopener noreferrer">Call us</a>' in html
    assert 'href="https://example.org/x"' in html


def test_saving_with_update_fields_re_renders_the_body():
    page = Page.objects.create(title="T", slug="t", body="First")
    page.body = "Second <script>alert(1)</script>"
    page.save(update_fields=["body"])
    page.refresh_from_db()
    assert "Second" in page.body_html
    assert_nothing_executable(page.body_html)


def test_script_typed_into_the_body_shows_as_text_on_the_public_page(client, demo_content):
    Page.objects.filter(translation_of__slug="about").delete()  # translations first (PROTECT)
    Page.objects.filter(slug="about").delete()
    Page.objects.create(
        title="About",
        slug="about",
        status=PublicationStatus.PUBLISHED,
        body="<script>alert('body')</script> <img src=x onerror=alert(1)>",
    )
    html = client.get("/about/").content.decode()
    assert "&lt;script&gt;alert(" in html
    assert_only_structured_data_scripts(html)
    assert not [el for el in parse(html).elements if "onerror" in el.attrs]


# The one script file every page loads (first-party attribution for the
# admissions forms); anything else that executes would be injected.
SITE_SCRIPT = {"src": "/static/js/attribution.js", "defer": ""}


def assert_only_structured_data_scripts(html):
    scripts = parse(html).scripts()
    assert scripts, "expected the JSON-LD scripts"
    for script in scripts:
        if script.attrs == SITE_SCRIPT:
            assert not script.text.strip(), script.text
            continue
        assert script.attrs == {"type": "application/ld+json"}, script.attrs


PAYLOAD = "<script>alert('x')</script>"


def test_plain_text_fields_are_escaped_on_the_program_page(client, demo_content):
    level = LevelOfCare.objects.get(slug="intensive-outpatient-program")
    level.summary = f"Summary {PAYLOAD}"
    level.who_it_fits = f"Criterion {PAYLOAD}"
    level.benefits = f"Benefit {PAYLOAD}"
    level.typical_length = f"{PAYLOAD}"
    level.save()
    FrequentlyAskedQuestion.objects.create(
        level_of_care=level,
        question=f"Question {PAYLOAD}?",
        answer=f"Answer {PAYLOAD}\n<b onmouseover=x>b</b>",
    )
    Service.objects.filter(slug="group-therapy").update(description=f"Service {PAYLOAD}")

    html = client.get(level.get_absolute_url()).content.decode()
    for text in ["Summary", "Criterion", "Benefit", "Question", "Answer", "Service"]:
        assert f"{text} &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html, text
    assert "&lt;b onmouseover=x&gt;b&lt;/b&gt;" in html
    assert_only_structured_data_scripts(html)
    assert not [el for el in parse(html).elements if el.tag == "b"]


def test_plain_text_page_summary_is_escaped(client, demo_content):
    Page.objects.filter(slug="insurance").update(summary=f"Cover {PAYLOAD}", seo_description="")
    html = client.get("/insurance/").content.decode()
    assert "Cover &lt;script&gt;" in html
    assert_only_structured_data_scripts(html)
