#!/usr/bin/env python
"""Cost as the data grows: 10,000, 100,000 and 1,000,000 leads in PostgreSQL.

Fills a scratch database (sheer_h8_growth on the shared server, or
--database-url) step by step with leads and one consultation request each,
written with COPY: encrypted columns hold real tokens from admissions.phi.crypto
(a few hundred precomputed and reused), lookup columns real HMACs of distinct
phones and emails. Statuses, coordinators, sources and dates are spread over
three years as an admissions team's would be (recent leads open, older ones
closed or admitted). At each size it times, in this process with production
settings (median of --repeat runs after one warm-up):

  - the de-duplication lookup (admissions.intake.store.lead_find_recent);
  - the admin inbox, first page, as a superuser through Django's test Client;
  - the inbox filtered (status New) and searched by phone, and by name;
  - search through the keyed-token index (admissions.models.search): a
    unique last name, a common first name (1 lead in 10), the last 7 and the
    last 4 phone digits, an exact email;
  - the Today view (waiting leads and follow-ups due, mine first);
  - the dashboard page (all its queries);

and prints each one's query count and the EXPLAIN plan of its main query.

Targets (issue 14), checked at 1,000,000 leads (the largest size measured):
the dashboard <= 200 ms, the inbox's first page, every search and the Today
view <= 100 ms, and each page's query count the same at every size measured.
Each figure is printed against its target and as a ratio to two baselines
timed in the same run (an ORM `SELECT 1` round trip and the admin's index
page), with the machine's load average, since the machine may be shared. The
script exits 1 when a target is missed (the median over --runs).

    .venv/bin/python scripts/growth_bench.py                     # 10k, 100k, 1M (~10 min)
    .venv/bin/python scripts/growth_bench.py --sizes 10000 --keep
    .venv/bin/python scripts/growth_bench.py --sizes 1000000 --keep        # build once (~3-8 min)
    .venv/bin/python scripts/growth_bench.py --sizes 1000000 --reuse --runs 3

--reuse keeps the database built by an earlier --keep (migrating it to the
current code, growing it only if it holds fewer leads than asked); --db-name
names another scratch database. The database is dropped at the end unless
--keep or --reuse. Figures: docs/performance.md.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
import uuid

from harness import ROOT, database, site
from harness.process import log

DB = "sheer_h8_growth"
SOURCES = ["google", "direct", "facebook", "bing", "instagram", "psychologytoday.com", "alumni", "tv"]
FINAL = ["admitted", "not_a_fit", "referred_out", "unreachable", "declined", "duplicate"]
OPEN = ["new", "contact_attempted", "contacted", "insurance_verification", "verified", "assessment_scheduled"]
SPAN_DAYS = 3 * 365
NAMES = ["Maria", "James", "Linda", "Daniel", "Aisha", "Wei", "Olga", "Carlos", "Fatima", "Noah"]
SURNAMES = ["Lopez", "Smith", "Kim", "Nguyen", "Garcia", "Johnson", "Brown", "Patel", "Chen", "Davis"]


def surname_of(n: int) -> str:
    """A last name unique to lead n, made of letters only (names allow no digits)."""
    letters, k = "", n
    while k:
        k, r = divmod(k, 26)
        letters += chr(ord("a") + r)
    return f"{SURNAMES[(n // 10) % 10]}{letters}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--plans", action="store_true", help="print full EXPLAIN plans")
    parser.add_argument("--db-name", default=DB, help=f"scratch database name (default {DB})")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the database an earlier --keep left (migrated first)"
    )
    parser.add_argument("--runs", type=int, default=1, help="measure each size this many times")
    options = parser.parse_args(argv)
    sizes = [int(s) for s in options.sizes.split(",")]

    url = options.database_url
    if not url and options.reuse:
        url = f"{database.SHARED_SERVER}/{options.db_name}"
        log(f"reusing {options.db_name}")
        env = site.fleet_env(url, DJANGO_ALLOWED_HOSTS="testserver")
        site.manage(env, "migrate", "--noinput", "-v0")
    elif not url:
        log(f"preparing {options.db_name}")
        url = database.fresh(database.SHARED_SERVER, options.db_name)
        env = site.fleet_env(url, DJANGO_ALLOWED_HOSTS="testserver")
        site.setup_database(env)
    env = site.fleet_env(url, DJANGO_ALLOWED_HOSTS="testserver")
    site.collect_static(env)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    try:
        results = []
        for size in sizes:
            grow_to(size)
            for run in range(options.runs):
                results.append(measure(size, options))
                log(f"{size:,} leads, run {run + 1} of {options.runs} measured")
        print_table(results)
        missed = check_targets(results)
    finally:
        from django.db import connection

        connection.close()
        if not (options.keep or options.reuse or options.database_url):
            database.drop(database.SHARED_SERVER, options.db_name)
    return 1 if missed else 0


# ------------------------------------------------------------------------ data


def token_pool(field, make, n=300):
    return [field.get_prep_value(make(i)) for i in range(n)]


def grow_to(size: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from admissions.contact import email_lookup, email_tokens, name_tokens, phone_lookup, phone_tokens
    from admissions.intake.forms import current_consent
    from admissions.models import ConsultationRequest, Lead
    from programs.models import LevelOfCare

    have = Lead.objects.count()
    if have >= size:
        return
    started = time.perf_counter()
    rng = random.Random(size)
    users = get_user_model()
    coordinators = [
        users.objects.get_or_create(username=f"coordinator{i}", defaults={"is_staff": True})[0].pk
        for i in range(8)
    ]
    levels = list(LevelOfCare.objects.values_list("pk", flat=True)) + [None]
    consent = current_consent("contact").pk
    lead_phone = token_pool(Lead._meta.get_field("phone"), lambda i: f"+1714555{i % 10000:04d}")
    lead_email = token_pool(Lead._meta.get_field("email"), lambda i: f"person{i}@example.com")
    message = token_pool(ConsultationRequest._meta.get_field("message"), lambda i: f"Help needed {i}.")
    # Names and close reasons are encrypted too (issue 15 #1): real tokens.
    lead_first = Lead._meta.get_field("first_name")
    lead_last = Lead._meta.get_field("last_name")
    request_first = token_pool(ConsultationRequest._meta.get_field("first_name"), lambda i: NAMES[i % 10], 10)
    request_last = token_pool(ConsultationRequest._meta.get_field("last_name"), lambda i: "Bulk", 1)[0]
    client_ip = token_pool(ConsultationRequest._meta.get_field("client_ip"), lambda i: "203.0.113.7", 1)[0]
    close_reason = token_pool(Lead._meta.get_field("close_reason"), lambda i: "Closed in bulk data.", 1)[0]
    first_tokens = [lead_first.get_prep_value(name) for name in NAMES]
    now = datetime.datetime.now(datetime.UTC)
    first_id = (Lead.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    lead_columns = [
        "id", "first_name", "last_name", "phone", "email", "phone_lookup", "email_lookup", "status",
        "close_reason", "assigned_to_id", "follow_up_at", "kind", "level_of_care_id", "source",
        "received_at", "first_contact_at", "last_activity_at",
    ]  # fmt: skip
    request_columns = [
        "lead_id", "form_token", "submitted_at", "first_name", "last_name", "phone", "email", "client_ip",
        "page_url", "landing_page", "referrer", "utm_source", "utm_medium", "utm_campaign", "utm_term",
        "utm_content", "staff_alert_sent_at", "auto_reply_sent_at", "best_time_to_call", "who_needs_help",
        "caller_relation", "level_of_care_id", "message", "heard_about", "contact_consent_id",
        "automated_contact_consent_id", "language", "preferred_language",
    ]  # fmt: skip
    extra_lead = required_extras(Lead, lead_columns)
    extra_request = required_extras(ConsultationRequest, request_columns)
    names = NAMES

    with connection.cursor() as cursor:
        raw = cursor.connection
        with raw.cursor() as cur:
            with cur.copy(
                f"COPY admissions_lead ({', '.join(lead_columns + list(extra_lead))}) FROM STDIN"
            ) as copy:
                for n in range(first_id, size + 1):
                    age = rng.random() ** 1.3 * SPAN_DAYS  # more recent leads than old ones
                    received = now - datetime.timedelta(days=age, seconds=rng.randrange(86400))
                    recent = age < 30
                    status = rng.choice(OPEN) if (recent and rng.random() < 0.8) else rng.choice(FINAL)
                    contacted = status not in ("new",) and rng.random() < 0.95
                    first_contact = (
                        received + datetime.timedelta(minutes=rng.expovariate(1 / 45)) if contacted else None
                    )
                    copy.write_row(
                        [
                            n, first_tokens[n % 10], lead_last.get_prep_value(surname_of(n)),
                            lead_phone[n % 300], lead_email[n % 300],
                            phone_lookup(f"+1949{2000000 + n:07d}"), email_lookup(f"lead{n}@example.com"),
                            status, "" if status in OPEN or status == "admitted" else close_reason,
                            rng.choice(coordinators) if status != "new" else None,
                            received + datetime.timedelta(days=2) if status in OPEN else None,
                            "consultation" if rng.random() < 0.7 else "insurance",
                            rng.choice(levels), rng.choice(SOURCES),
                            received, first_contact, first_contact or received,
                            *extra_lead.values(),
                        ]
                    )  # fmt: skip
            with cur.copy(
                f"COPY admissions_consultationrequest ({', '.join(request_columns + list(extra_request))}) FROM STDIN"
            ) as copy:
                for n in range(first_id, size + 1):
                    copy.write_row(
                        [
                            n, uuid.UUID(int=rng.getrandbits(128)), now, request_first[n % 10], request_last,
                            lead_phone[n % 300], lead_email[n % 300], client_ip,
                            "https://www.example.test/admissions/consultation/", "", "", "", "", "", "", "",
                            now, None, "any", "self", "", None, message[n % 300], "", consent, None,
                            *spanish_mix(n), *extra_request.values(),
                        ]
                    )  # fmt: skip
            # The search index: every name word, phone suffixes, the email.
            with cur.copy("COPY admissions_leadsearchtoken (lead_id, kind, token) FROM STDIN") as copy:
                common = {name: name_tokens(name, "Bulk") for name in names}
                for n in range(first_id, size + 1):
                    tokens = (
                        common[names[n % 10]]
                        | name_tokens(surname_of(n))
                        | phone_tokens(f"+1949{2000000 + n:07d}")
                        | email_tokens(f"lead{n}@example.com")
                    )
                    for kind, token in tokens:
                        copy.write_row([n, kind, token])
        cursor.execute("SELECT setval(pg_get_serial_sequence('admissions_lead', 'id'), %s)", [size])
    # As autovacuum would have by now: statistics and the visibility map
    # (index-only scans); VACUUM cannot run inside a transaction block.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) admissions_lead")
        cursor.execute("VACUUM (ANALYZE) admissions_consultationrequest")
        cursor.execute("VACUUM (ANALYZE) admissions_leadsearchtoken")
        # COPY fired the LeadWeek trigger once per lead in one transaction: a
        # million row versions of a ~50,000-row table. Production writes it a
        # lead at a time and autovacuum keeps it small; so does this.
        cursor.execute("VACUUM (FULL, ANALYZE) admissions_leadweek")
    log(f"{size:,} leads ({size - first_id + 1:,} added in {time.perf_counter() - started:.0f}s)")


def spanish_mix(n: int) -> tuple[str, str]:
    """(form language, preferred language) of request n: 1 in 5 came through the
    Spanish form, 1 in 20 of the rest asked for Spanish on the English form."""
    if n % 5 == 0:
        return "es", "es"
    return ("en", "es") if n % 20 == 1 else ("en", "en")


def required_extras(model, filled: list[str]) -> dict:
    """Columns other work added since this script was written: their defaults."""
    extras = {}
    for field in model._meta.concrete_fields:
        if field.column in filled or field.primary_key:
            continue
        if field.null:
            extras[field.column] = None
        elif field.has_default():
            extras[field.column] = field.get_db_prep_save(field.get_default(), connection=None)
        elif field.blank and field.get_internal_type() in ("CharField", "TextField"):
            extras[field.column] = ""
        else:
            raise SystemExit(f"{model.__name__}.{field.name} needs a value in growth_bench.py")
    return extras


# ------------------------------------------------------------------------ measuring


def timed(func, repeat: int):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    func()  # warm-up: caches, prepared plans, pages in shared buffers
    durations = []
    for _ in range(repeat):
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            func()
            durations.append(time.perf_counter() - started)
    return statistics.median(durations) * 1000, len(queries.captured_queries), queries.captured_queries


def explain(sql: str) -> tuple[str, float, list[str]]:
    """The plan's node types that read tables, its execution time, and the full text."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        lines = [row[0] for row in cursor.fetchall()]
    scans = []
    for line in lines:
        text = line.strip().lstrip("-> ").strip()
        for kind in ("Index Only Scan", "Bitmap Index Scan", "Index Scan", "Seq Scan"):
            if text.startswith(kind) or text.startswith("Parallel " + kind):
                scans.append(text.split("  (")[0].split(" (cost")[0])
                break
    # One entry per index or table, with how many times the plan reads it.
    seen: dict[str, int] = {}
    for scan in scans:
        key = (
            scan.rsplit(" on ", 1)[0] + " on " + scan.rsplit(" on ", 1)[1].split()[0]
            if " on " in scan
            else scan
        )
        seen[key] = seen.get(key, 0) + 1
    scans = [f"{key} x{n}" if n > 1 else key for key, n in seen.items()]
    execution = next((float(x.split()[2]) for x in lines if x.startswith("Execution Time")), 0.0)
    return "; ".join(scans), execution, lines


def lead_queries(captured) -> list[dict]:
    """The queries that read admissions_lead, slowest first."""
    candidates = [  # the leads, their weekly counts (LeadWeek) and the search index
        q for q in captured if "admissions_lead" in q["sql"] and q["sql"].startswith("SELECT")
    ]
    return sorted(candidates, key=lambda q: -float(q["time"]))


def query_label(sql: str) -> str:
    """A few words for a lead query, from its SQL."""
    if "first_contact_at - received_at" in sql:
        return "medians (index)"
    if '"admissions_leadweek"' in sql:
        return "LeadWeek counts"
    if "COUNT(*)" in sql.upper() and "GROUP BY" not in sql:
        return "count"
    if "GROUP BY" in sql:
        if '"source"' in sql and "DATE_TRUNC" not in sql:
            return "source list"
        return "weekly aggregate" if "DATE_TRUNC" in sql else "aggregate"
    if "LIMIT 51" in sql or "LIMIT 50" in sql:
        return "list page"
    if "FOR UPDATE" in sql:
        return "lookup"
    return "select"


def measure(size: int, options) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    from admissions.intake.store import lead_find_recent
    from admissions.staff.search import SEARCH_TOKEN_VAR, search_token

    admin_user, _ = get_user_model().objects.get_or_create(
        username="growth-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(secure=True, headers={"X-Forwarded-Proto": "https"})  # as from nginx
    client.force_login(admin_user)
    try:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _ = TOTPDevice.objects.get_or_create(
            user=admin_user, name="bench", defaults={"confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    except ImportError:
        pass

    from admissions.models import Lead

    # A lead from the last month: the one a returning person would match.
    recent_n = (
        Lead.objects.filter(
            received_at__gte=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=30)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    target_name = surname_of(recent_n)
    inbox = reverse("admin:admissions_lead_changelist")

    def page(path):
        def get():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code, response.get("Location"))

        return get

    def dedup_hit():
        with transaction.atomic():
            assert lead_find_recent(phone=f"+1949{2000000 + recent_n:07d}") is not None

    def dedup_miss():
        with transaction.atomic():
            assert lead_find_recent(phone="+17145550000", email="nobody@example.com") is None

    cases = {
        "dedup lookup (match)": dedup_hit,
        "dedup lookup (no match)": dedup_miss,
        "inbox, first page": page(inbox),
        "inbox, status New": page(f"{inbox}?status=new"),
        "inbox, Spanish": page(f"{inbox}?language=es"),
        "inbox, Spanish and New": page(f"{inbox}?language=es&status=new"),
        "inbox, phone search": page(
            f"{inbox}?{SEARCH_TOKEN_VAR}={search_token(f'+1949{2000000 + recent_n:07d}')}"
        ),
        "inbox, name search": page(f"{inbox}?{SEARCH_TOKEN_VAR}={search_token(target_name)}"),
        "search, unique last name (no accents)": page(
            f"{inbox}?{SEARCH_TOKEN_VAR}={search_token(target_name.upper())}"
        ),
        "search, common first name (1 in 10)": page(f"{inbox}?{SEARCH_TOKEN_VAR}={search_token('maria')}"),
        "search, last 7 phone digits": page(
            f"{inbox}?{SEARCH_TOKEN_VAR}={search_token(f'{2000000 + recent_n:07d}'[-7:])}"
        ),
        "search, last 4 phone digits": page(
            f"{inbox}?{SEARCH_TOKEN_VAR}={search_token(f'{2000000 + recent_n:07d}'[-4:])}"
        ),
        "search, exact email": page(
            f"{inbox}?{SEARCH_TOKEN_VAR}={search_token(f'lead{recent_n}@example.com')}"
        ),
        "Today view": page(reverse("admin:admissions_lead_today")),
        "dashboard": page(reverse("admin:admissions_lead_dashboard")),
        "dashboard, 52 weeks (no target)": page(reverse("admin:admissions_lead_dashboard") + "?weeks=52"),
    }

    def orm_round_trip():
        assert list(Lead.objects.raw("SELECT 1 AS id")) is not None

    load_before = os.getloadavg()
    rows = {}
    for name, func in {
        BASELINES[0]: orm_round_trip,
        BASELINES[1]: page(reverse("admin:index")),
        **cases,
    }.items():
        ms, count, captured = timed(func, options.repeat)
        explained = []
        for query in lead_queries(captured)[:3]:
            scans, sql_ms, plan = explain(query["sql"])
            explained.append((query_label(query["sql"]), sql_ms, scans))
            if options.plans:
                print(f"--- {size:,} {name}\n{query['sql']}\n" + "\n".join(plan))
        rows[name] = {"ms": ms, "queries": count, "explained": explained}
    return {"size": size, "rows": rows, "load": (load_before, os.getloadavg())}


# Issue 14's targets in ms per page at the largest size; None: no target.
BASELINES = ("baseline: ORM SELECT 1", "baseline: admin index page")
TARGETS = {
    "inbox, first page": 100,
    "inbox, Spanish": 100,
    "inbox, Spanish and New": 100,
    "inbox, phone search": 100,
    "inbox, name search": 100,
    "search, unique last name (no accents)": 100,
    "search, common first name (1 in 10)": 100,
    "search, last 7 phone digits": 100,
    "search, last 4 phone digits": 100,
    "search, exact email": 100,
    "Today view": 100,
    "dashboard": 200,
}
TARGET_SIZE = 1_000_000


def load_text(load) -> str:
    before, after = load
    return f"load {before[0]:.2f} {before[1]:.2f} {before[2]:.2f} -> {after[0]:.2f} {after[1]:.2f} {after[2]:.2f}"


def print_table(results) -> None:
    print()
    print("growth: median time per call; its slowest lead queries with EXPLAIN ANALYZE time and scans")
    for result in results:
        print(f"  {result['size']:>9,} leads: {load_text(result['load'])}")
    names = list(results[0]["rows"])
    for name in names:
        print(f"  {name}")
        for result in results:
            row = result["rows"][name]
            base = [result["rows"][b]["ms"] for b in BASELINES]
            print(
                f"    {result['size']:>9,}  {row['ms']:8.1f} ms per call, {row['queries']} queries"
                f"  ({row['ms'] / base[0]:7.1f}x SELECT 1, {row['ms'] / base[1]:5.2f}x admin index)"
            )
            for label, sql_ms, scans in row["explained"]:
                print(f"               {label:<17} {sql_ms:8.1f} ms  {scans}")


def check_targets(results) -> list[str]:
    """Print each target against the median over the runs at the largest size
    (and the query counts across sizes); returns the misses."""
    largest = max(r["size"] for r in results)
    at_largest = [r for r in results if r["size"] == largest]
    missed = []
    print()
    print(
        f"targets at {largest:,} leads (median of {len(at_largest)} run(s), each the median of its repeats)"
    )
    if largest < TARGET_SIZE:
        print(f"  (the targets are for {TARGET_SIZE:,} leads; checked here at {largest:,})")
    for r in at_largest:
        print(f"  run: {load_text(r['load'])}")
    base = [statistics.median(r["rows"][b]["ms"] for r in at_largest) for b in BASELINES]
    print(f"  {BASELINES[0]:<40} {base[0]:8.2f} ms")
    print(f"  {BASELINES[1]:<40} {base[1]:8.2f} ms")
    for name, target in TARGETS.items():
        runs = [r["rows"][name]["ms"] for r in at_largest]
        ms = statistics.median(runs)
        ok = ms <= target
        if not ok:
            missed.append(name)
        each = ", ".join(f"{x:.1f}" for x in runs)
        print(
            f"  {name:<40} {ms:8.1f} ms  target <= {target} ms  {'ok' if ok else 'MISSED'}"
            f"  ({ms / base[0]:.0f}x SELECT 1, {ms / base[1]:.2f}x admin index; runs: {each})"
        )
    sizes = sorted({r["size"] for r in results})
    for name in results[0]["rows"]:
        if name in BASELINES:
            continue
        counts = {size: {r["rows"][name]["queries"] for r in results if r["size"] == size} for size in sizes}
        flat = len(set().union(*counts.values())) == 1
        if len(sizes) > 1:
            shown = ", ".join(f"{size:,}: {'/'.join(map(str, sorted(c)))}" for size, c in counts.items())
            print(f"  queries, {name:<31} {'flat' if flat else 'GROWS'} ({shown})")
            if not flat:
                missed.append(f"query count of {name}")
    if len(sizes) == 1:
        print("  query counts: one size measured (run with several --sizes to compare)")
    print("all targets met" if not missed else f"MISSED: {', '.join(missed)}")
    return missed


if __name__ == "__main__":
    sys.exit(main())
