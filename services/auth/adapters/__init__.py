"""Adapters of the auth service: password hashing (argon2id) and access tokens (JWT)."""
