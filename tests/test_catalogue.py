"""The Spanish catalogue (locale/es/LC_MESSAGES/django.po) is whole and current.

- current: `make messages` run on the committed tree adds no string and drops
  none, so every marked string in a template or form is in the catalogue;
- whole: no entry is untranslated or fuzzy (a fuzzy entry is a guess msgmerge
  made, never shown by gettext);
- sound: placeholders and HTML tags in each translation are the original's,
  and msgfmt --check accepts the file.
"""

import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
# What makemessages reads: the apps, the templates and the settings package.
SOURCES = ("admissions", "programs", "sheer_site", "templates", "locale", "manage.py")

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")
TAG = re.compile(r"</?([a-z]+)[^>]*>")


def _catalogue():
    return polib.pofile(str(CATALOGUE))


def test_every_entry_is_translated_and_none_is_fuzzy():
    catalogue = _catalogue()
    untranslated = [entry.msgid for entry in catalogue if not entry.translated() and not entry.obsolete]
    fuzzy = [entry.msgid for entry in catalogue if "fuzzy" in entry.flags]
    assert untranslated == [], f"untranslated: {untranslated}"
    assert fuzzy == [], f"fuzzy: {fuzzy}"
    assert not catalogue.metadata_is_fuzzy
    assert catalogue.metadata["Language"] == "es"


def test_placeholders_and_tags_survive_translation():
    for entry in _catalogue():
        if entry.obsolete:
            continue
        assert sorted(PLACEHOLDER.findall(entry.msgstr)) == sorted(PLACEHOLDER.findall(entry.msgid)), (
            entry.msgid
        )
        assert sorted(TAG.findall(entry.msgstr)) == sorted(TAG.findall(entry.msgid)), entry.msgid
        # Path words: a translated URL pattern keeps its converters and its slash.
        if entry.msgid.endswith("/") and " " not in entry.msgid:
            assert entry.msgstr.endswith("/") and " " not in entry.msgstr, entry.msgid


def test_msgfmt_accepts_the_catalogue(tmp_path):
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(CATALOGUE)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed")
def test_catalogue_is_current(tmp_path):
    """makemessages on a copy of the tree: the same msgids as the committed file."""
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        else:
            shutil.copy2(source, tmp_path / name)
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    (tmp_path / "scripts").mkdir()
    shutil.copy2(ROOT / "scripts" / "make_messages.sh", tmp_path / "scripts" / "make_messages.sh")
    result = subprocess.run(
        ["bash", "scripts/make_messages.sh"], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    regenerated = polib.pofile(str(tmp_path / "locale" / "es" / "LC_MESSAGES" / "django.po"))

    def ids(catalogue):
        return {(entry.msgctxt, entry.msgid) for entry in catalogue if not entry.obsolete}

    committed = ids(_catalogue())
    fresh = ids(regenerated)
    assert fresh - committed == set(), "marked for translation but not in the catalogue: run `make messages`"
    assert committed - fresh == set(), "in the catalogue but no longer used: run `make messages`"
