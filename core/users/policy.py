"""The password policy: long enough, not the username, not a common password."""

from __future__ import annotations

from core.errors import Invalid

MIN_LENGTH = 10
MAX_LENGTH = 128
#: The most common passwords (and their obvious local variants); checked case-insensitively.
COMMON = frozenset(
    {
        "123456789012",
        "1234567890",
        "12345678910",
        "0123456789",
        "1111111111",
        "0000000000",
        "1q2w3e4r5t",
        "qwertyuiop",
        "qwerty12345",
        "password123",
        "password1234",
        "passw0rd123",
        "iloveyou123",
        "abc1234567",
        "abcd123456",
        "a123456789",
        "woaini1314",
        "woaini520",
        "5201314520",
        "1314520520",
        "88888888888",
        "6666666666",
        "admin12345",
        "administrator",
        "changeme123",
        "welcome123",
        "letmein123",
        "dianfei123",
        "dianfei2026",
        "gongdiansuo",
        "guodian123",
        "sgcc123456",
    }
)


def check_password(password: str, username: str = "", field: str = "new_password") -> None:
    """Refuse (:class:`Invalid`) a password the policy does not accept."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"At least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        problems.append(f"At most {MAX_LENGTH} characters.")
    if password.lower() in COMMON or len(set(password)) < 4:
        problems.append("Too common or too simple: choose another.")
    if username and username.lower() in password.lower():
        problems.append("Must not contain the username.")
    if problems:
        raise Invalid({field: problems})
