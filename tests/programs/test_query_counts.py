"""Public pages run a fixed number of queries, however much content they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programs import content_cache
from programs.models import FrequentlyAskedQuestion, LevelOfCare, Service

pytestmark = pytest.mark.django_db

IOP = "/programs/intensive-outpatient-program/"
# Site chrome (facts, program menu, footer pages, licenses, accreditations)
# plus the level of care with its services and FAQs, when a worker has
# nothing in memory yet (programs.content_cache).
PROGRAM_PAGE_QUERIES = 10  # with the content-version read; issue 12 added the team (one prefetch)


def queries_for(client, url, *, cold=True):
    if cold:
        content_cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def test_program_page_query_count_is_fixed(client, demo_content):
    client.get(IOP)  # anything lazily set up per process happens outside the count
    assert len(queries_for(client, IOP)) <= PROGRAM_PAGE_QUERIES


def test_a_warm_worker_serves_a_program_page_with_at_most_the_version_check(client, demo_content):
    client.get(IOP)
    content_cache._version_seen = ("", 0.0)  # as if the last version read were over a second ago
    queries = queries_for(client, IOP, cold=False)
    assert len(queries) == 1 and "django_cache" in queries[0], queries


def test_program_page_queries_do_not_grow_with_services_and_faqs(client, demo_content):
    client.get(IOP)
    before = queries_for(client, IOP)

    level = LevelOfCare.objects.get(slug="intensive-outpatient-program")
    extra_services = Service.objects.bulk_create(
        Service(name=f"Extra service {i}", slug=f"extra-service-{i}", description="d", order=100 + i)
        for i in range(20)
    )
    level.services.add(*extra_services)
    FrequentlyAskedQuestion.objects.bulk_create(
        FrequentlyAskedQuestion(
            level_of_care=level, question=f"Extra question {i}?", answer="a", order=100 + i
        )
        for i in range(20)
    )

    after = queries_for(client, IOP)
    html = client.get(IOP).content.decode()
    assert "Extra service 19" in html and "Extra question 19?" in html  # the new rows are really shown
    assert len(after) == len(before), "\n".join(after)


@pytest.mark.parametrize("url", ["/", "/programs/", "/levels-of-care/", "/about/"])
def test_other_public_pages_stay_small(client, demo_content, url):
    client.get(url)
    # Content version, site chrome (5) and the page itself; the home page also reads its picture (issue 12).
    assert len(queries_for(client, url)) <= (8 if url == "/" else 7)
