"""Sign-in rules in plain Python: passwords, lockout, refresh tokens, who may administer whom.

Passwords are hashed with argon2id (memory-hard, salted); refresh tokens are random and
only their SHA-256 is stored, so a copy of the directory signs nobody in.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from aftersales_core.errors import AppError, Forbidden, ValidationFailed
from aftersales_core.tenancy import ROLES

ACCESS_TTL = timedelta(minutes=15)
REFRESH_TTL = timedelta(hours=12)
# After this many failed attempts in a row an account waits, doubling each time.
FREE_ATTEMPTS = 5
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
MIN_PASSWORD, MAX_PASSWORD = 10, 200
GRANTABLE_ROLES = tuple(role for role in ROLES if role not in ("system", "oem"))

_hasher = PasswordHasher()
# Verified against when the user does not exist, so a wrong name costs the same time.
_DUMMY_HASH = _hasher.hash("not-a-password-of-anyone")


class TooManyAttempts(AppError):
    status = 429
    default_code = "TOO_MANY_ATTEMPTS"


def password_problems(password: str, user_id: str) -> list[str]:
    """Why a new password is refused (empty: acceptable)."""
    problems = []
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        problems.append(f"{MIN_PASSWORD} to {MAX_PASSWORD} characters")
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        problems.append("at least one letter and one digit")
    if user_id and user_id.lower() in password.lower():
        problems.append("must not contain the user id")
    if len(set(password)) < 5:
        problems.append("at least five different characters")
    return problems


def check_new_password(password: str, user_id: str) -> str:
    if problems := password_problems(password, user_id):
        raise ValidationFailed("the password is too weak", "WEAK_PASSWORD", {"password": problems})
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; a missing hash (no password set) never does."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def lockout_until(failed_attempts: int, now: datetime) -> datetime | None:
    """When an account that has failed `failed_attempts` times in a row may try again."""
    if failed_attempts < FREE_ATTEMPTS:
        return None
    wait = min(FIRST_WAIT * 2 ** (failed_attempts - FREE_ATTEMPTS), LONGEST_WAIT)
    return now + wait


def refuse_while_locked(locked_until: datetime | None, now: datetime) -> None:
    if locked_until is not None and locked_until > now:
        seconds = int((locked_until - now).total_seconds()) + 1
        raise TooManyAttempts(
            f"too many failed sign-ins: try again in {seconds} s",
            "TOO_MANY_ATTEMPTS",
            {"retry_after": [str(seconds)]},
        )


def new_refresh_token() -> tuple[str, str]:
    """(the token handed to the client, the digest kept in the directory)."""
    token = secrets.token_urlsafe(32)
    return token, digest(token)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Grant:
    """What an administrator asks to give a user: sites of the group and roles."""

    site_ids: tuple[str, ...]
    roles: tuple[str, ...]


def check_grant(grant: Grant, group_sites: AbstractSet[str]) -> Grant:
    """Only sites of the administrator's own group and roles people may hold."""
    foreign = [site for site in grant.site_ids if site not in group_sites]
    if foreign:
        raise ValidationFailed(
            "sites must belong to your group", "UNKNOWN_SITE", {"site_ids": foreign}
        )
    unknown = [role for role in grant.roles if role not in GRANTABLE_ROLES]
    if unknown:
        raise ValidationFailed(
            "roles must be roles people hold", "UNKNOWN_ROLE", {"roles": unknown}
        )
    if not grant.roles:
        raise ValidationFailed.on("roles", "at least one role", "NO_ROLE")
    if "hq_manager" not in grant.roles and "group_admin" not in grant.roles and not grant.site_ids:
        raise ValidationFailed.on("site_ids", "site staff need at least one site", "NO_SITE")
    return grant


def refuse_self_lockout(actor: str, target: str, disabling: bool, dropping_admin: bool) -> None:
    """An administrator cannot disable themself or take away their own admin role."""
    if actor == target and (disabling or dropping_admin):
        raise Forbidden(
            "you cannot disable yourself or drop your own administration role",
            "SELF_LOCKOUT",
        )
