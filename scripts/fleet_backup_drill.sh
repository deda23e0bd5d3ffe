#!/usr/bin/env bash
# Proves deploy/backup.sh and deploy/restore_drill.sh on this machine: a
# throwaway GPG key, a database with leads in it, an encrypted dump that holds
# no plaintext, a restore into a scratch database, the same row counts back.
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

count() { psql -Atq "$1" -c "SELECT (SELECT count(*) FROM admissions_lead) || ' ' || (SELECT count(*) FROM admissions_consultationrequest) || ' ' || (SELECT count(*) FROM django_migrations)"; }
before=$(count "$DATABASE_URL")
bash deploy/backup.sh
dump=$(ls "$BACKUP_DIR"/sheer-db-*.dump.gpg)
# Encrypted: no table name, no SQL keyword in the file.
if grep -a -q -e admissions_lead -e 'CREATE TABLE' "$dump"; then echo "FAIL: dump is not encrypted"; exit 1; fi

export RESTORE_ADMIN_URL="${DATABASE_URL%/*}/postgres" RESTORE_DB="$(basename "${DATABASE_URL%%\?*}")_restore" KEEP_RESTORE=1
bash deploy/restore_drill.sh
after=$(count "${DATABASE_URL%/*}/$RESTORE_DB")
psql -q "$RESTORE_ADMIN_URL" -c "DROP DATABASE $RESTORE_DB"
echo "rows (leads, consultation requests, migrations): live $before, restored $after"
[[ "$before" == "$after" ]] || { echo "FAIL: restored rows differ"; exit 1; }
echo "backup drill: ok"
