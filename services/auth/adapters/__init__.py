"""Adapters of the auth service (all its I/O but the stores): argon2id password hashing, zxcvbn
strength, the messenger to notification."""
