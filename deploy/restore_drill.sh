#!/usr/bin/env bash
# Restore drill: the newest backup into a scratch database, then prove it is
# whole and readable. Run monthly on a host that holds the backup PRIVATE key
# (not the web hosts), and after every change to the backup set-up.
#
#   BACKUP_DIR              where backup.sh writes
#   RESTORE_ADMIN_URL       postgres://... of a server where a scratch database may be created
#   RESTORE_DB              scratch database name (default sheer_restore_drill); dropped first
#   GNUPGHOME               keyring with the backup private key
#   PHI_ENCRYPTION_KEYS, PHI_LOOKUP_KEY   from the secrets vault: proves rows decrypt
#   KEEP_RESTORE=1          leave the scratch database for inspection
#
# Prints the row counts and exits non-zero if the dump is missing, does not
# decrypt, does not restore, or its patient data does not decrypt.
set -euo pipefail
: "${BACKUP_DIR:?}" "${RESTORE_ADMIN_URL:?}" "${PHI_ENCRYPTION_KEYS:?}" "${PHI_LOOKUP_KEY:?}"
db=${RESTORE_DB:-sheer_restore_drill}
app=$(cd "$(dirname "$0")/.." && pwd)
latest=$(ls -1t "$BACKUP_DIR"/sheer-db-*.dump.gpg | head -n1)
stamp=${latest##*/sheer-db-}; stamp=${stamp%.dump.gpg}
echo "restoring $latest"
(cd "$BACKUP_DIR" && sha256sum --check --quiet "sheer-$stamp.sha256")

restore_url="${RESTORE_ADMIN_URL%/*}/$db"
psql --quiet "$RESTORE_ADMIN_URL" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
cleanup() { [[ "${KEEP_RESTORE:-}" == 1 ]] || psql --quiet "$RESTORE_ADMIN_URL" -c "DROP DATABASE IF EXISTS $db"; }
trap cleanup EXIT
gpg --batch --quiet --decrypt "$latest" | pg_restore --no-owner --no-privileges --exit-on-error --dbname="$restore_url"

psql --quiet --tuples-only "$restore_url" -c "
  SELECT 'leads ' || count(*) FROM admissions_lead
  UNION ALL SELECT 'consultation requests ' || count(*) FROM admissions_consultationrequest
  UNION ALL SELECT 'insurance verifications ' || count(*) FROM admissions_insuranceverification
  UNION ALL SELECT 'card photos ' || count(*) FROM admissions_cardphoto
  UNION ALL SELECT 'migrations ' || count(*) FROM django_migrations"

# The rows are only useful with the keys: decrypt the newest lead and request,
# and the newest request's card photos (in the database since issue 14).
DATABASE_URL="$restore_url" DJANGO_SETTINGS_MODULE=sheer_site.settings.local "$app/.venv/bin/python" "$app/manage.py" shell -c "
from admissions.models import ConsultationRequest, InsuranceVerification, Lead
lead = Lead.objects.order_by('-id').first()
assert lead is None or (lead.phone or lead.email), 'lead has neither phone nor email after decryption'
for model in (ConsultationRequest, InsuranceVerification):
    row = model.objects.order_by('-id').first()
    if row is not None:
        [getattr(row, f.attname) for f in model._meta.concrete_fields]  # raises on a wrong key
with_card = InsuranceVerification.objects.exclude(card_front='', card_back='').order_by('-id').first()
for stored in (with_card.card_front, with_card.card_back) if with_card else ():
    if stored:
        with stored.open() as handle:  # raises on a wrong key or a missing photo
            assert handle.read(3) == b'\xff\xd8\xff', 'card photo is not a JPEG after decryption'
print('decrypted newest rows: ok')
"
echo "restore drill passed ($stamp)"
