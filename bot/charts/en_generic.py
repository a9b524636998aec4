"""A generic small-business chart of accounts in English, for every language but French."""

from __future__ import annotations

from bot.charts import AccountKind, ChartAccount, ChartTemplate

_K = AccountKind

_ACCOUNTS: tuple[tuple[str, str, AccountKind], ...] = (
    # 1000s — assets (and the accounts money moves through)
    ("1000", "Cash on hand", _K.CASH),
    ("1100", "Accounts receivable", _K.RECEIVABLE),
    ("1200", "Bank", _K.BANK),
    ("1210", "Savings", _K.SAVINGS),
    ("1250", "Credit card", _K.CREDIT_CARD),
    ("1290", "Transfers between accounts", _K.TRANSFER),
    # 2000s — liabilities
    ("2000", "Accounts payable", _K.PAYABLE),
    ("2200", "VAT", _K.VAT),
    ("2300", "Income tax payable", _K.TAX),
    # 3000s — equity
    ("3000", "Owner's equity", _K.EQUITY),
    ("3100", "Owner's draw", _K.OWNER),
    ("3900", "Opening balance equity", _K.OPENING),
    # 4000s — income
    ("4000", "Sales", _K.INCOME),
    ("4100", "Services income", _K.INCOME),
    ("4800", "Other income", _K.INCOME),
    ("4900", "Interest income", _K.INCOME),
    # 5000s — direct costs
    ("5000", "Cost of goods sold", _K.EXPENSE),
    ("5100", "Subcontractors", _K.EXPENSE),
    # 6000s — overheads
    ("6000", "Advertising & marketing", _K.EXPENSE),
    ("6010", "Bank fees", _K.EXPENSE),
    ("6020", "Dues & memberships", _K.EXPENSE),
    ("6030", "Insurance", _K.EXPENSE),
    ("6040", "Interest expense", _K.EXPENSE),
    ("6050", "Meals & entertainment", _K.EXPENSE),
    ("6060", "Office supplies", _K.EXPENSE),
    ("6070", "Postage & shipping", _K.EXPENSE),
    ("6080", "Legal & professional fees", _K.EXPENSE),
    ("6090", "Rent", _K.EXPENSE),
    ("6100", "Repairs & maintenance", _K.EXPENSE),
    ("6110", "Software & subscriptions", _K.EXPENSE),
    ("6120", "Telephone & internet", _K.EXPENSE),
    ("6130", "Travel", _K.EXPENSE),
    ("6140", "Vehicle & fuel", _K.EXPENSE),
    ("6150", "Utilities", _K.EXPENSE),
    ("6160", "Training & education", _K.EXPENSE),
    ("6200", "Wages & salaries", _K.EXPENSE),
    ("6210", "Payroll taxes", _K.EXPENSE),
    ("6300", "Taxes & licences", _K.EXPENSE),
    ("6900", "Other expenses", _K.EXPENSE),
    # 9000s — holding accounts
    ("9900", "Suspense", _K.SUSPENSE),
)

EN_GENERIC = ChartTemplate(
    key="en_generic",
    accounts=tuple(ChartAccount(code, name, kind) for code, name, kind in _ACCOUNTS),
    bank_code="1200",
    owner_code="3100",
    suspense_code="9900",
    transfer_code="1290",
    opening_code="3900",
    bank_code_style="increment",
)
