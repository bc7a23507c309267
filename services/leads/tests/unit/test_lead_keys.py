"""Duplicate detection (DOMAIN.md §1): the normalised e-mail, phone and company keys a new lead is
matched on. Every expected key below is written out by hand."""

import pytest
from crm_leads.domain.lead import company_key, duplicate_keys, email_key, phone_key
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.mark.parametrize(
    ("email", "key"),
    [
        ("wang@huadong.cn", "email:wang@huadong.cn"),
        (" Wang@Huadong.CN ", "email:wang@huadong.cn"),
        ("WANG@HUADONG.CN", "email:wang@huadong.cn"),
        ("wang.huadong.cn", None),
        ("", None),
        (None, None),
    ],
)
def test_an_email_key_ignores_case_and_spaces_and_needs_an_at_sign(
    email: str | None, key: str | None
) -> None:
    assert email_key(email) == key


@pytest.mark.parametrize(
    ("phone", "key"),
    [
        ("13800138000", "phone:13800138000"),
        ("138-0013-8000", "phone:13800138000"),
        ("+86 138 0013 8000", "phone:13800138000"),
        ("0086 138 0013 8000", "phone:13800138000"),
        ("8613800138000", "phone:13800138000"),
        # a Shanghai landline with the country code: 12 digits, the 86 goes
        ("+86 21 1234 5678", "phone:2112345678"),
        # 11 digits that merely start with 86 are a number, not a country code
        ("86123456789", "phone:86123456789"),
        # long numbers without the country code keep every digit
        ("(021) 6123-456789", "phone:0216123456789"),
        ("123-4567", "phone:1234567"),
        ("12 3456", None),
        ("ext.", None),
        ("", None),
        (None, None),
    ],
)
def test_a_phone_key_keeps_the_digits_without_the_country_code(
    phone: str | None, key: str | None
) -> None:
    assert phone_key(phone) == key


@pytest.mark.parametrize(
    ("company", "key"),
    [
        ("Huadong Steel Co., Ltd.", "company:huadongsteel"),
        ("HUADONG STEEL", "company:huadongsteel"),
        ("Huadong Steel Inc.", "company:huadongsteel"),
        ("Huadong-Steel GmbH", "company:huadongsteel"),
        ("\uff28\uff35\uff21\uff24\uff2f\uff2e\uff27 Steel", "company:huadongsteel"),  # full width
        ("华东钢铁有限公司", "company:华东钢铁"),
        ("华东钢铁股份有限公司", "company:华东钢铁"),
        ("Co., Ltd.", None),
        ("有限公司", None),
        ("", None),
    ],
)
def test_a_company_key_drops_case_punctuation_and_the_legal_form(
    company: str, key: str | None
) -> None:
    assert company_key(company) == key


def test_a_lead_carries_every_key_it_has_in_the_order_email_phone_company() -> None:
    assert duplicate_keys("Huadong Steel Co., Ltd.", " Wang@Huadong.CN", "+86 138 0013 8000") == (
        "email:wang@huadong.cn",
        "phone:13800138000",
        "company:huadongsteel",
    )
    assert duplicate_keys("Huadong Steel", None, "13800138000") == (
        "phone:13800138000",
        "company:huadongsteel",
    )
    assert duplicate_keys("Huadong Steel", "wang@huadong.cn", None) == (
        "email:wang@huadong.cn",
        "company:huadongsteel",
    )
    assert duplicate_keys("Ltd.", "no address", "12") == ()


_WORD = st.text(alphabet="abdefhjkmnpqrsuvwxyz", min_size=1, max_size=8)  # no legal form inside
_SEPARATORS = st.sampled_from(["", " ", "-", ".", "(", ")", "/"])


@settings(max_examples=100)
@given(local=_WORD, domain=_WORD, tld=st.sampled_from(["cn", "com", "com.cn"]))
def test_the_same_address_written_in_any_case_has_one_key(
    local: str, domain: str, tld: str
) -> None:
    address = f"{local}@{domain}.{tld}"
    written = f" {local.upper()}@{domain.swapcase()}.{tld.upper()}\t"
    assert email_key(written) == email_key(address) == f"email:{address}"


@settings(max_examples=150)
@given(
    mobile=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    separators=st.lists(_SEPARATORS, min_size=11, max_size=11),
    prefix=st.sampled_from(["", "+86 ", "+86-", "0086 ", "86"]),
)
def test_a_mobile_number_has_one_key_however_it_is_written(
    mobile: str, separators: list[str], prefix: str
) -> None:
    written = prefix + "".join(d + s for d, s in zip(mobile, separators, strict=True))
    assert phone_key(written) == f"phone:{mobile}"


@settings(max_examples=100)
@given(
    words=st.lists(_WORD, min_size=1, max_size=3),
    form=st.sampled_from([" Co., Ltd.", " Ltd", " Inc.", " LLC", " Corporation", "有限公司"]),
)
def test_the_legal_form_does_not_make_another_company(words: list[str], form: str) -> None:
    name = " ".join(w.capitalize() for w in words)
    assert company_key(name + form) == company_key(name.upper()) == "company:" + "".join(words)
