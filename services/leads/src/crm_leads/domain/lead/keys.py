"""A lead's duplicate keys: its e-mail, phone and company, normalised so that the same customer
written differently (case, spacing, country code, legal form) gives the same key."""

from __future__ import annotations

import re
import unicodedata

_LEGAL = re.compile(
    r"\b(co\.?,? ?ltd|company limited|limited|ltd|inc|llc|gmbh|corp(oration)?|co)\b\.?|有限公司|股份",
    re.I,
)


def email_key(email: str | None) -> str | None:
    e = (email or "").strip().lower()
    return f"email:{e}" if "@" in e else None


def phone_key(phone: str | None) -> str | None:
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) > 11:
        digits = digits[2:]
    return f"phone:{digits}" if len(digits) >= 7 else None


def company_key(company: str) -> str | None:
    name = unicodedata.normalize("NFKC", company).casefold()
    name = _LEGAL.sub(" ", name)
    name = re.sub(r"[^\w]+", "", name)
    return f"company:{name}" if name else None


def duplicate_keys(company: str, email: str | None, phone: str | None) -> tuple[str, ...]:
    return tuple(k for k in (email_key(email), phone_key(phone), company_key(company)) if k)
