"""Issue 14, 1,000,000 leads: the dashboard reads LeadWeek (weekly counts kept
in step by a trigger) and walks an index to the medians; the inbox counts a
one-word search in the search index. Each must equal a direct count."""

import datetime
import random

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from admissions.models import Lead, LeadEvent, LeadStatus, LeadWeek
from admissions.services import pipeline
from admissions.staff import dashboard, figures
from admissions.staff.search import SEARCH_TOKEN_VAR, lead_search_count, lead_search_q, search_token
from programs.models import LevelOfCare
from tests.held_open import held_open

from .factories import coordinator, login, make_consultation

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 11, 25, 12, 0))  # a Wednesday


def local(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def assert_counts_match(weeks=52, now=None):
    since, _ = dashboard.weeks_since(weeks, now or NOW)
    for dimension in ("status", "channel", "level_of_care", "source"):
        kept = {
            w: {k: n for k, n in v.items() if n}
            for w, v in figures.weekly_counts(since=since, dimension=dimension).items()
        }
        live = {w: dict(v) for w, v in figures.weekly_counts_live(since=since, dimension=dimension).items()}
        assert {w: v for w, v in kept.items() if v} == live, dimension
    kept_totals = {k: n for k, n in figures.status_totals(since=since).items() if n}
    assert kept_totals == figures.status_totals_live(since=since)


def table():
    """Each count summed over its slots (admissions.models.weekly.SLOTS)."""
    return sorted(
        LeadWeek.objects.values_list("week", "status", "channel", "level_of_care_id", "source")
        .annotate(total=Sum("leads"), reached=Sum("contacted"))
        .filter(total__gt=0)
        .order_by()
    )


@pytest.fixture
def iop():
    return LevelOfCare.objects.create(
        name="Intensive Outpatient Program", slug="iop", short_name="IOP", summary="s",
        days_per_week_min=3, days_per_week_max=5, hours_per_day_min=3, hours_per_day_max=3,
    )  # fmt: skip


def test_weekly_counts_equal_a_direct_count_after_a_mix_of_writes(iop):
    """Every write path: the intake store, the pipeline service (status, call,
    merge, split), a QuerySet.update(), a deletion (as the purge does) and a
    program's deletion (SET NULL on the leads)."""
    assert connection.vendor == "postgresql"
    actor = coordinator()
    leads = [
        make_consultation(attribution={"utm_source": f"src{i % 3}"}, level_of_care=iop if i % 2 else None)[1]
        for i in range(8)
    ]
    assert_counts_match()
    # Backdated across weeks, by update() (no save(), no signal).
    for i, lead in enumerate(leads):
        Lead.objects.filter(pk=lead.pk).update(received_at=NOW - datetime.timedelta(days=3 * i, hours=i))
    assert_counts_match()
    pipeline.lead_call_attempt_record(lead=leads[0], actor=actor, outcome=LeadEvent.CallOutcome.REACHED)
    pipeline.lead_call_attempt_record(lead=leads[1], actor=actor, outcome=LeadEvent.CallOutcome.NO_ANSWER)
    pipeline.lead_status_change(lead=leads[2], to_status=LeadStatus.DECLINED, actor=actor, reason="Not now.")
    pipeline.lead_status_change(lead=leads[3], to_status=LeadStatus.ADMITTED, actor=actor)
    assert_counts_match()
    # A second request from the same person joins the lead; then it is split off again.
    first = Lead.objects.get(pk=leads[4].pk)
    request, same = make_consultation(phone=first.phone, attribution={"utm_source": "later"})
    assert same.pk == first.pk
    assert_counts_match()
    pipeline.lead_split_request(submission=request, actor=actor)
    assert_counts_match()
    pipeline.lead_merge(
        into=Lead.objects.get(pk=leads[5].pk), other=Lead.objects.get(pk=leads[6].pk), actor=actor
    )
    assert_counts_match()
    Lead.objects.filter(pk=leads[7].pk).update(channel="phone", source="")
    Lead.objects.get(pk=leads[0].pk).delete()
    iop.delete()
    assert_counts_match()
    # The rebuild command counts the same from scratch.
    before = table()
    call_command("rebuild_lead_weeks", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert table() == before
    assert sum(row[5] for row in before) == Lead.objects.count()


def test_the_dashboard_shows_the_kept_counts(iop):
    for i in range(5):
        lead = make_consultation(level_of_care=iop)[1]
        Lead.objects.filter(pk=lead.pk).update(received_at=local(2026, 11, 16 + i, 9))
    since, _ = dashboard.weeks_since(4, NOW)
    data = dashboard.build(4, now=NOW)
    assert data["total_leads"] == Lead.objects.filter(received_at__gte=since).count() == 5
    assert [c.svg() for c in data["charts"]] == [
        c.svg() for c in dashboard.build(4, now=NOW, in_python=True)["charts"]
    ]


def test_indexed_medians_equal_percentile_cont():
    rng = random.Random(14)
    for day in range(0, 40, 2):
        for _ in range(rng.randrange(1, 6)):  # odd and even counts per week
            lead = make_consultation()[1]
            received_at = local(2026, 10, 12, 8) + datetime.timedelta(days=day, minutes=rng.randrange(600))
            contacted = received_at + datetime.timedelta(
                seconds=rng.randrange(60, 90000), microseconds=rng.randrange(10**6)
            )
            Lead.objects.filter(pk=lead.pk).update(
                received_at=received_at, first_contact_at=contacted if rng.random() < 0.8 else None
            )
    for weeks in (4, 8, 12):
        since, _ = dashboard.weeks_since(weeks, NOW)
        indexed = figures.weekly_median_first_contact(since=since)
        live = figures.weekly_median_first_contact(since=since, in_python=False)
        assert indexed.keys() == live.keys() and indexed
        for week in live:
            assert abs(indexed[week] - live[week]) <= datetime.timedelta(microseconds=1), week
        overall = figures.median_first_contact(since=since)
        assert abs(
            overall - figures.median_first_contact(since=since, in_python=False)
        ) <= datetime.timedelta(microseconds=1)
    assert figures.median_first_contact(since=dashboard.weeks_since(4, local(2020, 1, 8, 12))[0]) is not None


def test_no_contact_no_median():
    make_consultation()
    since, _ = dashboard.weeks_since(4)
    assert figures.median_first_contact(since=since) is None
    assert figures.weekly_median_first_contact(since=since) == {}


def test_a_one_word_search_is_counted_in_the_index():
    for first in ("José", "Jose", "Maria"):
        make_consultation(first_name=first, last_name="Núñez", email=f"{first.lower()}@example.com")
    for term in ("jose", "NUNEZ", "maria", "jose@example.com"):
        assert lead_search_count(term) == Lead.objects.filter(lead_search_q(term)).count()
    assert lead_search_count("jose nunez") is None  # two words: counted by the query
    assert lead_search_count("5550") is None


def test_the_inbox_count_of_a_search_is_exact(client: Client):
    user = coordinator()
    login(client, user)
    for _ in range(3):
        make_consultation(first_name="Aisha", last_name="Khan")
    closed = make_consultation(first_name="Aisha", last_name="Other")[1]
    Lead.objects.filter(pk=closed.pk).update(status=LeadStatus.DECLINED, close_reason="Not now.")
    url = "/admin/admissions/lead/"
    response = client.get(url, {SEARCH_TOKEN_VAR: search_token("aisha")})
    assert response.context["cl"].result_count == 4
    # With a filter the query counts, not the index.
    response = client.get(url, {SEARCH_TOKEN_VAR: search_token("aisha"), "status": "open"})
    assert response.context["cl"].result_count == 3


def test_the_dashboard_reads_the_medians_once(django_assert_max_num_queries):
    lead = make_consultation()[1]
    Lead.objects.filter(pk=lead.pk).update(first_contact_at=lead.received_at + datetime.timedelta(minutes=9))
    since, _ = dashboard.weeks_since(4)
    weekly, overall = figures.first_contact_medians(since=since)
    assert overall == datetime.timedelta(minutes=9) and list(weekly.values()) == [overall]
    with django_assert_max_num_queries(2):  # the contacted counts, then one walk of the index
        figures.first_contact_medians(since=since)


@pytest.mark.django_db(transaction=True)
def test_two_submissions_in_the_same_week_do_not_wait_for_each_other():
    """Issue 14's fleet load: every new request of a week adds to the same
    count (status new, web form, the same source). Before the slots, the second
    submission waited on that row until the first one committed."""
    with held_open(lambda: make_consultation(first_name="Uno")), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
        make_consultation(first_name="Dos")  # raises OperationalError if it had to wait
    assert Lead.objects.count() == 2
    assert_counts_match(now=timezone.now())
    assert sum(row[5] for row in table()) == 2
