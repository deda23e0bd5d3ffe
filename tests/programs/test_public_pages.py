import pytest

from programs.models import LevelOfCare, PublicationStatus

PUBLIC_URLS = [
    "/",
    "/programs/",
    "/programs/intensive-outpatient-program/",
    "/programs/partial-hospitalization-program/",
    "/programs/outpatient-program/",
    "/levels-of-care/",
    "/about/",
    "/insurance/",
    "/sober-living/",
    "/privacy/",
    "/accessibility/",
    "/licensing/",
]


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_page_renders_with_call_link_and_ctas(client, demo_content, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="tel:+19495550142"' in html
    assert 'href="/admissions/consultation/"' in html
    assert 'href="/admissions/verify-insurance/"' in html


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_page_is_cacheable_and_sets_no_cookie(client, demo_content, url):
    response = client.get(url)
    assert "public" in response["Cache-Control"]
    assert "max-age=300" in response["Cache-Control"]
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    etag = response["ETag"]
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304


def test_draft_program_is_invisible_to_the_public(client, demo_content):
    LevelOfCare.objects.filter(slug="outpatient-program").update(status=PublicationStatus.DRAFT)
    assert client.get("/programs/outpatient-program/").status_code == 404
    for url in ["/", "/programs/", "/levels-of-care/"]:
        assert "/programs/outpatient-program/" not in client.get(url).content.decode()


def test_unknown_page_is_404_in_site_style(client, demo_content):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We couldn’t find that page" in response.content.decode()
    assert 'href="tel:+19495550142"' in response.content.decode()
