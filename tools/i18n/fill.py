"""Fill msgstr entries of locale/es/LC_MESSAGES/django.po from a JSON file of
{msgid: msgstr}. A working aid for translators; the .po file is the source."""

import json
import sys

import polib

po = polib.pofile(sys.argv[1])
with open(sys.argv[2], encoding="utf-8") as source:
    table = json.load(source)
filled = 0
for entry in po:
    if entry.msgid in table:
        entry.msgstr = table[entry.msgid]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        filled += 1
po.save()
missing = [e.msgid for e in po if not e.translated() and not e.obsolete]
print(f"filled {filled}; still untranslated {len(missing)}")
for msgid in missing:
    print("  ", msgid[:90].replace("\n", " "))
