"""Our signatures against the real `minisign` tool, both ways."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from judgepanel.crypto.minisign import PublicKey, SigningKey
from judgepanel.errors import SignatureError
from tests.conftest import need_tool

pytestmark = pytest.mark.interop


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=30
    )


def test_minisign_verifies_our_signature(tmp_path: Path) -> None:
    tool = need_tool("minisign")
    key = SigningKey.generate()
    (tmp_path / "key.pub").write_text(key.public_key().to_string())
    data = b"manifest \x00 bytes\n" * 100
    (tmp_path / "manifest.json").write_bytes(data)
    sig = key.sign(data, trusted_comment="bundle:B1 judge:J1")
    (tmp_path / "manifest.json.minisig").write_text(sig)
    (tmp_path / "other.sig").write_text(sig)

    done = run(tool, "-V", "-p", "key.pub", "-m", "manifest.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "bundle:B1 judge:J1" in done.stdout
    done = run(tool, "-V", "-H", "-p", "key.pub", "-m", "manifest.json", "-x", "other.sig",
               cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    done = run(tool, "-V", "-P", key.public_key().base64, "-m", "manifest.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr

    # and minisign itself refuses our signature over changed data
    (tmp_path / "manifest.json").write_bytes(data + b"!")
    done = run(tool, "-V", "-p", "key.pub", "-m", "manifest.json", cwd=tmp_path)
    assert done.returncode != 0


def test_minisign_signs_with_our_secret_key_file(tmp_path: Path) -> None:
    tool = need_tool("minisign")
    key = SigningKey.generate()
    (tmp_path / "our.key").write_text(key.to_minisign_secret_file())
    (tmp_path / "f").write_bytes(b"x")
    done = run(tool, "-S", "-s", "our.key", "-t", "made by minisign", "-m", "f", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    sig = (tmp_path / "f.minisig").read_text()
    assert key.public_key().verify(b"x", sig) == "made by minisign"


@pytest.fixture
def minisign_keys(tmp_path: Path) -> Path:
    tool = need_tool("minisign")
    done = run(tool, "-G", "-W", "-p", "x.pub", "-s", "x.key", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return tmp_path


@pytest.mark.parametrize("legacy", [False, True])
def test_we_verify_minisign_signatures(minisign_keys: Path, legacy: bool) -> None:
    tool = need_tool("minisign")
    data = b"results \xff\xfe\n" * 50
    (minisign_keys / "r.json").write_bytes(data)
    args = [tool, "-S", "-s", "x.key", "-t", "seq:7 é", "-m", "r.json"]
    if legacy:
        args.insert(2, "-l")
    done = run(*args, cwd=minisign_keys)
    assert done.returncode == 0, done.stderr
    sig = (minisign_keys / "r.json.minisig").read_text()
    pub = PublicKey.from_string((minisign_keys / "x.pub").read_text())
    assert pub.verify(data, sig) == "seq:7 é"

    # the unencrypted secret key minisign wrote is readable and is the same key
    ours = SigningKey.from_minisign_secret_file((minisign_keys / "x.key").read_text())
    assert ours.public_key() == pub

    with pytest.raises(SignatureError):  # tampered data
        pub.verify(data[:-1], sig)
    parts = sig.split("\n")
    parts[2] = "trusted comment: seq:8 é"
    with pytest.raises(SignatureError):  # tampered trusted comment
        pub.verify(data, "\n".join(parts))
    with pytest.raises(SignatureError, match="someone else's key"):  # wrong key id
        SigningKey.generate().public_key().verify(data, sig)
    impostor = PublicKey(pub.key_id, SigningKey.generate().public_key().raw)
    with pytest.raises(SignatureError):  # wrong key, same id
        impostor.verify(data, sig)
