"""The one sign-in flow, without Telegram: /connect and /credentials walk the same steps.

Bank, username, password, then a code or the bank's consent link; then, for a connection, the
accounts, their ledger accounts, the period and a confirmation; for new details, the secret of
the connection is replaced. Each method moves the flow (`flow.step`) and returns what to show
next (a `Next`); None means the flow moved on meanwhile and there is nothing to show.
"""

from __future__ import annotations

from datetime import date

from bot.banks.connector import (
    AuthMethod,
    Authorized,
    AuthStep,
    BadCredentials,
    BankUnavailable,
    Challenge,
    ChallengeKind,
    Connector,
    ConnectorError,
    ConsentPending,
    Unsupported,
    WrongCode,
)
from bot.domain.periods import ImportPeriod, allowed_periods, period_by_key
from bot.domain.secret import Secret
from bot.services.connect import AccountChoice, ConnectRequest, Services
from bot.services.connect_flow import SIGNED_IN, ConnectFlow, FlowStore, Purpose, Step
from bot.services.connection_views import OtherAccounts
from bot.services.connections import Connections
from bot.services.errors import InvalidInput, NotFound
from bot.services.sign_in_steps import (
    Ask,
    Bank,
    ChooseAccounts,
    ChooseLedger,
    ChoosePeriod,
    Confirm,
    Connected,
    Consent,
    Failed,
    Next,
    Prompt,
    Renewed,
    Unavailable,
)

__all__ = [
    "Ask",
    "Bank",
    "ChooseAccounts",
    "ChooseLedger",
    "ChoosePeriod",
    "Confirm",
    "Connected",
    "Consent",
    "Failed",
    "Next",
    "Prompt",
    "Renewed",
    "SignIn",
    "Unavailable",
]


class SignIn:
    def __init__(
        self,
        services: Services,
        connections: Connections,
        flows: FlowStore,
        *,
        consent_callbacks: bool = False,
        restricted: frozenset[str] = frozenset(),
    ) -> None:
        """`consent_callbacks`: banks send the user back to our web server (PUBLIC_URL is set),
        which tells the flow; without it, a consent is polled or its address pasted.
        `restricted`: connectors that read only the accounts the operator linked."""
        self.services = services
        self.connections = connections
        self.flows = flows
        self.consent_callbacks = consent_callbacks
        self.restricted = restricted

    # --- starting ------------------------------------------------------------------------

    def begin(self, telegram_id: int, country: str | None, chat_id: int) -> ConnectFlow:
        """A new /connect; an earlier flow of the user (and its buttons) ends here."""
        return self.flows.start(telegram_id, country, chat_id)

    async def renew(self, telegram_id: int, chat_id: int, connection_id: int) -> ConnectFlow:
        """New sign-in details for a connection (NotFound, Unsupported when it cannot)."""
        target = await self.connections.sign_in_target(telegram_id, connection_id)
        return self.flows.start(
            telegram_id,
            None,
            chat_id,
            purpose=Purpose.RENEW,
            connection_id=target.connection_id,
            institution=target.institution,
        )

    async def pick_bank(self, flow: ConnectFlow, bank_id: str) -> Bank | None:
        institution = self.services.directory.get(bank_id)
        if institution is None:
            return None
        flow.institution = institution
        flow.purpose, flow.connection_id = Purpose.CONNECT, None
        flow.step = Step.BANK
        existing = None
        if institution.connector is not None:
            existing = await self.services.connection_at(flow.telegram_id, institution.id)
        return Bank(institution, existing, self._auth(flow))

    async def choose_purpose(self, flow: ConnectFlow, purpose: Purpose) -> bool:
        """On the bank screen of a bank already connected: its sign-in, or more accounts."""
        if flow.institution is None or purpose is Purpose.CONNECT:
            return False
        existing = await self.services.connection_at(flow.telegram_id, flow.institution.id)
        if existing is None:
            return False
        flow.purpose, flow.connection_id = purpose, existing.id
        return True

    def by_consent(self, flow: ConnectFlow) -> bool:
        """Banks of this connector are reached through a consent link, not a password."""
        return self._auth(flow) is AuthMethod.CONSENT_LINK

    def by_setup_token(self, flow: ConnectFlow) -> bool:
        """Banks of this connector are reached with a setup token the user pastes (SimpleFIN)."""
        return self._auth(flow) is AuthMethod.SETUP_TOKEN

    def polls_consent(self, flow: ConnectFlow) -> bool:
        """The bot can ask the provider whether the consent is done (it need not be told)."""
        connector = self._connector(flow)
        return connector is not None and connector.capabilities.consent_polling

    def ask_setup_token(self, flow: ConnectFlow) -> Ask:
        """The token is the one secret typed: it is taken at the password step."""
        self._forget(flow)
        flow.username = Secret("")
        flow.step = Step.PASSWORD
        return Ask(Prompt.SETUP_TOKEN)

    def _consent(self, flow: ConnectFlow, link: str, *, waiting: bool = False) -> Consent:
        paste = not self.consent_callbacks and not self.polls_consent(flow)
        connector = flow.institution.connector if flow.institution else None
        return Consent(link, waiting, paste, restricted=connector in self.restricted)

    def consent_waiting(self, flow: ConnectFlow, reference: str) -> bool:
        """The flow waits at this consent (a callback's `state` or `ref` names it)."""
        challenge = flow.challenge
        return (
            flow.step is Step.CONSENT
            and not flow.busy
            and challenge is not None
            and bool(reference)
            and challenge.reference == reference
        )

    def _connector(self, flow: ConnectFlow) -> Connector | None:
        if flow.institution is None or flow.institution.connector is None:
            return None
        try:
            return self.services.connectors.get(flow.institution.connector)
        except Unsupported:
            return None

    def _auth(self, flow: ConnectFlow) -> AuthMethod | None:
        connector = self._connector(flow)
        return connector.capabilities.auth if connector is not None else None

    def ask_username(self, flow: ConnectFlow) -> Ask:
        self._forget(flow)
        flow.step = Step.USERNAME
        return Ask(Prompt.USERNAME)

    async def open_consent(self, flow: ConnectFlow) -> Next:
        """Ask the bank for its consent link (a bank call)."""
        assert flow.institution is not None
        self._forget(flow)
        try:
            step = await self.services.begin_consent(flow.institution)
        except ConnectorError as error:
            return await self._failed(flow, error)
        return await self._after_auth(flow, step)

    # --- the bank login --------------------------------------------------------------------

    def username(self, flow: ConnectFlow, username: Secret, message_id: int) -> Ask:
        notice = flow.restart_notice_id
        if flow.relogin and notice is not None and message_id < notice:
            return self.sign_in_again(flow)  # typed for the step a restart lost: maybe a password
        flow.username = username
        flow.step = Step.PASSWORD
        return Ask(Prompt.PASSWORD)

    def login_lost(self, flow: ConnectFlow) -> bool:
        """What the step needs from the login was lost on the way (a restart)."""
        if flow.institution is None:
            return True
        if flow.step is Step.PASSWORD:
            return flow.username is None
        if flow.step in (Step.CODE, Step.CONSENT):
            return flow.challenge is None
        return False

    async def password(self, flow: ConnectFlow, password: Secret) -> Next:
        """Sign in at the bank (a bank call)."""
        assert flow.institution is not None and flow.username is not None
        try:
            step = await self.services.login(flow.institution, flow.username, password)
        except ConnectorError as error:
            return await self._failed(flow, error)
        return await self._after_auth(flow, step)

    async def code(self, flow: ConnectFlow, answer: str) -> Next:
        """Answer the bank's challenge: a typed code, or "" once consent was given."""
        assert flow.institution is not None and flow.challenge is not None
        try:
            step = await self.services.answer_challenge(flow.institution, flow.challenge, answer)
        except ConnectorError as error:
            return await self._failed(flow, error)
        return await self._after_auth(flow, step)

    def sign_in_again(self, flow: ConnectFlow) -> Ask:
        """A restart lost the bank login: ask for the username again, then go back to the step
        the user had reached. The handler shows it as a new message and notes its id."""
        if flow.step in SIGNED_IN and flow.resume_step is None:
            flow.resume_step = flow.step
        self._forget(flow)
        flow.relogin = True
        flow.restart_notice_id = None
        flow.step = Step.USERNAME
        return Ask(Prompt.RESTARTED)

    async def _after_auth(self, flow: ConnectFlow, step: AuthStep) -> Next:
        if not self.flows.is_current(flow):
            return None
        if isinstance(step, Challenge):
            flow.challenge = step
            if step.kind is ChallengeKind.LINK and step.link:
                flow.step = Step.CONSENT
                return self._consent(flow, step.link)
            flow.step = Step.CODE
            return Ask(Prompt.CODE, step.hint)
        flow.forget_login()
        if flow.purpose is Purpose.RENEW:
            return await self._renewed(flow, step)
        flow.authorized = step
        assert flow.institution is not None
        try:
            accounts = await self.services.bank_accounts_at(flow.institution, step)
        except ConnectorError as error:
            return await self._failed(flow, error)
        if not self.flows.is_current(flow):
            return None
        resume = flow.signed_in_again(accounts)
        if resume is None or resume is Step.ACCOUNTS:
            return await self.accounts_screen(flow)
        if resume is Step.CONFIRM and flow.period_key is not None:
            return await self._confirm_screen(flow)
        return await self._next_ledger_or_period(flow)

    async def _renewed(self, flow: ConnectFlow, authorized: Authorized) -> Next:
        assert flow.connection_id is not None
        await self.flows.end(flow.telegram_id)
        try:
            bank = await self.connections.replace_secret(
                flow.telegram_id, flow.connection_id, authorized
            )
        except ConnectorError as error:
            return Failed(error.code)
        except OtherAccounts:
            return Failed("other_accounts")
        except NotFound:
            return Failed("gone")
        return Renewed(bank, flow.connection_id)

    async def _failed(self, flow: ConnectFlow, error: ConnectorError) -> Next:
        """Nothing changed; ask again when typing again can fix it."""
        if not self.flows.is_current(flow):
            return None
        link = flow.challenge.link if flow.challenge is not None else None
        if isinstance(error, ConsentPending) and link:
            flow.step = Step.CONSENT
            return self._consent(flow, link, waiting=True)
        if isinstance(error, WrongCode) and flow.challenge is not None:
            flow.step = Step.CODE
            return Ask(Prompt.WRONG_CODE, flow.challenge.hint)
        self._forget(flow)
        if isinstance(error, BadCredentials) and self.by_setup_token(flow):
            self.ask_setup_token(flow)
            return Ask(Prompt.BAD_SETUP_TOKEN)
        if isinstance(error, BadCredentials):
            flow.step = Step.USERNAME
            return Ask(Prompt.BAD_CREDENTIALS)
        if isinstance(error, BankUnavailable):
            flow.step = Step.BANK
            return Unavailable()
        await self.flows.end(flow.telegram_id)
        return Failed(error.code)

    @staticmethod
    def _forget(flow: ConnectFlow) -> None:
        flow.forget_login()
        flow.authorized = None

    # --- accounts, ledger, period, confirm ----------------------------------------------------

    async def accounts_screen(self, flow: ConnectFlow, page: int = 0) -> ChooseAccounts:
        flow.step = Step.ACCOUNTS
        linked: frozenset[int] = frozenset()
        if flow.purpose is Purpose.ADD_ACCOUNTS and flow.institution is not None:
            existing = await self.services.connection_at(flow.telegram_id, flow.institution.id)
            fed = existing.external_ids if existing is not None else frozenset()
            linked = frozenset(i for i, a in enumerate(flow.accounts) if a.external_id in fed)
            flow.selected = [i for i in flow.selected if i not in linked]
        return ChooseAccounts(page, linked)

    async def toggle(self, flow: ConnectFlow, index: int, page: int) -> ChooseAccounts | None:
        if not 0 <= index < len(flow.accounts):
            return None
        screen = await self.accounts_screen(flow, page)
        if index in screen.linked:
            return None
        flow.toggle(index)
        return screen

    async def accounts_chosen(self, flow: ConnectFlow) -> Next:
        """The ledger step of the first chosen account (None when none is chosen)."""
        if not flow.selected:
            return None
        flow.ledger_for.clear()
        return await self._next_ledger_or_period(flow)

    async def _next_ledger_or_period(self, flow: ConnectFlow, page: int = 0) -> Next:
        index = flow.next_unassigned()
        if index is not None:
            flow.step = Step.LEDGER
            options = tuple(await self.services.bank_ledger_accounts(flow.telegram_id))
            current = None
            if flow.institution is not None:
                feeds = await self.services.feeds(flow.telegram_id, flow.institution.id)
                current = feeds.get(flow.accounts[index].external_id)
            return ChooseLedger(index, options, current, page)
        assert flow.institution is not None
        flow.step = Step.PERIOD
        return ChoosePeriod(tuple(allowed_periods(self._max_days(flow))))

    async def ledger_page(self, flow: ConnectFlow, index: int, page: int) -> Next:
        if index != flow.next_unassigned():
            return None
        return await self._next_ledger_or_period(flow, page)

    async def pick_ledger(self, flow: ConnectFlow, index: int, ledger: int) -> Next:
        options = {o.id for o in await self.services.bank_ledger_accounts(flow.telegram_id)}
        if index not in flow.selected or ledger not in options:
            return None
        flow.ledger_for[index] = ledger
        return await self._next_ledger_or_period(flow)

    def add_ledger(self, flow: ConnectFlow) -> Ask:
        flow.step = Step.LEDGER_NAME
        return Ask(Prompt.LEDGER_NAME)

    async def ledger_name(self, flow: ConnectFlow, name: str) -> Next:
        index = flow.next_unassigned()
        if index is None:
            return None
        try:
            account = await self.services.add_bank_ledger_account(flow.telegram_id, name)
        except InvalidInput:
            return Ask(Prompt.BAD_LEDGER_NAME)
        flow.ledger_for[index] = account.id
        return await self._next_ledger_or_period(flow)

    async def pick_period(self, flow: ConnectFlow, key: str) -> Next:
        if flow.institution is None:
            return None
        period = period_by_key(key)
        if period is None or period not in allowed_periods(self._max_days(flow)):
            return None
        flow.period_key = period.key
        return await self._confirm_screen(flow)

    async def _confirm_screen(self, flow: ConnectFlow) -> Next:
        period = period_by_key(flow.period_key or "")
        ledgers = {o.id: o for o in await self.services.bank_ledger_accounts(flow.telegram_id)}
        if period is None or any(flow.ledger_for.get(i) not in ledgers for i in flow.selected):
            # a ledger account gone meanwhile (or a lost period): ask again for what is missing
            flow.ledger_for = {i: n for i, n in flow.ledger_for.items() if n in ledgers}
            return await self._next_ledger_or_period(flow)
        flow.step = Step.CONFIRM
        return Confirm(ledgers, period, self._start(flow, period))

    async def confirm(self, flow: ConnectFlow) -> Next:
        """Store the connection (or the accounts added to it); the import comes next."""
        period = period_by_key(flow.period_key or "")
        if flow.institution is None or period is None:
            return None
        if flow.authorized is None:  # the bank session was lost (a restart): sign in again
            return self.sign_in_again(flow)
        await self.flows.end(flow.telegram_id)
        request = ConnectRequest(
            institution=flow.institution,
            authorized=flow.authorized,
            accounts=tuple(
                AccountChoice(flow.accounts[i], flow.ledger_for[i]) for i in flow.selected
            ),
            start=self._start(flow, period),
        )
        into = flow.connection_id if flow.purpose is Purpose.ADD_ACCOUNTS else None
        try:
            connection = await self.services.connect(flow.telegram_id, request, into=into)
        except NotFound:
            return Failed("gone")
        return Connected(connection.id, flow.institution.name)

    def _max_days(self, flow: ConnectFlow) -> int:
        assert flow.institution is not None
        return self.services.max_history_days(flow.institution)

    def _start(self, flow: ConnectFlow, period: ImportPeriod) -> date:
        return period.start(self.services.today(), self._max_days(flow))
