"""SimpleFIN Bridge (US and Canada): the user's own paid bridge account, shared by a setup token.

The flow (SimpleFIN protocol 2.0): the user makes a setup token at the bridge
(`SimpleFin.create_url`) and pastes it; `begin_auth(institution_id, Credentials("", Secret(token)))`
base64-decodes it to a claim URL and POSTs to it once. The answer is an access URL with Basic
credentials (``https://user:pass@host/simplefin``); a second claim is refused (403), which the
spec says may mean the token was stolen: the user should disable it at the bridge.

The stored secret (`Authorized.secret`) is that access URL, exactly as the bridge gave it. It
never expires by itself (`consent_expires` is None): the user disables it at the bridge, or
the bridge does after too many requests. There is no revoke call in the protocol, so `revoke`
only forgets what the connector keeps in memory for it.

Constructor (`SimpleFin(clock, ...)`), all plain settings values:

=================  ===========================================================================
clock              the app's Clock: answer ages, the daily budget, "today" of a pending line
bridge_url         the bridge's root, ``https://bridge.simplefin.org/simplefin``: `check()`
                   calls its /info and `create_url` points at its /create. Claim and access
                   URLs come from the user's token, wherever they point
timeout            seconds one HTTP request may take before BankUnavailable
allow_http         accept http:// claim and access URLs (the local stand-in); the spec demands
                   https, so never in production
trusted_hosts      when given, claim and access URLs must be on these hosts (or subdomains):
                   a pasted token cannot make the bot call anywhere else. None: any host
timezone           the zone (IANA name) in which epoch seconds become booking dates; UTC
cache_seconds      how long an answer serves further calls (300)
daily_budget       requests per access URL in any 24 hours before RateLimited (24)
transport, sleep   httpx transport and backoff sleep, for tests and the playground
=================  ===========================================================================

There is no operator key, redirect URL or institution list, so the connector is not an
InstitutionSource; `check()` (GET /info) alone tells the operator the bridge answers.

Requests: the bridge expects 24 or fewer a day per access URL and disables one that keeps
going over. One ``GET /accounts?start-date&end-date&pending=1&version=2`` answers for every
account, so answers are kept `cache_seconds` and reused for any window they contain, one
request at a time per access URL: `list_accounts` asks for the last 90 days with their lines,
and a sync (list_accounts, then fetch_transactions for each account within those 90 days)
costs one request. A window longer than the bridge's 90 days costs one request per 90 days.

Errors: 403 is ConsentExpired, 402 (subscription lapsed) is PaymentRequired, a ConsentExpired.
The bridge's own messages (`errlist`, or protocol 1's `errors`) are logged in one line and
kept for `notices(secret)`; an error that explains missing accounts is raised (con.auth and
gen.auth as ConsentExpired, the others as BankUnavailable), never an empty list.
"""

from bot.banks.simplefin.bridge import DEFAULT_BRIDGE_URL, SimpleFin
from bot.banks.simplefin.tokens import SetupTokenRefused
from bot.banks.simplefin.verdicts import PaymentRequired

__all__ = ["DEFAULT_BRIDGE_URL", "PaymentRequired", "SetupTokenRefused", "SimpleFin"]
