"""The dashboard: weekly figures aggregated in SQL, drawn as accessible SVG
on the server, the same in the Python fallback used on SQLite."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from admissions.models import Lead, LeadStatus
from admissions.staff import charts, dashboard
from admissions.staff import figures as selectors
from programs.models import LevelOfCare

from .factories import content_editor, coordinator, login, make_consultation, manager

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/admissions/lead/dashboard/"
SVG = "{http://www.w3.org/2000/svg}"


def local(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def lead_at(received_at, *, contact_after=None, status=LeadStatus.NEW, source="direct", level=None) -> Lead:
    lead = make_consultation(attribution={"utm_source": source}, level_of_care=level)[1]
    Lead.objects.filter(pk=lead.pk).update(
        received_at=received_at,
        first_contact_at=received_at + contact_after if contact_after is not None else None,
        status=status,
        close_reason="Test close" if status in dashboard.STATUS_GROUPS[3][2] else "",
        source=source,
    )
    return Lead.objects.get(pk=lead.pk)


# A Wednesday noon, so "this week" starts on Monday Nov 23, 2026 (Pacific).
NOW = local(2026, 11, 25, 12, 0)


@pytest.fixture
def iop():
    return LevelOfCare.objects.create(
        name="Intensive Outpatient Program",
        slug="iop",
        short_name="IOP",
        summary="s",
        days_per_week_min=3,
        days_per_week_max=5,
        hours_per_day_min=3,
        hours_per_day_max=3,
    )


def chart(data, slug):
    return next(c for c in data["charts"] if c.slug == slug)


def column(one_chart, week):
    index = one_chart.weeks.index(week)
    return {s.label: s.values[index] for s in one_chart.series}


def test_weeks_follow_local_mondays_not_utc():
    # Sunday 23:30 in California is already Monday in UTC: it belongs to the week before.
    lead_at(local(2026, 11, 22, 23, 30))
    lead_at(local(2026, 11, 23, 0, 30))
    data = dashboard.build(4, now=NOW)
    status = chart(data, "chart-status")
    assert status.weeks[-2:] == [datetime.date(2026, 11, 16), datetime.date(2026, 11, 23)]
    assert column(status, datetime.date(2026, 11, 16))["New"] == 1
    assert column(status, datetime.date(2026, 11, 23))["New"] == 1


def test_counts_by_status_level_and_source(iop):
    week = datetime.date(2026, 11, 16)
    monday = local(2026, 11, 16, 9)
    lead_at(monday, status=LeadStatus.NEW, source="google", level=iop)
    lead_at(monday, status=LeadStatus.CONTACTED, source="google")
    lead_at(monday, status=LeadStatus.ADMITTED, source="referral")
    lead_at(monday, status=LeadStatus.SPAM, source="direct")
    lead_at(local(2026, 8, 1, 9), source="long-ago")  # before the range
    data = dashboard.build(4, now=NOW)
    assert column(chart(data, "chart-status"), week) == {
        "New": 1,
        "Being worked": 1,
        "Admitted": 1,
        "Closed": 1,
    }
    assert column(chart(data, "chart-level"), week) == {"IOP": 1, "Not sure": 3}
    assert column(chart(data, "chart-source"), week) == {"google": 2, "direct": 1, "referral": 1}
    assert data["total_leads"] == 4
    assert dict(data["status_totals"])["Admitted"] == 1


def test_leads_per_week_are_split_by_channel():
    """Issue 10: phoned-in, walk-in and referral leads show beside web forms."""
    week = datetime.date(2026, 11, 16)
    monday = local(2026, 11, 16, 9)
    web = lead_at(monday)
    phoned = lead_at(monday)
    walked_in = lead_at(monday)
    Lead.objects.filter(pk=phoned.pk).update(channel="phone")
    Lead.objects.filter(pk=walked_in.pk).update(channel="walk_in")
    assert web.channel == "web"
    counts = column(chart(dashboard.build(4, now=NOW), "chart-channel"), week)
    assert counts == {"Web form": 1, "Phone call": 1, "Walk-in": 1, "Referral": 0, "Email": 0}


def test_small_sources_are_grouped_so_a_spammer_cannot_flood_the_chart():
    monday = local(2026, 11, 16, 9)
    for i in range(dashboard.TOP_SOURCES + 4):
        lead_at(monday, source=f"src{i}")
    lead_at(monday, source="src0")
    series = chart(dashboard.build(4, now=NOW), "chart-source").series
    assert len(series) == dashboard.TOP_SOURCES + 1
    assert series[0].label == "src0" and series[-1].label == "All other sources"
    assert series[-1].values[-2] == 4


def test_median_time_to_first_contact_per_week_sql_and_python_agree():
    monday = local(2026, 11, 16, 9)
    for minutes in (10, 20, 30, 40):  # even count: the median is the mean of the middle two
        lead_at(monday, contact_after=datetime.timedelta(minutes=minutes))
    lead_at(monday)  # never contacted: not part of the median
    lead_at(local(2026, 11, 9, 9), contact_after=datetime.timedelta(hours=5))
    since, _ = dashboard.weeks_since(4, NOW)
    in_sql = selectors.weekly_median_first_contact(since=since, in_python=False)
    in_python = selectors.weekly_median_first_contact(since=since, in_python=True)
    assert (
        in_sql
        == in_python
        == {
            datetime.date(2026, 11, 16): datetime.timedelta(minutes=25),
            datetime.date(2026, 11, 9): datetime.timedelta(hours=5),
        }
    )
    assert selectors.median_first_contact(since=since, in_python=False) == datetime.timedelta(minutes=30)
    assert selectors.median_first_contact(since=since, in_python=True) == datetime.timedelta(minutes=30)
    assert connection.vendor == "postgresql"


def test_the_python_fallback_draws_the_same_dashboard(iop):
    monday = local(2026, 11, 16, 9)
    lead_at(monday, contact_after=datetime.timedelta(minutes=7), level=iop, source="google")
    lead_at(local(2026, 11, 3, 9), contact_after=datetime.timedelta(hours=30), status=LeadStatus.DECLINED)
    in_sql = dashboard.build(8, now=NOW, in_python=False)
    in_python = dashboard.build(8, now=NOW, in_python=True)
    assert [c.svg() for c in in_sql["charts"]] == [c.svg() for c in in_python["charts"]]
    assert in_sql["median_first_contact"] == in_python["median_first_contact"]


def test_charts_are_accessible_svg_with_titles_and_escaped_labels():
    lead_at(
        local(2026, 11, 16, 9),
        source='<script>alert("x")</script>',
        contact_after=datetime.timedelta(minutes=3),
    )
    data = dashboard.build(4, now=NOW)
    for one in data["charts"]:
        markup = str(one.svg())
        assert "<script" not in markup
        svg = ET.fromstring(markup)  # noqa: S314  (our own output, parsed to check it)
        assert svg.tag == f"{SVG}svg" and svg.get("role") == "img"
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert title.text == one.title and desc.text
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert svg.findall(f".//{SVG}rect"), one.slug
    source_svg = str(chart(data, "chart-source").svg())
    assert "&lt;script&gt;" in source_svg


def test_dashboard_page_renders_charts_legends_and_tables(client):
    lead_at(
        timezone.now() - datetime.timedelta(days=1),
        contact_after=datetime.timedelta(minutes=12),
        source="<b>x</b>",
    )
    login(client, coordinator())
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    page = response.content.decode()
    content = page.split('id="content-main"', 1)[1].split("</main>", 1)[0]
    # Five charts since issue 10 added leads by channel; each with its table.
    assert content.count('class="lead-chart-svg"') == 5
    assert content.count("<table>") == 6
    assert "Median time to first contact" in page and "12 min" in page
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
    assert "<script" not in content


@pytest.mark.parametrize("weeks", ["abc", "1000", "-1", "", "12; DROP TABLE"])
def test_odd_week_counts_fall_back_to_the_default(client, weeks):
    login(client, coordinator())
    response = client.get(DASHBOARD, {"weeks": weeks})
    assert response.status_code == 200
    assert len(response.context["charts"][0].weeks) == dashboard.DEFAULT_WEEKS


def test_a_year_of_weeks_and_an_empty_database(client):
    login(client, manager())
    response = client.get(DASHBOARD, {"weeks": "52"})
    assert response.status_code == 200
    assert len(response.context["charts"][0].weeks) == 52
    assert "no contacts yet" in response.content.decode()


def test_dashboard_query_count_does_not_grow_with_leads(client, iop):
    login(client, coordinator())
    lead_at(timezone.now(), contact_after=datetime.timedelta(minutes=5), level=iop)
    client.get(DASHBOARD)
    with CaptureQueriesContext(connection) as few:
        client.get(DASHBOARD)
    few = len(few)
    for i in range(40):
        lead_at(
            timezone.now() - datetime.timedelta(days=i),
            contact_after=datetime.timedelta(minutes=i),
            source=f"s{i % 9}",
        )
    with CaptureQueriesContext(connection) as many:
        client.get(DASHBOARD)
    assert len(many) == few


def test_only_the_dashboard_permission_opens_it():
    assert login(Client(), content_editor()).get(DASHBOARD).status_code == 403
    assert Client().get(DASHBOARD).status_code == 302


@pytest.mark.parametrize(
    ("maximum", "ticks"),
    [
        (0, [0, 1]),
        (1, [0, 1]),
        (3, [0, 1, 2, 3]),
        (6, [0, 2, 4, 6]),
        (7, [0, 2, 4, 6, 8]),
        (11, [0, 5, 10, 15]),
        (240, [0, 100, 200, 300]),
        (2600, [0, 1000, 2000, 3000]),
    ],
)
def test_count_axes_step_in_whole_round_numbers(maximum, ticks):
    assert charts.axis_ticks(maximum) == ticks


def test_hour_axes_may_step_in_fractions():
    assert charts.axis_ticks(0.9, whole=False) == [0, 0.5, 1.0]
    assert charts.axis_ticks(0, whole=False) == [0, 0.5, 1.0]
