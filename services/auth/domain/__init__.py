"""Domain core of the auth service: accounts, roles, identifiers, password rules. Plain Python."""
