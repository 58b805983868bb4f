"""Staff: creating users and collector profiles, password hashing, login throttling."""
