#!/usr/bin/env bash
# Resolve a merge conflict in the Spanish catalogue: the union of both sides'
# translations (ours first where both translated a string), then `make messages`
# to keep exactly the strings the tree uses.
set -euo pipefail
cd "$(dirname "$0")/../.."
po=locale/es/LC_MESSAGES/django.po
tmp=$(mktemp -d)
git show :2:$po > "$tmp/ours.po"
git show :3:$po > "$tmp/theirs.po"
msgcat --use-first --no-location -o "$tmp/both.po" "$tmp/ours.po" "$tmp/theirs.po"
cp "$tmp/both.po" $po
rm -rf "$tmp"
bash scripts/make_messages.sh
git add $po
