"""A token's claims are checked for their types too: a signed token with odd claims is a 401."""

import time

import jwt
import pytest
from crm_platform.auth import Actor, InvalidToken, TokenVerifier, actor_from_claims

SECRET = "s" * 32


def signed(**claims: object) -> str:
    return jwt.encode({"exp": int(time.time()) + 60, **claims}, SECRET, algorithm="HS256")


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "alice", "role": ["admin"], "branch": "SH01"},
        {"sub": "alice", "role": {"admin": 1}, "branch": "SH01"},
        {"sub": "alice", "role": "root", "branch": "SH01"},
        {"sub": ["alice"], "role": "sales_rep", "branch": "SH01"},
        {"sub": "alice", "role": "sales_rep", "branch": ["SH01"]},
        {"sub": "alice", "role": "sales_rep", "branch": "SH01\x00"},
        {"sub": "alice", "role": "sales_rep"},
    ],
)
def test_claims_of_the_wrong_type_are_not_an_actor(claims: dict[str, object]) -> None:
    with pytest.raises(InvalidToken):
        TokenVerifier(secret=SECRET).verify(signed(**claims))


def test_a_well_formed_token_is_its_actor() -> None:
    actor = TokenVerifier(secret=SECRET).verify(
        signed(sub="alice", role="sales_rep", branch="SH01")
    )
    assert actor == Actor("alice", "sales_rep", "SH01")
    assert actor_from_claims({"sub": "bob", "role": "admin", "branch": "HQ"}).is_hq
