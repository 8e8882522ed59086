"""`judgepanel demo DIR`: the whole demo end to end, its layout, and checks with age/minisign."""

from __future__ import annotations

import io
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from judgepanel import cli
from judgepanel.crypto.age import encrypt_bytes
from judgepanel.crypto.age_keys import ScryptRecipient
from judgepanel.crypto.identity import Identity
from judgepanel.errors import IdentityError, WrongKeyError
from judgepanel.formats.identity_file import read_identity_file
from judgepanel.model.demo.content import JUDGES, grant_applications, recognition_applications
from judgepanel.model.demo.files import DEMO_WARNING
from tests.conftest import need_tool

JUDGE_SLUGS = [j.slug for j in JUDGES]


def run(monkeypatch: pytest.MonkeyPatch, *argv: str) -> int:
    wanted = (*cli.COMMAND_MODULES, "judgepanel.cli.staff", "judgepanel.cli.demo")
    monkeypatch.setattr(cli, "COMMAND_MODULES", tuple(dict.fromkeys(wanted)))
    return cli.main(list(argv))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One full-size demo for the whole module (about 5 s)."""
    folder = tmp_path_factory.mktemp("demo") / "demo-program"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUDGEPANEL_HOME", str(tmp_path_factory.mktemp("home")))
        assert run(mp, "demo", str(folder), "--quiet") == 0
    yield folder


def test_layout_scripts_rely_on(demo: Path) -> None:
    assert (demo / "program" / "program.sqlite").is_file()
    for name in ["staff", *JUDGE_SLUGS]:
        key = (demo / "keys" / f"{name}.key").read_text(encoding="utf-8")
        assert key.splitlines()[0] == f"# {DEMO_WARNING}"
        assert "AGE-SECRET-KEY-1" in key
        assert (demo / "keys" / f"{name}.pub").read_text().splitlines()[1].startswith("RW")
    for slug in JUDGE_SLUGS:
        assert (demo / "bundles" / f"{slug}.jpbundle").stat().st_size > 1000
        assert (demo / "results" / f"{slug}.jpresults").is_file()
    assert (demo / "grants" / "program" / "program.sqlite").is_file()
    assert "DEMO KEYS" in (demo / "README.txt").read_text(encoding="utf-8")


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.interop
@pytest.mark.parametrize("slug", [JUDGE_SLUGS[0], JUDGE_SLUGS[3]])
def test_bundle_opens_with_age_and_manifest_verifies_with_minisign(
        demo: Path, slug: str, tmp_path: Path) -> None:
    age, minisign = need_tool("age"), need_tool("minisign")
    keys = demo / "keys"
    payload = subprocess.run([age, "-d", "-i", keys / f"{slug}.key",
                              demo / "bundles" / f"{slug}.jpbundle"],
                             check=True, capture_output=True).stdout
    members = _members(payload)
    (tmp_path / "manifest.json").write_bytes(members["manifest.json"])
    (tmp_path / "manifest.json.minisig").write_bytes(members["manifest.json.minisig"])
    ok = subprocess.run([minisign, "-V", "-p", keys / "staff.pub", "-m",
                         tmp_path / "manifest.json"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    # ... and another judge's key cannot open it
    other = JUDGE_SLUGS[1] if slug != JUDGE_SLUGS[1] else JUDGE_SLUGS[2]
    refused = subprocess.run([age, "-d", "-i", keys / f"{other}.key",
                              demo / "bundles" / f"{slug}.jpbundle"], capture_output=True)
    assert refused.returncode != 0
    # a judge's key is not the staff's: the manifest must not verify with it
    bad = subprocess.run([minisign, "-V", "-p", keys / f"{slug}.pub", "-m",
                          tmp_path / "manifest.json"], capture_output=True)
    assert bad.returncode != 0


@pytest.mark.interop
def test_results_open_with_staff_key_and_verify_with_the_judges_key(
        demo: Path, tmp_path: Path) -> None:
    age, minisign = need_tool("age"), need_tool("minisign")
    keys = demo / "keys"
    for slug in JUDGE_SLUGS:
        payload = subprocess.run([age, "-d", "-i", keys / "staff.key",
                                  demo / "results" / f"{slug}.jpresults"],
                                 check=True, capture_output=True).stdout
        members = _members(payload)
        folder = tmp_path / slug
        folder.mkdir()
        (folder / "results.json").write_bytes(members["results.json"])
        (folder / "results.json.minisig").write_bytes(members["results.json.minisig"])
        ok = subprocess.run([minisign, "-V", "-p", keys / f"{slug}.pub", "-m",
                             folder / "results.json"], capture_output=True, text=True)
        assert ok.returncode == 0, ok.stderr
        assert "seq=1" in ok.stdout
        assert b"private" not in members["results.json"].lower()


def test_the_ranking_exists_with_conflicts_excluded(demo: Path) -> None:
    from judgepanel.model.staff.decide.leaderboard import compute
    from judgepanel.model.staff.workspace import StaffWorkspace

    with StaffWorkspace.open(demo / "program") as ws, ws.session() as session:
        program = ws.program(session)
        board = compute(session, program.rounds[0], basis="raw")
        ranked = [r for r in board.rows if r.rank_raw is not None]
        assert len(ranked) == 40
        assert ranked[0].rank_raw == 1
        assert all(a.stats.mean >= b.stats.mean for a, b in zip(ranked, ranked[1:], strict=False)
                   if a.stats.mean is not None and b.stats.mean is not None)
        assert sum(r.stats.n for r in ranked) < 120  # declared conflicts removed reviews
        assert any(r.conflicted for r in board.rows)
        assert not any(r.missing for r in board.rows)
        assert board.alpha is not None
        grants = StaffWorkspace.open(demo / "grants" / "program")
    with grants, grants.session() as session:
        board = compute(session, grants.program(session).rounds[0])
        assert board.funding is not None and board.funding.line_at is not None
        assert board.funding.total_awarded <= board.funding.budget


def test_staff_commands_work_on_the_demo(demo: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert run(monkeypatch, "staff", "rank", "-w", str(demo / "program"), "--top", "3") == 0
    out = capsys.readouterr().out
    assert "REC-2026-" in out and "alpha" in out
    # re-merging the same files changes nothing and says so (exit 1: refused)
    code = run(monkeypatch, "staff", "merge", "-w", str(demo / "program"), "--identity-file",
               str(demo / "keys" / "staff.identity"),
               str(demo / "results" / "zoe-lefevre.jpresults"))
    assert code == 1
    assert "already merged" in capsys.readouterr().out


def test_rerun_into_the_same_folder_is_refused(demo: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    before = sorted(p.name for p in demo.iterdir())
    assert run(monkeypatch, "demo", str(demo)) == 2
    assert "not empty" in capsys.readouterr().err
    assert sorted(p.name for p in demo.iterdir()) == before


def test_fresh_replaces_only_an_earlier_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter1.txt").write_text("years of work")
    assert run(monkeypatch, "demo", str(precious), "--fresh") == 2
    assert "does not look like an earlier demo" in capsys.readouterr().err
    assert (precious / "chapter1.txt").read_text() == "years of work"

    small = tmp_path / "small"
    args = ("demo", str(small), "--applications", "6", "--grants", "0", "--quiet")
    assert run(monkeypatch, *args) == 0
    first_key = (small / "keys" / "staff.key").read_text()
    (small / "stray.txt").write_text("not ours")  # an unknown entry: no longer deletable
    assert run(monkeypatch, *args, "--fresh") == 2
    (small / "stray.txt").unlink()
    assert run(monkeypatch, *args, "--fresh") == 0
    assert (small / "keys" / "staff.key").read_text() != first_key  # really rebuilt
    assert not (small / "grants").exists()


def test_content_is_deterministic_and_realistic() -> None:
    a, b = recognition_applications(40, seed=5), recognition_applications(40, seed=5)
    assert a == b
    assert a != recognition_applications(40, seed=6)
    assert len({x.category for x in a}) == 10
    assert len({x.ref for x in a}) == 40
    assert any(ch in "".join(x.contact_name for x in a) for ch in "éöëłŁñçøıİ")
    assert sum(1 for x in a if x.pdfs) >= 10
    grants = grant_applications(12, seed=5)
    assert all(g.requested_amount and g.requested_amount > 0 for g in grants)


def test_identity_files_demo_and_passphrase(tmp_path: Path) -> None:
    identity = Identity.generate("Staff", "staff")
    plain = tmp_path / "staff.identity"
    plain.write_text(f"# {DEMO_WARNING}\n{identity.secret_text()}\n", encoding="utf-8")
    assert read_identity_file(plain).fingerprint == identity.fingerprint
    sealed = tmp_path / "staff.identity.age"
    sealed.write_bytes(encrypt_bytes(identity.secret_text().encode(),
                                     [ScryptRecipient("correct horse", work_factor=2)]))
    assert read_identity_file(sealed, passphrase="correct horse") == identity
    with pytest.raises(WrongKeyError):
        read_identity_file(sealed, passphrase="wrong")
    with pytest.raises(IdentityError, match="passphrase"):
        read_identity_file(sealed)
    garbage = tmp_path / "garbage.identity"
    garbage.write_text("# nothing\n{}\n")
    with pytest.raises(IdentityError):
        read_identity_file(garbage)


def test_the_demo_is_never_overdue() -> None:
    import datetime as dt

    from judgepanel.model.demo.build import demo_due_date

    due = demo_due_date(dt.date(2026, 11, 24))
    assert due == dt.datetime(2026, 12, 22, 23, 59, tzinfo=dt.UTC)
    assert demo_due_date() > dt.datetime.now(dt.UTC)
