"""Who is calling: the actor carried by a user's JWT (gateway) or by an internal token (services).

An internal service accepts a call only with `X-CRM-Actor`: a token the gateway (or another
internal caller) signs for one minute with `CRM_INTERNAL_KEY`, a key no user holds, for the
audience `crm-internal`. A local process that merely knows a service's port cannot act as anyone.

Roles and visibility follow DOMAIN.md §0: branch roles see and write only their own branch; HQ roles
read everything; auditors write nothing.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

import jwt

BRANCH_ROLES = frozenset({"sales_rep", "branch_manager", "marketing", "service_agent"})
HQ_ROLES = frozenset({"hq_analyst", "auditor", "admin"})
ROLES = BRANCH_ROLES | HQ_ROLES
BRANCH_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: str
    role: str
    branch: str

    @property
    def is_hq(self) -> bool:
        return self.role in HQ_ROLES

    def sees(self, branch: str) -> bool:
        return self.is_hq or branch == self.branch


class InvalidToken(Exception):
    pass


class TokenVerifier:
    """Verifies bearer JWTs: HS256 with a shared secret, or RS256/ES256 keys from a JWKS URL."""

    def __init__(
        self, *, secret: str = "", jwks_url: str = "", audience: str = "", issuer: str = ""
    ) -> None:
        if not secret and not jwks_url:
            raise ValueError("set CRM_JWT_SECRET (HS256) or CRM_JWKS_URL (RS256)")
        self._secret = secret
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True) if jwks_url else None
        self._audience = audience or None
        self._issuer = issuer or None
        # a verified token -> its actor and expiry: a client sends the same token many times
        self._verified: dict[str, tuple[Actor, float]] = {}

    def verify(self, token: str) -> Actor:
        known = self._verified.get(token)
        if known is not None and known[1] > time.time():
            return known[0]
        claims = self._claims(token)
        actor = actor_from_claims(claims)
        if len(self._verified) >= 10_000:
            self._verified.clear()
        self._verified[token] = (actor, float(claims["exp"]))
        return actor

    def _claims(self, token: str) -> dict[str, Any]:
        try:
            if self._jwks is not None:
                key: Any = self._jwks.get_signing_key_from_jwt(token).key
                algorithms = ["RS256", "ES256"]
            else:
                key, algorithms = self._secret, ["HS256"]
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "sub"], "verify_aud": self._audience is not None},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        return claims


def actor_from_claims(claims: dict[str, Any]) -> Actor:
    sub, role, branch = claims.get("sub"), claims.get("role"), claims.get("branch")
    if not isinstance(sub, str) or not sub:
        raise InvalidToken("the token has no subject (sub)")
    if not isinstance(role, str) or role not in ROLES:
        raise InvalidToken(f"the token's role is not one of {sorted(ROLES)}")
    if not isinstance(branch, str) or not BRANCH_CODE.match(branch):
        raise InvalidToken("the token has no valid branch claim")
    return Actor(sub, role, branch)


def issue_token(
    secret: str, *, user: str, role: str, branch: str, ttl_seconds: int = 12 * 3600
) -> str:
    """A locally valid HS256 token (for `crm token`, demo data and tests)."""
    actor_from_claims({"sub": user, "role": role, "branch": branch})  # same checks as verify
    now = int(time.time())
    claims = {"sub": user, "role": role, "branch": branch, "iat": now, "exp": now + ttl_seconds}
    return jwt.encode(claims, secret, algorithm="HS256")


INTERNAL_AUDIENCE = "crm-internal"
INTERNAL_TTL_SECONDS = 60


def internal_token(key: str, actor: Actor, ttl_seconds: int = INTERNAL_TTL_SECONDS) -> str:
    """The short-lived token that carries `actor` on a call to an internal service."""
    if not key:
        raise InvalidToken("CRM_INTERNAL_KEY is not set: internal calls cannot be signed")
    now = int(time.time())
    claims = {
        "sub": actor.user_id,
        "role": actor.role,
        "branch": actor.branch,
        "aud": INTERNAL_AUDIENCE,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    return jwt.encode(claims, key, algorithm="HS256")


def internal_headers(key: str, actor: Actor) -> dict[str, str]:
    return {"X-CRM-Actor": internal_token(key, actor)}


def internal_verifier(key: str) -> TokenVerifier | None:
    """The verifier of internal tokens (None without a key: then every internal call is a 401)."""
    return TokenVerifier(secret=key, audience=INTERNAL_AUDIENCE) if key else None
