"""age v1 encryption, minisign-compatible signatures, identities and the keyring. No Qt."""
