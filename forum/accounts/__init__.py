"""Accounts: users, passwords (argon2id), sessions, roles, tokens, verification and reset."""
