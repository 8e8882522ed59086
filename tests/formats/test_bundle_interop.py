"""Anyone can check our files with the standard tools: ``age -d`` then ``minisign -V``.

These run the real CLIs (skipped locally when missing, required in CI) and follow the
steps docs/formats.md section 7 gives, for bundles and for results files.
"""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest

from judgepanel.crypto.age_keys import format_identity_file
from judgepanel.crypto.identity import Identity
from judgepanel.formats.bundle import Bundle
from judgepanel.formats.bundle_write import BundleApplication, write_bundle
from judgepanel.formats.results.file import write_results
from tests.conftest import need_tool
from tests.formats.crafting import Keys, results_document
from tests.formats.test_bundle import make_apps, make_header

pytestmark = pytest.mark.interop


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=60)


def key_file(tmp_path: Path, person: Identity) -> Path:
    path = tmp_path / f"{person.role}.key"
    path.write_text(format_identity_file(person.age))
    return path


def pub_file(tmp_path: Path, person: Identity) -> Path:
    path = tmp_path / f"{person.role}.pub"
    path.write_text(person.public_key.to_string())
    return path


def decrypt_and_unzip(tmp_path: Path, person: Identity, encrypted: Path,
                      names: list[str]) -> zipfile.ZipFile:
    age = need_tool("age")
    plain = tmp_path / "payload.zip"
    result = run(age, "-d", "-i", key_file(tmp_path, person), "-o", plain, encrypted)
    assert result.returncode == 0, result.stderr
    archive = zipfile.ZipFile(plain)
    assert archive.testzip() is None
    assert archive.namelist()[: len(names)] == names
    for name in names:
        (tmp_path / name).write_bytes(archive.read(name))
    return archive


def test_bundle_checks_out_with_age_and_minisign(tmp_path: Path) -> None:
    minisign = need_tool("minisign")
    keys = Keys.make()
    bundle_path = tmp_path / "maria.jpbundle"
    written = write_bundle(bundle_path, make_header(keys), make_apps(tmp_path),
                           recipients=keys.bundle_recipients, staff_key=keys.staff.signing)
    work = tmp_path / "check"
    work.mkdir()
    archive = decrypt_and_unzip(work, keys.judge, bundle_path,
                                ["manifest.json", "manifest.json.minisig"])
    result = run(minisign, "-V", "-p", pub_file(work, keys.staff), "-m", work / "manifest.json")
    assert result.returncode == 0, result.stderr
    assert "Signature and comment signature verified" in result.stdout
    assert (f"judgepanel bundle v1 bundle=B-0001 program=P-2026 round=R-1 "
            f"judge={keys.judge.fingerprint}") in result.stdout
    # every member is in the manifest with the SHA-256 `sha256sum` would print
    with Bundle.open(bundle_path, [keys.judge]) as bundle:
        assert bundle.manifest_sha256 == written.manifest_sha256
        for member in bundle.manifest["members"]:
            assert archive.getinfo(member["path"]).file_size == member["size"]
    (work / "applications.pdf").write_bytes(archive.read("applications/A-1/attachments/budget.pdf"))
    sums = run("sha256sum", work / "applications.pdf")
    expected = next(m for m in bundle.manifest["members"] if m["path"].endswith("budget.pdf"))
    assert sums.stdout.split()[0] == expected["sha256"]
    # the staff's own key opens it as well
    staff_check = tmp_path / "staff"
    staff_check.mkdir()
    decrypt_and_unzip(staff_check, keys.staff, bundle_path, ["manifest.json"])


def test_minisign_refuses_a_manifest_changed_after_signing(tmp_path: Path) -> None:
    minisign = need_tool("minisign")
    keys = Keys.make()
    bundle_path = tmp_path / "b.jpbundle"
    write_bundle(bundle_path, make_header(keys, app_ids=("A-1",)),
                 [BundleApplication("A-1", {"x": 1})], recipients=[keys.judge.recipient],
                 staff_key=keys.staff.signing)
    decrypt_and_unzip(tmp_path, keys.judge, bundle_path, ["manifest.json",
                                                          "manifest.json.minisig"])
    manifest = tmp_path / "manifest.json"
    manifest.write_bytes(manifest.read_bytes().replace(b"Initiative", b"Imitative"))
    result = run(minisign, "-V", "-p", pub_file(tmp_path, keys.staff), "-m", manifest)
    assert result.returncode != 0


def test_results_check_out_with_age_and_minisign(tmp_path: Path) -> None:
    minisign = need_tool("minisign")
    keys = Keys.make()
    results_path = tmp_path / "maria.jpresults"
    write_results(results_path, results_document(keys), judge_key=keys.judge.signing,
                  judge_public=keys.judge.public_key, staff_recipient=keys.staff.recipient,
                  judge_recipient=keys.judge.recipient)
    # the staff open it, and so can the judge (format 2 encrypts to both)
    decrypt_and_unzip(tmp_path, keys.judge, results_path,
                      ["results.json", "results.json.minisig", "judge.pub"])
    decrypt_and_unzip(tmp_path, keys.staff, results_path,
                      ["results.json", "results.json.minisig", "judge.pub"])
    # against the enrolled key (what staff should do) and against the shipped judge.pub
    for pub in (pub_file(tmp_path, keys.judge), tmp_path / "judge.pub"):
        result = run(minisign, "-V", "-p", pub, "-m", tmp_path / "results.json")
        assert result.returncode == 0, result.stderr
        assert (f"judgepanel results v3 bundle=B-0001 seq=3 "
                f"export=0123456789abcdef0123456789abcdef judge={keys.judge.fingerprint}"
                in result.stdout)
    other = tmp_path / "other.pub"
    other.write_text(keys.other.public_key.to_string())
    assert run(minisign, "-V", "-p", other, "-m", tmp_path / "results.json").returncode != 0
