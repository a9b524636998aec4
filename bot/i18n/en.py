"""English words (GLOSSARY.md); placeholders are filled with HTML-escaped values."""

MESSAGES: dict[str, str] = {
    "cmd.start": "Start Pointage",
    "cmd.help": "Help and commands",
    "cmd.connect": "Connect a bank account",
    "cmd.cancel": "Cancel what is in progress",
    "cmd.privacy": "Your data and how it is protected",
    "start.welcome": (
        "Hello {name} 👋\n"
        "Pointage keeps your <b>Banking</b> up to date from Telegram: connect your bank, and "
        "your transactions arrive every day already categorized in your chart of accounts.\n\n"
        "👉 /connect to connect an account.\n\n"
        "🔒 Your bank sign-in details are encrypted and the messages carrying them are "
        "deleted at once. Details: /privacy"
    ),
    "help.text": (
        "<b>Pointage — help</b>\n"
        "/connect — Connect an account\n"
        "/review — Review your transactions\n"
        "/rules — Your categorization rules\n"
        "/settings — Language, summary time, auto-accept\n"
        "/cancel — Cancel what is in progress\n"
        "/privacy — Your data\n"
        "/help — This help\n\n"
        "The demo bank signs in with username <code>demo</code>, password <code>demo</code> "
        "and code <code>123456</code>."
    ),
    "privacy.text": (
        "<b>Your data</b>\n"
        "• Your bank sign-in details are encrypted (AES-GCM) before they are stored; they are "
        "never shown or written to logs.\n"
        "• Messages carrying a username, password or code are deleted as soon as they arrive.\n"
        "• Your transactions stay on the server that hosts this bot; nothing is sold.\n"
        "• /deletemydata erases everything about you and revokes bank access."
    ),
    "unknown": "Sorry, I didn't get that. /help lists what I can do.",
    "stale_button": "This button is no longer active.",
    "private_only": (
        "For your safety, banks are connected in a private chat with me, never in a group. "
        "Message me directly: /connect"
    ),
    "connect.search": (
        "<b>Connect an account</b>\nSearch for your bank: type its name.\nCountry: {country}"
    ),
    "connect.ask_country": "Which country is your bank in?",
    "connect.results": (
        "Results for “{query}” ({country}).\nChoose your bank, or type another name."
    ),
    "connect.no_results": (
        "No bank found for “{query}” ({country}). Check the spelling, type another name, or "
        "change the country."
    ),
    "connect.request_recorded": (
        "Noted: your request for “{query}” ({country}) has been recorded.\n"
        "Meanwhile, you will be able to import the files (OFX, CSV) you download from your "
        "bank's website. Type another name to search again."
    ),
    "connect.region": "<b>{group}</b>: choose your regional bank.",
    "connect.bank": (
        "<b>{bank}</b>\n"
        "Pointage will ask for your sign-in details (the ones for your bank's website). They "
        "are encrypted, and every message carrying them is deleted at once."
    ),
    "connect.bank_unsupported": (
        "<b>{bank}</b> can't be connected automatically yet.\n"
        "You will be able to import the files (OFX, CSV) you download from your bank's "
        "website, or ask for this bank to be supported."
    ),
    "connect.ask_username": "<b>{bank}</b>\nUsername (the one for your bank's website):",
    "connect.ask_password": (
        "<b>{bank}</b>\nPassword:\n<i>Your message will be deleted as soon as it arrives.</i>"
    ),
    "connect.connecting": "⏳ Connecting…",
    "connect.still_connecting": "⏳ Still connecting… /cancel to give up.",
    "connect.bad_credentials": (
        "❌ Wrong username or password.\n<b>{bank}</b>\nUsername (the one for your bank's website):"
    ),
    "connect.ask_code": "Security code: enter the code you received ({hint}).",
    "connect.wrong_code": "❌ Wrong security code. Enter the code you received again ({hint}).",
    "connect.selected": "☑️ {count} ticked so far",
    "connect.choose_accounts": "<b>{bank}</b>\nChoose the accounts to connect (tap to tick):",
    "connect.pick_one": "Tick at least one account.",
    "connect.choose_ledger": (
        "<b>{account}</b> ({balance})\nAccount type (chart of accounts): which account of your "
        "chart should its transactions go to?"
    ),
    "connect.ask_ledger_name": "Name of the new bank account (for example “Starling”):",
    "connect.bad_ledger_name": "That name won't do: 1 to 60 characters, please.",
    "connect.choose_period": "<b>Import period</b>\nHow far back should transactions be imported?",
    "connect.confirm": "<b>{bank}</b>\n{accounts}\nImport period: {period} (from {start})",
    "connect.confirm_account": "• {account} → {ledger}",
    "connect.importing": "⏳ Connecting {bank} and importing transactions…",
    "connect.done": "✅ <b>{bank}</b> is connected.\n\n{accounts}\n\n{next}",
    "connect.done_next": (
        "{categorized} already categorized, {auto} accepted automatically. "
        "/review to go through them."
    ),
    "connect.done_account": (
        "<b>{account}</b> → {ledger}\n"
        "{count} transactions imported{pending}, {period}\n"
        "Balance: {balance}"
    ),
    "connect.done_period": "from {start} to {end}",
    "connect.done_empty": "no transactions in the period",
    "connect.done_pending": " ({pending} pending)",
    "connect.import_failed": (
        "⚠️ <b>{bank}</b> is connected, but the import failed: {reason}\n"
        "Your transactions will arrive with the next update."
    ),
    "connect.cancelled": "Connection cancelled. Nothing was saved.",
    "connect.nothing_to_cancel": "Nothing to cancel.",
    "connect.timeout": (
        "⌛ The connection was abandoned for lack of an answer; nothing was saved. "
        "/connect to start again."
    ),
    "error.bad_credentials": "Wrong username or password.",
    "error.wrong_code": "Wrong security code.",
    "error.account_locked": (
        "❌ Your bank says access is locked. Unlock it on your bank's website, then /connect "
        "to try again."
    ),
    "error.bank_unavailable": (
        "⚠️ Your bank isn't answering right now. Nothing was saved; try again in a few minutes "
        "with /connect."
    ),
    "error.consent_expired": "⚠️ The authorisation you gave your bank has expired.",
    "error.rate_limited": "⚠️ Your bank limits calls; try again later.",
    "error.unsupported": "⚠️ This bank can't be connected right now.",
    "error.error": "⚠️ Something went wrong. Nothing was saved.",
    "btn.continue": "Continue",
    "btn.back": "← Back",
    "btn.cancel": "Cancel",
    "btn.country": "🌍 Country: {country}",
    "btn.cant_find": "I can't find my bank",
    "btn.request_support": "Ask for support",
    "btn.prev": "◀️ Previous",
    "btn.next": "More ▶️",
    "list.page": "Page {page}/{pages}",
    "list.more": "… and {count} more",
    "btn.add": "➕ Add",
    "btn.connect": "Connect",
    "btn.period_days": "Last {n} days",
    "btn.period_months": "Last {n} months",
    "period.days": "last {n} days",
    "period.months": "last {n} months",
    "connect.restarted": (
        "🔄 Pointage restarted: for your safety, please enter your username again."
        "\n\n<b>{bank}</b>\nUsername (the one for your bank's website):"
    ),
    "help.manage": (
        "<b>Your banks</b>\n"
        "/accounts — Your connected accounts\n"
        "/refresh — Update now\n"
        "/credentials — Update sign-in details\n"
        "/disconnect — Disconnect a bank\n"
        "/deletemydata — Erase all your data"
    ),
    "help.troubleshoot": (
        "<b>🛠 Import troubleshooting</b>\n\n"
        "<b>My transactions are missing</b>\n"
        "• Your transactions arrive every night; /refresh brings them in right now.\n"
        "• A transaction still pending at the bank arrives marked ⏳, then is confirmed "
        "without being counted twice.\n"
        "• /accounts shows when each bank was last updated and what needs your attention.\n"
        "• Nothing before the start of the import period chosen when connecting the bank is "
        "imported.\n\n"
        "<b>The bank says my password is wrong</b>\n"
        "• Check that these sign-in details open your bank's website.\n"
        "• If they changed: /credentials. The old ones stay stored until the new ones are "
        "checked.\n"
        "• After several refusals the bank may lock access: unlock it on its website, then "
        "/credentials. Pointage never retries a refused password on its own.\n\n"
        "<b>Duplicates</b>\n"
        "• The same transaction is never imported twice, even after /refresh or reconnecting "
        "with /connect.\n"
        "• If the bank itself recorded it twice: /review, ✏️ Category, then ⛔ Exclude on the "
        "duplicate."
    ),
    "btn.troubleshoot": "🛠 Import troubleshooting",
}
