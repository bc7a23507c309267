"""The tables of the `contracts` read model (schema `projections`)."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Integer, Numeric, String, Table, Text

from crm_projections.readmodel import metadata

contracts = Table(
    "contracts",
    metadata,
    Column("contract_id", Text, primary_key=True),
    Column("branch", String(64), nullable=False, index=True),
    Column("account_id", Text, nullable=False, index=True),
    Column("owner_id", Text, nullable=False),
    Column("opportunity_id", Text),
    Column("campaign_id", Text),
    Column("currency", String(3), nullable=False),
    # draft | submitted | approved | signed | in_execution | suspended | completed | closed
    # | terminated
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False),  # 1 as signed, +1 per amendment
    Column("amount", Numeric(18, 2), nullable=False),
    Column("cost", Numeric(18, 2), nullable=False),  # sum of quantity x unit cost
    Column("collected", Numeric(18, 2), nullable=False),  # payments applied to instalments
    Column("credit", Numeric(18, 2), nullable=False),  # over-payment held for the customer
    Column("returned_value", Numeric(18, 2), nullable=False),
    Column("drafted_at", DateTime(timezone=True), nullable=False),
    Column("signed_at", DateTime(timezone=True)),
    Column("ended_at", DateTime(timezone=True)),  # completed or terminated
    Column("bad_debt_at", DateTime(timezone=True)),
    Column("line_ids", Text, nullable=False),  # the current lines, comma-separated
    Column("instalments", Integer, nullable=False),  # how many the current plan has
)

contract_lines = Table(
    "contract_lines",
    metadata,
    Column("contract_id", Text, primary_key=True),
    Column("line_id", Text, primary_key=True),
    Column("branch", String(64), nullable=False, index=True),
    Column("product", Text, nullable=False),
    Column("product_line", Text, nullable=False),
    Column("quantity", Numeric(18, 4), nullable=False),
    Column("unit_price", Numeric(18, 2), nullable=False),
    Column("unit_cost", Numeric(18, 2), nullable=False),
    Column("delivered", Numeric(18, 4), nullable=False),
    Column("returned", Numeric(18, 4), nullable=False),
    Column("returned_value", Numeric(18, 2), nullable=False),
)

contract_instalments = Table(
    "contract_instalments",
    metadata,
    Column("contract_id", Text, primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("branch", String(64), nullable=False, index=True),
    Column("account_id", Text, nullable=False),
    Column("due", Date, nullable=False),
    Column("amount", Numeric(18, 2), nullable=False),
    Column("paid", Numeric(18, 2), nullable=False),
    Column("last_paid_at", DateTime(timezone=True)),
    Column("overdue_at", DateTime(timezone=True)),  # InstalmentOverdue recorded
    Column("days_late", Integer),  # when an overdue instalment was settled
)

# Every payment's allocations to instalments: collections and arrears as of any past moment.
contract_allocations = Table(
    "contract_allocations",
    metadata,
    Column("contract_id", Text, primary_key=True),
    Column("payment_id", Text, primary_key=True),
    Column("instalment", Integer, primary_key=True),
    Column("branch", String(64), nullable=False, index=True),
    Column("amount", Numeric(18, 2), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)
