"""Lead.spanish, kept by the database: whether any of the lead's requests came
through the Spanish form or asked us to use Spanish (the rule of
Submission.speaks_spanish and SPEAKS_SPANISH, here in SQL).

The inbox shows a badge and filters on it. Asked of the requests on every
inbox page, the filter's count probed a request per open lead: 465 ms at
1,000,000 leads (scripts/growth_bench.py). A trigger on both request tables
(after insert, delete, and update of the lead, the form language or the
preferred language) sets the flag of each lead concerned in the same
transaction, so every write path is covered: the public forms, a phone lead,
merge and split (a request moving between leads), an edit in the admin, a
purge, COPY. The partial index `lead_spanish` then answers the filter.

Other databases (SQLite for `make run`) have no trigger: there the inbox asks
the requests (admissions.staff.selectors.in_spanish).
"""

_REQUESTS = ("admissions_consultationrequest", "admissions_insuranceverification")

SPANISH_SQL = " OR ".join(
    f"EXISTS (SELECT 1 FROM {table} r WHERE r.lead_id = admissions_lead.id "  # noqa: S608 - our own names
    "AND (r.language = 'es' OR r.preferred_language = 'es'))"
    for table in _REQUESTS
)

_FUNCTION = f"""
CREATE OR REPLACE FUNCTION admissions_lead_spanish() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    leads bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        leads := ARRAY[NEW.lead_id];
    ELSIF TG_OP = 'DELETE' THEN
        leads := ARRAY[OLD.lead_id];
    ELSE
        leads := ARRAY[OLD.lead_id, NEW.lead_id];
    END IF;
    -- Only a lead whose flag changes is written (and locked).
    UPDATE admissions_lead SET spanish = NOT spanish
     WHERE id = ANY(leads) AND spanish IS DISTINCT FROM ({SPANISH_SQL});
    RETURN NULL;
END
$$;
"""  # noqa: S608 - our own names, no input


def _trigger(table: str) -> str:
    return f"""
DROP TRIGGER IF EXISTS lead_spanish ON {table};
CREATE TRIGGER lead_spanish
    AFTER INSERT OR DELETE OR UPDATE OF lead_id, language, preferred_language ON {table}
    FOR EACH ROW EXECUTE FUNCTION admissions_lead_spanish();
"""


TRIGGER_SQL = _FUNCTION + "".join(_trigger(table) for table in _REQUESTS)

DROP_SQL = "".join(f"DROP TRIGGER IF EXISTS lead_spanish ON {table};\n" for table in _REQUESTS) + (
    "DROP FUNCTION IF EXISTS admissions_lead_spanish();\n"
)

# Every lead's flag from its requests (the migration; a repair after a bulk
# load with triggers disabled).
REFILL_SQL = (
    f"UPDATE admissions_lead SET spanish = ({SPANISH_SQL}) WHERE spanish IS DISTINCT FROM ({SPANISH_SQL})"  # noqa: S608
)
