"""Storage: engines, column types, bulk row I/O and the hash-chain algorithm."""
