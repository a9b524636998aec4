"""Enable Banking (enablebanking.com): account information from EEA and UK banks, France included.

Who can be read
    A production application that is not under contract runs in *restricted* mode: it reads
    only the accounts the operator linked to it in Enable Banking's control panel
    ("Activate by linking accounts"). Anyone else's accounts, or other accounts of the
    operator, need a full production contract with Enable Banking (KYB of the company).
    A sandbox application reads Enable Banking's mock banks only. An application not yet
    activated is refused with 403 "Application is not active" (ProviderMisconfigured).

Configuration (`EnableBanking(...)`, or `EnableBanking.from_key_file(path, ...)`)
    application_id  the application id Enable Banking gave when its certificate was
                    uploaded; it is the ``kid`` of every request's JWT.
    private_key     the application's RSA private key, PEM text, as a Secret (from_key_file
                    reads it once from the PEM file); every request carries an RS256 JWT
                    signed with it (``iss`` enablebanking.com, ``aud`` api.enablebanking.com,
                    one hour of life, made again as it nears its end).
    redirect_url    where the bank sends the user back after the consent; it must be one of
                    the application's redirect URLs (check() says when it is not).
    clock           the Clock (JWT times, consent ends, "today").
    base_url        https://api.enablebanking.com by default (tests: the stand-in's URL).
    timeout         seconds one HTTP request may take (ProviderHttp's timeout).
    psu_type        "business" (default) or "personal": the kind of consent asked; a bank
                    offering only the other kind gets that one.
    consent_days    how long a consent is asked for (180 by default), never past the bank's
                    ``maximum_consent_validity``.
    language        optional two-letter language of the bank pages ("fr").
    transport/sleep httpx transport and backoff sleep, for tests and the playground.

Consent flow
    begin_auth(institution_id, None) posts /auth and returns a LINK Challenge: `link` is the
    URL the user opens, `reference` the random ``state`` that comes back in the redirect
    (the consent callback finds the waiting flow by it), `state` our continuation (the
    bank, the state, the consent's end). The bank then redirects the browser to
    redirect_url with ``?code=…&state=…``, or ``?error=…&error_description=…``.
    continue_auth(challenge, answer) takes the full URL the user landed on, or just its
    query string: no code yet is ConsentPending, an ``error`` is ConsentRefused, a ``state``
    that is not ours is ConsentRefused too (the code cannot be trusted: the user starts
    again). The code is single-use: a second POST /sessions with it is ConsentExpired.

Institution ids
    An ASPSP is its name *and* its country: ids are ``"<country>:<name>"``, e.g.
    ``"FR:BNP Paribas"`` (often longer than 32 characters). ProviderInstitution's
    max_history_days is 90 for every bank (GET /aspsps publishes no history length, and
    PSD2 banks give at least 90 days); max_consent_days comes from the bank's
    ``maximum_consent_validity``.

The stored secret (Authorized.secret), JSON
    ``{"v": 1, "session_id": …, "valid_until": <RFC 3339>, "accounts": [{"id", "uid",
    "name", "type", "iban", "currency"}, …]}``. The session id is the credential and is
    never logged. ``id`` is ours, stable across consents (from the account's
    identification hash): it is FetchedAccount.external_id and the account_id of
    fetch_transactions. ``uid`` is Enable Banking's and lives only as long as its session,
    so a renewed consent gives new uids to the same ids. consent_expires is the session's
    ``access.valid_until`` (its UTC date); past it, calls raise ConsentExpired without
    asking Enable Banking.

Budget
    PSD2 lets an application read an account 4 times a day without its owner present
    (capabilities.calls_per_day): a sync is one GET /balances (list_accounts) and one
    GET /transactions with all its pages (fetch_transactions) per account.
"""

from bot.banks.enablebanking.connector import DEFAULT_BASE_URL, EnableBanking

__all__ = ["DEFAULT_BASE_URL", "EnableBanking"]
