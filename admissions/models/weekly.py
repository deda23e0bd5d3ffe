"""Leads per week, kept in step by the database: the dashboard's counts.

At 1,000,000 leads the dashboard's five GROUP BY queries read the lead table
five times (1.5 s in scripts/growth_bench.py). `LeadWeek` holds, per local
week a lead was received in and per (status, channel, level of care, source),
how many leads there are and how many of them staff have reached. The
dashboard sums a few hundred of these rows instead.

Who keeps it in step: a PostgreSQL trigger on admissions_lead (AFTER INSERT,
DELETE and UPDATE of the columns counted), in the same transaction as the
write. Leads are written by the pipeline service, the public forms' store,
merge and split, the purge, the automatic insurance check and bulk loads
(COPY); a trigger counts every one of them, including a `QuerySet.update()`,
which no Python hook would see. Counts are exact, never estimates.

The week is the Monday of the lead's local date in settings.TIME_ZONE, the
same as TruncWeek. The zone is written into the trigger function, so after
changing TIME_ZONE run `manage.py rebuild_lead_weeks` (which also re-counts
everything from the leads under a lock; the dashboard test compares the
table with a direct count after a mix of writes).

Each count is spread over SLOTS rows (`slot`, chosen by the writing
transaction's id): every new request of a week comes in with the same status,
channel and source, and with one row each request's transaction held that
row's lock from its lead INSERT to its COMMIT, so concurrent submissions
queued behind one another (issue 14's fleet load). A decrement goes to the
writer's own slot too, so one slot may hold a negative count; only the sum
over the slots means anything, and readers sum.

Other databases (SQLite for `make run`) have no trigger: the dashboard counts
the leads directly there (admissions.staff.figures).
"""

from django.conf import settings
from django.db import connection, models, transaction

# Rows per count: concurrent writers land on different rows (slot = the
# transaction id modulo SLOTS); readers sum them.
SLOTS = 8


class LeadWeek(models.Model):
    week = models.DateField(help_text="Local Monday of the week the leads were received in.")
    status = models.CharField(max_length=32)
    channel = models.CharField(max_length=20)
    level_of_care_id = models.BigIntegerField(null=True)  # no FK: a count outlives its program
    source = models.CharField(max_length=100)
    leads = models.IntegerField(default=0)
    contacted = models.IntegerField(default=0, help_text="Of them, reached by staff (first contact set).")
    # A rebuild counts into slot 0; the trigger writes to the transaction's own.
    slot = models.SmallIntegerField(default=0, db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["week", "status", "channel", "level_of_care_id", "source", "slot"],
                name="lead_week_once",
                nulls_distinct=False,
            )
        ]

    def __str__(self):
        return f"{self.leads} leads in the week of {self.week}"


def week_sql(column: str, zone: str | None = None) -> str:
    """The local Monday of a timestamptz column, as a timestamp (what TruncWeek groups by)."""
    zone = zone or settings.TIME_ZONE
    if "'" in zone:
        raise ValueError("time zone names have no quotes")
    return f"date_trunc('week', {column} AT TIME ZONE '{zone}')"


def trigger_sql(zone: str | None = None, *, slots: int = SLOTS) -> str:
    """The trigger function and the trigger that keep LeadWeek in step
    (slots=1: the table before it had a slot column, migration 0015)."""
    old_week, new_week = week_sql("OLD.received_at", zone), week_sql("NEW.received_at", zone)
    key = "week, status, channel, level_of_care_id, source" + (", slot" if slots > 1 else "")
    mine = ", mine" if slots > 1 else ""

    def add(week: str, row: str, sign: str) -> str:
        return f"""
        INSERT INTO admissions_leadweek ({key}, leads, contacted)
        VALUES ({week}::date, {row}.status, {row}.channel, {row}.level_of_care_id, {row}.source{mine},
                {sign}1, {sign}({row}.first_contact_at IS NOT NULL)::int)
        ON CONFLICT ({key}) DO UPDATE
           SET leads = admissions_leadweek.leads + EXCLUDED.leads,
               contacted = admissions_leadweek.contacted + EXCLUDED.contacted;"""  # noqa: S608 - our own names

    return f"""
CREATE OR REPLACE FUNCTION admissions_lead_week_count() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    mine smallint := (pg_current_xact_id()::text::bigint % {slots})::smallint;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN{add(old_week, "OLD", "-")}
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN{add(new_week, "NEW", "")}
    END IF;
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS lead_week_count ON admissions_lead;
DROP TRIGGER IF EXISTS lead_week_count_change ON admissions_lead;
CREATE TRIGGER lead_week_count AFTER INSERT OR DELETE ON admissions_lead
    FOR EACH ROW EXECUTE FUNCTION admissions_lead_week_count();
CREATE TRIGGER lead_week_count_change
    AFTER UPDATE OF received_at, status, channel, level_of_care_id, source, first_contact_at ON admissions_lead
    FOR EACH ROW
    WHEN ((OLD.received_at, OLD.status, OLD.channel, OLD.level_of_care_id, OLD.source,
           OLD.first_contact_at IS NULL)
          IS DISTINCT FROM
          (NEW.received_at, NEW.status, NEW.channel, NEW.level_of_care_id, NEW.source,
           NEW.first_contact_at IS NULL))
    EXECUTE FUNCTION admissions_lead_week_count();
"""  # noqa: S608 - our own table and zone names, no input


DROP_TRIGGER_SQL = """
DROP TRIGGER IF EXISTS lead_week_count ON admissions_lead;
DROP TRIGGER IF EXISTS lead_week_count_change ON admissions_lead;
DROP FUNCTION IF EXISTS admissions_lead_week_count();
"""


def refill_sql(zone: str | None = None) -> str:
    """Every count again, from the leads (into slot 0, the column's default)."""
    return f"""
DELETE FROM admissions_leadweek;
INSERT INTO admissions_leadweek (week, status, channel, level_of_care_id, source, leads, contacted)
SELECT {week_sql("received_at", zone)}::date, status, channel, level_of_care_id, source,
       count(*), count(first_contact_at)
  FROM admissions_lead
 GROUP BY 1, 2, 3, 4, 5;
"""  # noqa: S608 - our own table and zone names, no input


def delay_index_sql(zone: str | None = None) -> str:
    """The index the dashboard's medians walk (admissions.staff.figures): per
    local week, contacted leads in order of their delay to first contact.
    INCLUDE makes it index-only (PostgreSQL wants the expression's columns)."""
    return (
        "CREATE INDEX lead_contact_delay_week ON admissions_lead "
        f"(({week_sql('received_at', zone)}), (first_contact_at - received_at)) "
        "INCLUDE (received_at, first_contact_at) WHERE first_contact_at IS NOT NULL"
    )


def lead_weeks_rebuild() -> int:
    """Re-create the trigger and the delay index for the current TIME_ZONE and
    count everything again, with writes to leads held off meanwhile; returns
    the rows written."""
    if connection.vendor != "postgresql":
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE admissions_lead IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(trigger_sql())
        cursor.execute(refill_sql())
        # Deferred foreign key checks of the surrounding transaction (a test's)
        # must run before an index can be built on the table.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("DROP INDEX IF EXISTS lead_contact_delay_week")
        cursor.execute(delay_index_sql())
        cursor.execute("SELECT count(*) FROM admissions_leadweek")
        return cursor.fetchone()[0]
