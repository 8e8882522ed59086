"""Interoperability with the reference `age` and `age-keygen` command-line tools.

`age -p` reads passphrases from the terminal only, so those tests drive it
through a pseudo-terminal (POSIX only).
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from judgepanel.crypto.age import AgeReader, decrypt_bytes, encrypt_bytes
from judgepanel.crypto.age_keys import (
    ScryptIdentity,
    ScryptRecipient,
    X25519Identity,
    X25519Recipient,
    format_identity_file,
    parse_age_identities,
)
from judgepanel.crypto.age_stream import CHUNK_SIZE
from tests.conftest import need_tool

pytestmark = pytest.mark.interop

DATA = os.urandom(2 * CHUNK_SIZE + 123)


def run_on_terminal(args: list[str], passphrase: str, timeout: float = 60.0) -> tuple[int, str]:
    """Run ``args`` on a pseudo-terminal, answering every passphrase prompt."""
    import pty  # POSIX only; imported here so collection works everywhere

    pid, fd = pty.fork()
    if pid == 0:  # child: becomes age, with the pty as its controlling terminal
        try:
            os.execvp(args[0], args)
        finally:
            os._exit(127)
    output = b""
    answered = 0
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if not ready:
                continue
            try:
                data = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            output += data
            while answered < output.lower().count(b"passphrase"):
                os.write(fd, passphrase.encode("utf-8") + b"\r")
                answered += 1
        else:
            os.kill(pid, 9)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), output.decode("utf-8", "replace")


def posix_only() -> None:
    if sys.platform == "win32":
        pytest.skip("driving `age -p` needs a POSIX pseudo-terminal")


def test_keygen_identity_file_reads_and_matches_its_public_key(tmp_path: Path) -> None:
    keygen = need_tool("age-keygen")
    key_file = tmp_path / "key.txt"
    subprocess.run([keygen, "-o", str(key_file)], check=True, capture_output=True)
    text = key_file.read_text()
    (identity,) = parse_age_identities(text)
    public = subprocess.run(
        [keygen, "-y", str(key_file)], check=True, capture_output=True, text=True
    ).stdout.strip()
    assert identity.recipient().to_string() == public
    assert f"# public key: {public}" in text


def test_our_identity_file_works_with_age_keygen(tmp_path: Path) -> None:
    keygen = need_tool("age-keygen")
    identity = X25519Identity.generate()
    key_file = tmp_path / "key.txt"
    key_file.write_text(format_identity_file(identity, ["made by JudgePanel"]))
    public = subprocess.run(
        [keygen, "-y", str(key_file)], check=True, capture_output=True, text=True
    ).stdout.strip()
    assert public == identity.recipient().to_string()


@pytest.mark.parametrize("size", [0, CHUNK_SIZE, len(DATA)])
def test_age_decrypts_what_we_encrypt(tmp_path: Path, size: int) -> None:
    age = need_tool("age")
    identity, other = X25519Identity.generate(), X25519Identity.generate()
    key_file = tmp_path / "key.txt"
    key_file.write_text(format_identity_file(identity))
    encrypted = tmp_path / "data.age"
    encrypted.write_bytes(encrypt_bytes(DATA[:size], [other.recipient(), identity.recipient()]))
    result = subprocess.run(
        [age, "-d", "-i", str(key_file), str(encrypted)], capture_output=True, check=True
    )
    assert result.stdout == DATA[:size]


@pytest.mark.parametrize("size", [0, CHUNK_SIZE, len(DATA)])
def test_we_decrypt_what_age_encrypts(tmp_path: Path, size: int) -> None:
    age = need_tool("age")
    identity = X25519Identity.generate()
    ciphertext = subprocess.run(
        [age, "-e", "-r", identity.recipient().to_string()],
        input=DATA[:size], capture_output=True, check=True,
    ).stdout
    assert decrypt_bytes(ciphertext, [identity]) == DATA[:size]
    path = tmp_path / "f.age"
    path.write_bytes(ciphertext)
    with path.open("rb") as handle:
        assert AgeReader(handle, [identity]).read_at(CHUNK_SIZE - 3, 6) == DATA[:size][
            CHUNK_SIZE - 3 : CHUNK_SIZE + 3
        ]


def test_age_keygen_key_decrypts_age_output_with_our_reader(tmp_path: Path) -> None:
    age, keygen = need_tool("age"), need_tool("age-keygen")
    key_file = tmp_path / "key.txt"
    subprocess.run([keygen, "-o", str(key_file)], check=True, capture_output=True)
    identities = parse_age_identities(key_file.read_text())
    recipient = X25519Recipient.from_string(
        subprocess.run([keygen, "-y", str(key_file)], capture_output=True, text=True).stdout
    )
    ciphertext = subprocess.run(
        [age, "-r", recipient.to_string()], input=DATA, capture_output=True, check=True
    ).stdout
    assert decrypt_bytes(ciphertext, identities) == DATA


def test_we_open_age_passphrase_files(tmp_path: Path) -> None:
    age = need_tool("age")
    posix_only()
    plain, encrypted = tmp_path / "plain", tmp_path / "plain.age"
    plain.write_bytes(DATA)
    code, output = run_on_terminal(
        [age, "-p", "-o", str(encrypted), str(plain)], "correct horse battery"
    )
    assert code == 0, output
    ciphertext = encrypted.read_bytes()
    assert b"\n-> scrypt " in ciphertext
    assert decrypt_bytes(ciphertext, [ScryptIdentity("correct horse battery")]) == DATA


def test_age_opens_our_passphrase_files(tmp_path: Path) -> None:
    age = need_tool("age")
    posix_only()
    encrypted, out = tmp_path / "ours.age", tmp_path / "ours.out"
    encrypted.write_bytes(encrypt_bytes(DATA, [ScryptRecipient("pass phrase", work_factor=10)]))
    code, output = run_on_terminal([age, "-d", "-o", str(out), str(encrypted)], "pass phrase")
    assert code == 0, output
    assert out.read_bytes() == DATA


def test_age_refuses_our_passphrase_file_with_the_wrong_passphrase(tmp_path: Path) -> None:
    """Guards the pty helper: a failure must show up as a failure."""
    age = need_tool("age")
    posix_only()
    encrypted, out = tmp_path / "ours.age", tmp_path / "ours.out"
    encrypted.write_bytes(encrypt_bytes(b"x", [ScryptRecipient("right", work_factor=10)]))
    code, _ = run_on_terminal([age, "-d", "-o", str(out), str(encrypted)], "wrong")
    assert code != 0
