#!/usr/bin/env bash
# Encrypted backup of the database, which holds the (already sealed) card
# photos since issue 14, and of PRIVATE_MEDIA_ROOT if it still exists (card
# files from before migration 0017 moved them into the database).
#
#   DATABASE_URL           postgres://... of the live database (read-only role is enough)
#   BACKUP_DIR             where dumps go (a mounted volume synced off-site)
#   BACKUP_GPG_RECIPIENT   key id/fingerprint of the backup PUBLIC key; its private
#                          key is not on this host (docs/deploy.md, "Backups")
#   PRIVATE_MEDIA_ROOT     card files from before issue 14 (optional; default /srv/sheer/private)
#   BACKUP_KEEP_DAYS       dumps older than this are deleted (default 35)
#
# Plaintext never touches the disk: pg_dump streams into gpg. pipefail makes a
# failed dump fail the run (and the systemd unit), not leave a short file.
set -euo pipefail
umask 077
: "${DATABASE_URL:?}" "${BACKUP_DIR:?}" "${BACKUP_GPG_RECIPIENT:?}"
media=${PRIVATE_MEDIA_ROOT:-/srv/sheer/private}
keep=${BACKUP_KEEP_DAYS:-35}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$BACKUP_DIR"
gpg_encrypt=(gpg --batch --yes --quiet --trust-model always --encrypt --recipient "$BACKUP_GPG_RECIPIENT")

db_file="$BACKUP_DIR/sheer-db-$stamp.dump.gpg"
pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" \
  | "${gpg_encrypt[@]}" --output "$db_file.partial"
mv "$db_file.partial" "$db_file"

if [[ -d "$media" ]]; then
  media_file="$BACKUP_DIR/sheer-media-$stamp.tar.gpg"
  tar -C "$media" -cf - . | "${gpg_encrypt[@]}" --output "$media_file.partial"
  mv "$media_file.partial" "$media_file"
fi

(cd "$BACKUP_DIR" && sha256sum sheer-*-"$stamp".* > "sheer-$stamp.sha256")
find "$BACKUP_DIR" -maxdepth 1 -name 'sheer-*' -mtime +"$keep" -delete
echo "backup $stamp: $(du -h "$db_file" | cut -f1) database"
