"""Encrypt the names and staff free text already stored in clear, build the
search index from them, and take names out of the admin's log entries.

In batches of 500 by primary key; a value already encrypted is left as it is,
so the migration is safe to run again after an interruption. Reversible: the
reverse decrypts the same columns back to plain text (before 0009's reverse
turns them back into varchar/inet columns).
"""

from django.db import migrations, transaction

BATCH = 500
# table -> (model label for the encryption context, [columns that were plain])
PLAIN_COLUMNS = {
    "admissions_lead": ("admissions.lead", ["first_name", "last_name", "close_reason"]),
    "admissions_consultationrequest": (
        "admissions.consultationrequest",
        ["first_name", "last_name", "caller_relation", "client_ip"],
    ),
    "admissions_insuranceverification": (
        "admissions.insuranceverification",
        ["first_name", "last_name", "carrier_other", "client_ip"],
    ),
}
# Encrypted already: read for the search index only.
INDEXED_ENCRYPTED = {
    "admissions_lead": ["phone", "email"],
    "admissions_consultationrequest": ["phone", "email"],
    "admissions_insuranceverification": ["phone", "email", "holder_first_name", "holder_last_name"],
}
NAME_COLUMNS = {"first_name", "last_name", "holder_first_name", "holder_last_name"}


def _batches(cursor, table, columns):
    last = 0
    select = ", ".join(f'"{c}"' for c in columns)
    while True:
        cursor.execute(
            f'SELECT "id", {select} FROM "{table}" WHERE "id" > %s ORDER BY "id" LIMIT %s',  # noqa: S608
            [last, BATCH],
        )
        rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _plain(value, context):
    from admissions.phi import crypto

    if value in (None, ""):
        return value or ""
    if str(value).startswith(crypto.PREFIX + "."):
        return crypto.decrypt_text(value, context=context)
    return str(value)


def _encrypt_batch(cursor, table, label, plain_columns, extra, lead_column, columns, rows):
    from admissions import contact
    from admissions.phi import crypto

    tokens = set()
    for row in rows:
        pk, values = row[0], dict(zip(columns, row[1:], strict=True))
        updates = {}
        for column in plain_columns:
            value = values[column]
            if value in (None, "") or str(value).startswith(crypto.PREFIX + "."):
                continue
            text = str(value)
            if column == "client_ip":
                text = text.split("/", 1)[0]  # inet::text keeps the netmask
            updates[column] = crypto.encrypt_text(text, context=f"{label}.{column}")
        if updates:
            assignments = ", ".join(f'"{c}" = %s' for c in updates)
            cursor.execute(
                f'UPDATE "{table}" SET {assignments} WHERE "id" = %s',  # noqa: S608
                [*updates.values(), pk],
            )
        plain = {c: _plain(values[c], f"{label}.{c}") for c in plain_columns + extra}
        names = [plain[c] for c in plain if c in NAME_COLUMNS]
        lead_id = values[lead_column[0]]
        found = (
            contact.name_tokens(*names)
            | contact.phone_tokens(plain["phone"])
            | contact.email_tokens(plain["email"])
        )
        tokens |= {(lead_id, kind, token) for kind, token in found}
    if tokens:
        cursor.executemany(
            'INSERT INTO "admissions_leadsearchtoken" ("lead_id", "kind", "token") '
            "VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            sorted(tokens),
        )


def encrypt_forward(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for table, (label, plain_columns) in PLAIN_COLUMNS.items():
            extra = INDEXED_ENCRYPTED[table]
            lead_column = ["id"] if table == "admissions_lead" else ["lead_id"]
            columns = plain_columns + extra + lead_column
            for rows in _batches(cursor, table, columns):
                with transaction.atomic(using=connection.alias):
                    _encrypt_batch(cursor, table, label, plain_columns, extra, lead_column, columns, rows)
        # Admin log entries named the person ("Firstname L. (lead 3)"): the number only.
        cursor.execute("SELECT id FROM django_content_type WHERE app_label = 'admissions' AND model = 'lead'")
        found = cursor.fetchone()
        if found:
            cursor.execute(
                "UPDATE django_admin_log SET object_repr = 'Lead ' || object_id WHERE content_type_id = %s",
                [found[0]],
            )


def decrypt_backward(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for table, (label, plain_columns) in PLAIN_COLUMNS.items():
            for rows in _batches(cursor, table, plain_columns):
                with transaction.atomic(using=connection.alias):
                    _decrypt_batch(cursor, table, label, plain_columns, rows)


def _decrypt_batch(cursor, table, label, plain_columns, rows):
    for row in rows:
        pk, values = row[0], dict(zip(plain_columns, row[1:], strict=True))
        updates = {
            c: _plain(v, f"{label}.{c}")[: 100 if c != "close_reason" else None]
            for c, v in values.items()
            if v not in (None, "")
        }
        updates = {c: (v or None) if c == "client_ip" else v for c, v in updates.items()}
        if updates:
            assignments = ", ".join(f'"{c}" = %s' for c in updates)
            cursor.execute(
                f'UPDATE "{table}" SET {assignments} WHERE "id" = %s',  # noqa: S608
                [*updates.values(), pk],
            )


VERBAL_SCRIPT = (
    "Before we go on: may Sheer Recovery call you, text you and email you at the number and "
    "address you gave us, about your request for help? What you tell us stays confidential, and "
    "you can ask us to stop at any time."
)
COORDINATOR = "Admissions coordinator"
MANAGER = "Admissions manager"
GRANTS = {
    COORDINATOR: ["add_lead", "view_referralpartner"],
    MANAGER: ["add_lead", "view_referralpartner", "add_referralpartner", "change_referralpartner"],
}


def seed_script_and_roles(apps, schema_editor):
    """The first verbal consent script, and the roles that record leads by phone."""
    from django.contrib.auth.management import create_permissions

    ConsentText = apps.get_model("admissions", "ConsentText")
    if not ConsentText.objects.filter(kind="verbal").exists():
        ConsentText.objects.create(kind="verbal", version=1, text=VERBAL_SCRIPT)
    app_config = apps.get_app_config("admissions")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="admissions", codename__in=codenames)
        )


def unseed_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, codenames in GRANTS.items():
        for group in Group.objects.filter(name=name):
            group.permissions.remove(*group.permissions.filter(codename__in=codenames))


class Migration(migrations.Migration):
    atomic = False  # batches commit as they go; each is idempotent

    dependencies = [
        ("admissions", "0009_encrypt_names_search_index_phone_leads_referrals"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(encrypt_forward, decrypt_backward, elidable=False),
        migrations.RunPython(seed_script_and_roles, unseed_roles),
    ]
