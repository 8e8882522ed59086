"""The Linux desktop integration files pass the freedesktop validators and agree.

resources/desktop/ holds the .desktop entry, the shared-mime-info types and the
AppStream metainfo the .deb and the .tar.gz install (packaging/build_linux.py).
CI installs desktop-file-utils, appstream and shared-mime-info (.ci/run).
"""

from __future__ import annotations

import configparser
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from judgepanel.formats.detect import BUNDLE_SUFFIX, CARD_SUFFIX, RESULTS_SUFFIX, WORK_SUFFIX
from judgepanel.paths import resource
from judgepanel.ui.app import APP_ID
from tests.conftest import need_tool

MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"
DESKTOP = resource("desktop", f"{APP_ID}.desktop")
MIME = resource("desktop", f"{APP_ID}.mime.xml")
METAINFO = resource("desktop", f"{APP_ID}.metainfo.xml")


def mime_globs() -> dict[str, str]:
    root = ET.parse(MIME).getroot()
    return {t.attrib["type"]: t.find(f"{MIME_NS}glob").attrib["pattern"]  # type: ignore[union-attr]
            for t in root.iter(f"{MIME_NS}mime-type")}


def test_desktop_entry_validates() -> None:
    tool = need_tool("desktop-file-validate")
    result = subprocess.run([tool, str(DESKTOP)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in (result.stdout + result.stderr).lower()


def test_metainfo_validates() -> None:
    tool = need_tool("appstreamcli")
    result = subprocess.run([tool, "validate", "--no-net", str(METAINFO)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_four_file_types_are_known_by_extension() -> None:
    assert mime_globs() == {
        "application/x-judgepanel-bundle": f"*{BUNDLE_SUFFIX}",
        "application/x-judgepanel-results": f"*{RESULTS_SUFFIX}",
        "application/x-judgepanel-work": f"*{WORK_SUFFIX}",
        "application/x-judgepanel-card": f"*{CARD_SUFFIX}",
    }


def test_the_desktop_entry_opens_them_and_the_metainfo_says_so() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(DESKTOP, encoding="utf-8")
    section = entry["Desktop Entry"]
    assert set(filter(None, section["MimeType"].split(";"))) == set(mime_globs())
    assert section["Exec"] == "judgepanel %f"  # one file per launch: the app routes it
    assert section["Icon"] == APP_ID
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.find("launchable").text == DESKTOP.name  # type: ignore[union-attr]
    assert {m.text for m in root.iter("mediatype")} == set(mime_globs())


def test_the_mime_database_built_from_it_matches_the_names(tmp_path: Path) -> None:
    tool = need_tool("update-mime-database")
    (tmp_path / "packages").mkdir()
    shutil.copyfile(MIME, tmp_path / "packages" / f"{APP_ID}.xml")
    subprocess.run([tool, str(tmp_path)], check=True, capture_output=True)
    globs = (tmp_path / "globs2").read_text(encoding="utf-8")
    for mime_type, pattern in mime_globs().items():
        assert f"80:{mime_type}:{pattern}" in globs
