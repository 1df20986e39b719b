"""Password hashing with scrypt at OWASP's minimum, in Werkzeug's storage format
(``scrypt:n:r:p$salt$hex``) so hashes written by either stay readable. Pure standard library."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import string

# OWASP's scrypt minimum (N=2^17, r=8, p=1), pinned so a library upgrade cannot weaken it.
PASSWORD_METHOD = "scrypt:131072:8:1"
_SALT_CHARS = string.ascii_letters + string.digits


def _scrypt(method: str, salt: str, password: str) -> str:
    name, n, r, p = method.split(":")
    if name != "scrypt":
        raise ValueError(f"unsupported password method {name!r}")
    n_, r_, p_ = int(n), int(r), int(p)
    return hashlib.scrypt(password.encode(), salt=salt.encode(), n=n_, r=r_, p=p_,
                          maxmem=132 * n_ * r_ * p_, dklen=64).hex()


def hash_password(password: str) -> str:
    salt = "".join(secrets.choice(_SALT_CHARS) for _ in range(16))
    return f"{PASSWORD_METHOD}${salt}${_scrypt(PASSWORD_METHOD, salt, password)}"


def check_password(stored: str, password: str) -> bool:
    try:
        method, salt, digest = stored.split("$", 2)
        return hmac.compare_digest(_scrypt(method, salt, password), digest)
    except ValueError:  # malformed or foreign hash: never a match
        return False
