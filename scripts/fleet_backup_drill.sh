#!/usr/bin/env bash
# Proves deploy/backup.sh and deploy/restore_drill.sh on this machine: a
# throwaway GPG key, a database with leads in it, an encrypted dump that holds
# no plaintext, a restore into a scratch database, the same row counts back,
# and the same card photos (sealed rows since issue 14): their count and the
# SHA-256 of every photo decrypted, live against restored.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/sheer_h8 bash scripts/fleet_backup_drill.sh
#
# The database must be migrated; the drill adds nothing to it.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL to a migrated postgres database}"
work=$(mktemp -d)
trap 'gpgconf --homedir "$work/gnupg" --kill all >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
export GNUPGHOME="$work/gnupg"; mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-generate-key "Sheer backup drill <drill@localhost>" rsa3072 encrypt 1d
export BACKUP_GPG_RECIPIENT=drill@localhost BACKUP_DIR="$work/backups" PRIVATE_MEDIA_ROOT="$work/none"
export PHI_ENCRYPTION_KEYS=${PHI_ENCRYPTION_KEYS:-k1:dGVzdC1vbmx5LWtleS1mb3ItdGhlLXN1aXRlLW9ubHk}
export PHI_LOOKUP_KEY=${PHI_LOOKUP_KEY:-dGVzdC1vbmx5LWxvb2t1cC1rZXktZm9yLXRlc3RzISE}
export ADMISSIONS_ALERT_EMAIL=${ADMISSIONS_ALERT_EMAIL:-admissions@example.test}

count() { psql -Atq "$1" -c "SELECT (SELECT count(*) FROM admissions_lead) || ' ' || (SELECT count(*) FROM admissions_consultationrequest) || ' ' || (SELECT count(*) FROM admissions_cardphoto) || ' ' || (SELECT count(*) FROM django_migrations)"; }
# Every card photo opened with the keys (fails on a wrong key or a damaged row):
# the number of photos and one SHA-256 over their names and decrypted bytes.
photos() {
  DATABASE_URL="$1" DJANGO_SETTINGS_MODULE=sheer_site.settings.local .venv/bin/python manage.py shell -c "
import hashlib
from admissions.models import CardPhoto, InsuranceVerification
digest, n = hashlib.sha256(), 0
for name in CardPhoto.objects.order_by('name').values_list('name', flat=True):
    with InsuranceVerification._meta.get_field('card_front').storage.open(name) as handle:
        data = handle.read()
    assert data.startswith(b'\xff\xd8'), name
    digest.update(name.encode() + data)
    n += 1
print(n, digest.hexdigest())
" | tail -n1
}
before=$(count "$DATABASE_URL")
photos_before=$(photos "$DATABASE_URL")
bash deploy/backup.sh
dump=$(ls "$BACKUP_DIR"/sheer-db-*.dump.gpg)
# Encrypted: no table name, no SQL keyword in the file.
if grep -a -q -e admissions_lead -e 'CREATE TABLE' "$dump"; then echo "FAIL: dump is not encrypted"; exit 1; fi

export RESTORE_ADMIN_URL="${DATABASE_URL%/*}/postgres" RESTORE_DB="$(basename "${DATABASE_URL%%\?*}")_restore" KEEP_RESTORE=1
bash deploy/restore_drill.sh
after=$(count "${DATABASE_URL%/*}/$RESTORE_DB")
photos_after=$(photos "${DATABASE_URL%/*}/$RESTORE_DB")
psql -q "$RESTORE_ADMIN_URL" -c "DROP DATABASE $RESTORE_DB"
echo "rows (leads, consultation requests, card photos, migrations): live $before, restored $after"
[[ "$before" == "$after" ]] || { echo "FAIL: restored rows differ"; exit 1; }
echo "card photos decrypted (count, sha256): live $photos_before, restored $photos_after"
[[ "$photos_before" == "$photos_after" ]] || { echo "FAIL: restored card photos differ"; exit 1; }
echo "backup drill: ok"
