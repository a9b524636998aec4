"""GoCardless Bank Account Data (ex-Nordigen): EU banks through PSD2 consent links.

Only for operators who already hold Bank Account Data user secrets (GoCardless no longer
opens new accounts). Build one connector at startup and close it with ``aclose()``::

    GoCardlessConnector(
        secret_id=Secret(...),        # the operator's user secret id (portal → User secrets)
        secret_key=Secret(...),       # and its key; both only go to /api/v2/token/new/
        redirect_url="https://bot.example/consent/gocardless",  # where the bank sends the
                                      # user back, with ?ref=<Challenge.reference> appended
        clock=clock,                  # tokens are renewed, windows cut, by this clock
        base_url=DEFAULT_BASE_URL,    # https://bankaccountdata.gocardless.com (or a stand-in)
        timeout=20.0,                 # seconds per HTTP request (ProviderHttp)
        user_language="EN",           # the consent screens' language (ISO 639-1)
        transport=None, sleep=asyncio.sleep,  # tests and the playground only
    )

The access token (24 h) and refresh token (30 days) live in memory only and are renewed five
minutes before they expire; keys the API refuses are ProviderMisconfigured, logged once.

``begin_auth(institution_id, None)`` creates an end-user agreement with the institution's
longest terms (history up to 730 days, access up to 180, capped by its own
``transaction_total_days`` and ``max_access_valid_for_days``) and a requisition; it returns a
LINK Challenge whose ``reference`` comes back in the redirect as ``?ref=``. Its ``state``
holds the requisition and agreement ids. ``continue_auth`` reads the requisition: linked
gives Authorized, still in flight ConsentPending (poll again), rejected ConsentRefused,
expired or suspended ConsentExpired.

``Authorized.secret`` is JSON: the requisition id, the agreement id, the institution id, the
linked account ids and the agreed history in days; the operator's token is not in it (it is
useless without the operator's keys, but is vaulted like every secret). ``consent_expires`` is
the agreement's acceptance plus its ``access_valid_for_days``.

Banks allow 4 successful calls a day per account and per scope (details, balances,
transactions): ``list_accounts`` spends one details and one balances call per account,
``fetch_transactions`` one transactions call. Over it, RateLimited names the instant the
budget starts again. A renewed consent opens the same bank accounts under NEW ids: match
them with ``rematch_by_iban`` (the IBAN comes from the details), never add duplicates.
"""

from bot.banks.gocardless.accounts import rematch_by_iban
from bot.banks.gocardless.connector import DEFAULT_BASE_URL, GoCardlessConnector

__all__ = ["DEFAULT_BASE_URL", "GoCardlessConnector", "rematch_by_iban"]
