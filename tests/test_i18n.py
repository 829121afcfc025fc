"""English and Simplified Chinese: Accept-Language, the language switch and its cookie, and a
catalogue that is complete (no untranslated or fuzzy entry) and compiled from the current .po."""

import ast
import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from tests.processes import need

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
CJK = re.compile(r"[\u4e00-\u9fff]")


def chinese(text: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text)


@pytest.mark.django_db
def test_accept_language_chinese_gives_a_chinese_home_page(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-Hans,zh;q=0.9,en;q=0.5")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in body
    for text in ("AI Learning Portal", "Learn about large AI models", "Skip to content"):
        assert CJK.search(chinese(text)), f"{text!r} has no Chinese translation"
        assert chinese(text) in body
    assert "学习 AI 大模型" in body
    assert response["Content-Language"] == "zh-hans"
    assert "Accept-Language" in response["Vary"]


@pytest.mark.django_db
def test_accept_language_english_or_unknown_gives_english(client):
    for header in ("en-GB,en;q=0.8", "fr-FR", ""):
        body = client.get("/", HTTP_ACCEPT_LANGUAGE=header).content.decode()
        assert '<html lang="en">' in body and "Learn about large AI models" in body


@pytest.mark.django_db
def test_the_switch_form_sets_a_cookie_and_later_pages_stay_chinese(client):
    home = client.get("/").content.decode()
    assert re.search(r'<form[^>]+action="/i18n/setlang/"[^>]+method="post"', home)
    assert 'name="language"' in home and 'value="zh-hans"' in home

    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "zh-hans"

    # No Accept-Language now: the cookie alone decides, page after page.
    for path in ("/", "/accounts/login/", "/accounts/signup/"):
        body = client.get(path).content.decode()
        assert '<html lang="zh-hans">' in body, path
        assert chinese("Log in") in body and CJK.search(chinese("Log in"))

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/").content.decode()


@pytest.mark.django_db
def test_an_unknown_language_is_refused_by_the_switch(client):
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


# --- the catalogue -------------------------------------------------------------------------------


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (a list), flags, obsolete."""
    entries, entry, field = [], None, None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if entry is not None:
                entries.append(entry)
            entry, field = None, None
            continue
        if entry is None:
            entry = {"msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": [], "flags": set()}
            entry["obsolete"] = False
        if line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif match := re.fullmatch(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")', line):
            keyword, text = match.groups()
            if keyword.startswith("msgstr"):
                entry["msgstr"].append(ast.literal_eval(text))
                field = ("msgstr", len(entry["msgstr"]) - 1)
            else:
                entry[keyword] = ast.literal_eval(text)
                field = (keyword, None)
        elif line.startswith('"') and field is not None:
            keyword, index = field
            if keyword == "msgstr":
                entry["msgstr"][index] += ast.literal_eval(line)
            else:
                entry[keyword] += ast.literal_eval(line)
        else:
            raise AssertionError(f"{path}: cannot read the line {raw!r}")
    return entries


def describe(entry: dict) -> str:
    context = f"[{entry['msgctxt']}] " if entry["msgctxt"] else ""
    return context + repr(entry["msgid"])


def test_every_message_has_a_chinese_translation_and_none_is_fuzzy():
    entries = [e for e in read_po(PO) if not e["obsolete"]]
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == "" and "fuzzy" not in header["flags"], "the .po header is fuzzy"
    assert "Plural-Forms: nplurals=1; plural=0;" in header["msgstr"][0]
    assert len(messages) > 100
    untranslated = [
        describe(e) for e in messages if not e["msgstr"] or not all(s.strip() for s in e["msgstr"])
    ]
    fuzzy = [describe(e) for e in messages if "fuzzy" in e["flags"]]
    assert not untranslated, f"{len(untranslated)} untranslated: {', '.join(untranslated[:20])}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy: {', '.join(fuzzy[:20])}"
    # A translation must keep every placeholder of its source text.
    placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]")
    broken = [
        describe(e)
        for e in messages
        if any(sorted(placeholder.findall(s)) != sorted(placeholder.findall(e["msgid"])) for s in e["msgstr"])
    ]
    assert not broken, f"placeholders differ: {', '.join(broken[:20])}"


def mo_catalog(path: Path) -> dict:
    with path.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)


def test_the_compiled_catalogue_matches_the_po(tmp_path):
    assert MO.is_file(), f"{MO} is missing: run `manage.py compilemessages`"
    msgfmt = shutil.which("msgfmt")
    need(msgfmt is not None, "GNU gettext's msgfmt is not installed (apt-get install gettext)")
    fresh = tmp_path / "django.mo"
    # The same call as `manage.py compilemessages`, which also checks python-format placeholders.
    result = subprocess.run(
        [msgfmt, "--check-format", "-o", str(fresh), str(PO)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    committed, expected = mo_catalog(MO), mo_catalog(fresh)
    stale = sorted(set(expected.items()) ^ set(committed.items()), key=str)[:10]
    assert committed == expected, (
        f"django.mo is older than django.po; run compilemessages. Differences: {stale}"
    )


def test_every_literal_translate_tag_in_the_templates_is_in_the_catalogue():
    """A template string added after the last makemessages would show in English on the Chinese site."""
    known = {(e["msgctxt"], e["msgid"]) for e in read_po(PO) if not e["obsolete"]}
    tag = re.compile(
        r"""{%\s*(?:trans|translate)\s+(?P<q>["'])(?P<text>.*?)(?P=q)"""
        r"""(?:\s+context\s+(?P<cq>["'])(?P<context>.*?)(?P=cq))?"""
    )
    missing = []
    for template in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        for match in tag.finditer(template.read_text(encoding="utf-8")):
            if (match["context"], match["text"]) not in known:
                missing.append(f"{template.relative_to(settings.BASE_DIR)}: {match['text']!r}")
    assert not missing, "run makemessages and translate:\n" + "\n".join(missing)


#: Folders makemessages leaves out: tests, benchmarks, scripts and build or run outputs.
NOT_THE_SITE = ["tests", "benchmarks", "static", "staticfiles", "var", "test-artifacts", "node_modules"]


def test_makemessages_finds_no_message_left_untranslated(tmp_path, settings, monkeypatch):
    """Every msgid of the project's templates and Python code has a Chinese translation.

    Django's own ``makemessages`` extracts the messages, as a translator would, into a copy of
    the catalogue: the real ``locale/`` is never written. The scratch tree links every top-level
    entry of the project except ``locale/``, so a new app or template folder is read too. A msgid
    that is new comes out untranslated, one whose English changed comes out fuzzy.
    """
    from django.core.management import call_command

    need(shutil.which("xgettext") is not None, "GNU gettext is not installed (apt-get install gettext)")
    root = Path(settings.BASE_DIR)
    tree = tmp_path / "tree"
    tree.mkdir()
    for entry in root.iterdir():
        # A virtualenv by any name is third-party code, never the site's.
        if entry.name != "locale" and not (entry / "pyvenv.cfg").exists():
            (tree / entry.name).symlink_to(entry)
    scratch_po = tree / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    scratch_po.parent.mkdir(parents=True)
    shutil.copyfile(PO, scratch_po)
    settings.LOCALE_PATHS = [tree / "locale"]
    monkeypatch.chdir(tree)
    before = PO.read_bytes()

    call_command(
        "makemessages",
        locale=["zh_Hans"],
        no_obsolete=True,
        symlinks=True,
        ignore_patterns=NOT_THE_SITE,
        verbosity=0,
    )

    assert PO.read_bytes() == before, "makemessages wrote to the real catalogue"
    entries = [e for e in read_po(scratch_po) if not e["obsolete"]][1:]
    assert len(entries) > 100, "makemessages found next to no messages: is the scratch tree right?"
    untranslated = [describe(e) for e in entries if not all(s.strip() for s in e["msgstr"])]
    fuzzy = [describe(e) for e in entries if "fuzzy" in e["flags"]]
    assert not untranslated, f"{len(untranslated)} untranslated: " + ", ".join(untranslated[:40])
    assert not fuzzy, f"{len(fuzzy)} fuzzy (the English changed): " + ", ".join(fuzzy[:40])
