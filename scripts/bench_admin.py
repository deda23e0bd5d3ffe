"""Admin benchmark: the lead inbox, a search by phone, the lead page and the
dashboard with 100,000 leads in PostgreSQL. Not a timed test; it prints figures.

    .venv/bin/python scripts/bench_admin.py [--leads 100000] [--repeat 5]

Makes its own database (sheer_h6_bench on the server in DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/), migrates it, inserts the leads with
bulk_create in batches (phone and email encrypted and hashed exactly as the
intake stores them), then times each page through Django's test client as a
signed-in manager (password and second factor). For each page it prints the
query count (measured once, with the queries captured) and the median ms of
the repeats (measured without capturing). The inbox is also measured at 25, 50
and 100 rows a page: its query count must not change with the page size.
The database is dropped at the end, also when something fails.
"""

import argparse
import datetime
import os
import random
import re
import statistics
import sys
import time
from urllib.parse import quote, urlsplit

from harness import ROOT, database

sys.path.insert(0, str(ROOT))

DB_NAME = "sheer_h6_bench"
SERVER = os.environ.get("BENCH_DATABASE_SERVER", database.LOCAL_SERVER)
os.environ["DATABASE_URL"] = f"{SERVER}/{DB_NAME}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sheer_site.settings.test")

FIRST = [
    "Maria",
    "James",
    "Ana",
    "Daniel",
    "Sofia",
    "Michael",
    "Lucia",
    "David",
    "Emily",
    "Jose",
    "Grace",
    "Kevin",
]
LAST = ["Lopez", "Smith", "Nguyen", "Garcia", "Kim", "Johnson", "Martinez", "Brown", "Tran", "Davis", "Patel"]
SOURCES = [
    "google",
    "direct",
    "facebook",
    "bing",
    "referral",
    "psychologytoday.com",
    "instagram",
    "newsletter",
]
STATUS_WEIGHTS = {
    "new": 4,
    "contact_attempted": 8,
    "contacted": 8,
    "insurance_verification": 6,
    "verified": 4,
    "assessment_scheduled": 3,
    "admitted": 12,
    "not_a_fit": 10,
    "referred_out": 8,
    "unreachable": 20,
    "declined": 9,
    "duplicate": 4,
    "spam": 4,
}


def seed(count: int, batch: int = 5000):
    from django.contrib.auth import get_user_model

    from admissions.contact import email_lookup, phone_lookup
    from admissions.models import OPEN_STATUSES, Lead, RequestKind
    from programs.models import LevelOfCare
    from tests.admissions.factories import coordinator, make_consultation

    rng = random.Random(20261127)
    levels = list(LevelOfCare.objects.all()) + [None]
    coordinators = [coordinator(f"coordinator{i}") for i in range(6)]
    statuses, weights = zip(*STATUS_WEIGHTS.items(), strict=True)
    now = datetime.datetime.now(tz=datetime.UTC)
    created = 0
    started = time.perf_counter()
    while created < count:
        rows = []
        for i in range(created, min(created + batch, count)):
            phone = f"+1714{2000000 + i:07d}"
            email = f"person{i}@example.com" if i % 3 else ""
            status = rng.choices(statuses, weights)[0]
            received = now - datetime.timedelta(seconds=rng.randint(0, 365 * 86400))
            contacted = (
                status not in ("new", "contact_attempted", "unreachable", "spam") or rng.random() < 0.2
            )
            rows.append(
                Lead(
                    first_name=rng.choice(FIRST),
                    last_name=rng.choice(LAST),
                    phone=phone,
                    email=email,
                    phone_lookup=phone_lookup(phone),
                    email_lookup=email_lookup(email),
                    status=status,
                    close_reason="Benchmark close" if status not in (*OPEN_STATUSES, "admitted") else "",
                    assigned_to=rng.choice(coordinators) if status != "new" else None,
                    follow_up_at=received + datetime.timedelta(days=rng.randint(1, 5))
                    if status in OPEN_STATUSES and rng.random() < 0.5
                    else None,
                    kind=RequestKind.INSURANCE if rng.random() < 0.35 else RequestKind.CONSULTATION,
                    level_of_care=rng.choice(levels),
                    source=rng.choice(SOURCES),
                    received_at=received,
                    first_contact_at=received + datetime.timedelta(minutes=rng.randint(2, 2 * 24 * 60))
                    if contacted
                    else None,
                    last_activity_at=received,
                )
            )
        Lead.objects.bulk_create(rows, batch_size=batch)
        created += len(rows)
    seconds = time.perf_counter() - started
    # One lead made by the real intake service, with its submission, for the lead page.
    _, sample = make_consultation(phone="+17149990001", first_name="Benchmark", last_name="Person")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    manager = get_user_model().objects.create_user(username="bench_manager", password="x" * 20, is_staff=True)
    from tests.admissions.factories import MANAGER, role_group

    manager.groups.add(role_group(MANAGER))
    return seconds, sample, manager


def measure(client, url, repeat, method="get", data=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call = getattr(client, method)
    response = call(url, data) if data else call(url)  # warm-up
    assert response.status_code in (200, 302), (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = call(url, data) if data else call(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    count = len(queries)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = call(url, data) if data else call(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        timings.append((time.perf_counter() - started) * 1000)
    return count, statistics.median(timings), response


def profile(client, urls):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        print(f"\n{url[:80]}")
        for query in queries.captured_queries:
            print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:110]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print each query's time for a few pages")
    args = parser.parse_args()

    database.fresh(SERVER, DB_NAME)
    try:
        import django

        django.setup()
        from django.contrib import admin
        from django.core.management import call_command
        from django.test import Client
        from django.urls import reverse
        from django.utils import timezone

        from admissions.models import Lead
        from programs.demo_content import load_demo_content
        from programs.models import LevelOfCare
        from tests.admissions.factories import login

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        load_demo_content()
        print(f"database {DB_NAME}: migrated in {time.perf_counter() - started:.1f} s")
        seconds, sample, manager = seed(args.leads)
        print(
            f"inserted {args.leads:,} leads in {seconds:.1f} s "
            f"({args.leads / seconds:,.0f}/s, phone and email encrypted and hashed)"
        )

        client = login(Client(), manager)
        lead_admin = admin.site._registry[Lead]
        inbox = reverse("admin:admissions_lead_changelist")
        results = []

        for per_page in (25, 50, 100):
            lead_admin.list_per_page = per_page
            count, ms, _ = measure(client, inbox, args.repeat)
            results.append((f"inbox, open leads, {per_page} a page", count, ms))
        lead_admin.list_per_page = 50
        for label, query in [
            ("inbox, all statuses", "?status=all"),
            ("inbox, page 200 of all", "?status=all&p=200"),
            ("inbox, my leads + overdue", "?coordinator=me&attention=overdue"),
            ("inbox, insurance, IOP, past 7 days", None),
        ]:
            if query is None:
                # As the date filter's "Past 7 days" link writes it: local midnight with its offset.
                midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
                week_ago = quote(str(midnight - datetime.timedelta(days=7)))
                iop = LevelOfCare.objects.get(short_name="IOP").pk
                query = f"?kind__exact=insurance&level_of_care__id__exact={iop}&received_at__gte={week_ago}"
            count, ms, _ = measure(client, inbox + query, args.repeat)
            results.append((label, count, ms))

        search = reverse("admin:admissions_lead_search")
        for label, term in [
            ("search by phone (keyed hash)", "(714) 205-0123"),
            ("search by email (keyed hash)", "person4243@example.com"),
            ("search by name (icontains)", "garcia"),
        ]:
            location = client.post(search, {"q": term, "status": "all"})["Location"]
            count, ms, response = measure(client, location, args.repeat)
            found = int(re.search(r"(\d+) results?<", response.content.decode()).group(1))
            results.append((f"{label}: {found:,} found", count, ms))
            assert urlsplit(location).query.count("714") == 0

        count, ms, _ = measure(client, reverse("admin:admissions_lead_change", args=[sample.pk]), args.repeat)
        results.append(("lead page (with its submission)", count, ms))
        for weeks in (12, 52):
            count, ms, _ = measure(
                client, reverse("admin:admissions_lead_dashboard") + f"?weeks={weeks}", args.repeat
            )
            results.append((f"dashboard, {weeks} weeks", count, ms))
        count, ms, response = measure(client, reverse("admin:admissions_lead_export") + "?status=open", 1)
        results.append(("CSV export of all open leads (streamed)", count, ms))

        if args.profile:
            profile(client, [inbox, location, reverse("admin:admissions_lead_dashboard")])
            import cProfile
            import pstats

            with cProfile.Profile() as profiler:
                response = client.get(reverse("admin:admissions_lead_export") + "?status=open")
                b"".join(response.streaming_content)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(15)
            with cProfile.Profile() as profiler:
                client.get(reverse("admin:admissions_lead_dashboard"))
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)

        width = max(len(label) for label, _, _ in results)
        print(f"\n{'page':<{width}}  queries  median ms ({args.repeat} runs)")
        for label, count, ms in results:
            print(f"{label:<{width}}  {count:>7}  {ms:>9.1f}")
        counts = {count for label, count, _ in results if label.startswith("inbox, open leads")}
        print(
            "\nqueries per inbox page at 25/50/100 rows:",
            "the same" if len(counts) == 1 else f"DIFFERENT {sorted(counts)}",
        )
        print("(each count includes the session, user, second-factor device and permission look-ups)")
    finally:
        from django.db import connections

        connections.close_all()
        database.drop(SERVER, DB_NAME)
        print(f"database {DB_NAME} dropped")


if __name__ == "__main__":
    main()
