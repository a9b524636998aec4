"""English words of managing connections: accounts, refresh, credentials, disconnect."""

MESSAGES: dict[str, str] = {
    "cmd.accounts": "Your banks and connected accounts",
    "cmd.refresh": "Update your transactions",
    "cmd.credentials": "Update a bank's sign-in details",
    "cmd.disconnect": "Disconnect a bank",
    "cmd.deletemydata": "Erase all your data",
    "manage.private_only": (
        "For your safety, this command only works in a private chat with me, never in a group."
    ),
    "manage.kept": "Nothing changed.",
    "when.today": "today at {time}",
    "when.day": "{day} at {time}",
    # /accounts
    "accounts.title": "<b>Banking</b> — your connected accounts",
    "accounts.none": "No bank connected yet.\n👉 /connect to connect an account.",
    "accounts.connection": "<b>{n}{bank}</b> · {status}",
    "accounts.status_active": "✅ Active",
    "accounts.status_attention": "⚠️ Needs your attention",
    "accounts.status_disconnected": "⛔ Disconnected",
    "accounts.last_sync": "Last updated: {when}",
    "accounts.never_synced": "Not updated yet",
    "accounts.consent": "Authorisation valid until {date}",
    "accounts.fix_sign_in": "→ {reason}: update the sign-in details.",
    "accounts.failing": "⚠️ The bank hasn't answered since {when}; retrying automatically.",
    "accounts.limited": "⏳ Next update possible {when}.",
    "accounts.disconnected_hint": "No new transactions arrive; /connect to reconnect it.",
    "accounts.account": "• {name}{iban}\n   Balance: {balance} → {ledger}",
    "accounts.unconnected": "<b>Accounts without a connection</b>",
    # health reasons (after a colon, lower case)
    "reason.bad_credentials": "the bank refuses the username or password",
    "reason.consent_expired": "the authorisation you gave the bank has expired",
    "reason.account_locked": "the bank says access is locked",
    "reason.wrong_code": "the security code was refused",
    "reason.secret_unreadable": "the stored sign-in details can no longer be read",
    "reason.other": "the bank refuses the connection",
    # /refresh
    "refresh.none": "No bank to update.\n👉 /connect to connect an account.",
    "refresh.title": "<b>Update</b>",
    "refresh.line_waiting": "▫️ {bank}",
    "refresh.line_running": "⏳ {bank}: updating…",
    "refresh.line_joined": "⏳ {bank}: already updating, following it…",
    "refresh.line_new": "✅ {bank}: {count} new transactions",
    "refresh.line_new_one": "✅ {bank}: 1 new transaction",
    "refresh.line_none": "✅ {bank}: up to date, no new transactions",
    "refresh.line_limited": "⏳ {bank}: the bank limits updates; next one possible {when}.",
    "refresh.line_attention": "⚠️ {bank}: Needs your attention — {reason}.",
    "refresh.line_retrying": "⚠️ {bank}: the bank isn't answering; retrying automatically {when}.",
    "refresh.line_gone": "⛔ {bank}: disconnected",
    "refresh.total": "{count} new transactions; /review to go through them.",
    "refresh.total_one": "1 new transaction; /review to go through it.",
    "refresh.total_none": "No new transactions.",
    # messages sent once
    "notice.reauth": (
        "⚠️ <b>Needs your attention</b> — {bank}\n"
        "New transactions have stopped arriving: {reason}.\n"
        "Update the sign-in details to resume updates."
    ),
    "notice.failing": (
        "⚠️ <b>{bank}</b> hasn't answered since {when}.\n"
        "Pointage keeps retrying; your transactions will arrive as soon as it answers. "
        "Nothing to do on your side."
    ),
    "notice.expiring": (
        "🔔 The authorisation you gave <b>{bank}</b> expires on {date}.\n"
        "Renew it to keep receiving your transactions."
    ),
    # /credentials
    "credentials.none": (
        "No bank connected: no sign-in details to update.\n👉 /connect to connect an account."
    ),
    "credentials.pick": "<b>Update sign-in details</b>\nFor which bank?",
    "credentials.ask_username": (
        "<b>{bank}</b> — Update sign-in details\n"
        "Username (the one for your bank's website):\n"
        "<i>Your current sign-in details stay stored until the new ones are checked.</i>"
    ),
    "credentials.ask_password": (
        "<b>{bank}</b>\nPassword:\n<i>Your message will be deleted as soon as it arrives.</i>"
    ),
    "credentials.checking": "⏳ Connecting…",
    "credentials.still": "⏳ Connecting… /cancel to give up.",
    "credentials.ask_code": "Security code: enter the code you received ({hint}).",
    "credentials.wrong_code": "❌ Wrong security code. Enter the code you received again ({hint}).",
    "credentials.bad": (
        "❌ Wrong username or password. Nothing changed.\n"
        "<b>{bank}</b>\nUsername (the one for your bank's website):"
    ),
    "credentials.refused": (
        "❌ {bank}: {reason}. Nothing changed: your current sign-in details stay stored."
    ),
    "credentials.unavailable": (
        "⚠️ {bank} isn't answering right now. Nothing changed; try again in a few minutes "
        "with /credentials."
    ),
    "credentials.other_accounts": (
        "❌ These sign-in details open other accounts than the ones connected to Pointage for "
        "{bank}. Nothing changed."
    ),
    "credentials.consent": (
        "<b>{bank}</b> — Renew the authorisation\n"
        "Open this link, allow access on your bank's website, then come back here:\n"
        "{link}"
    ),
    "credentials.done": "✅ <b>{bank}</b> sign-in details updated: the connection is active again.",
    "credentials.cancelled": "Update cancelled. Nothing changed.",
    "credentials.timeout": (
        "⌛ Update abandoned for lack of an answer; nothing changed. /credentials to start again."
    ),
    "credentials.restarted": (
        "🔄 Pointage restarted while you were updating your sign-in details; nothing changed "
        "and your message was deleted. /credentials to start again."
    ),
    "credentials.gone": "This bank is disconnected: /connect to reconnect it.",
    "btn.authorised": "I have authorised",
    # /disconnect
    "disconnect.none": "No bank connected: nothing to disconnect.",
    "disconnect.pick": "<b>Disconnect</b>: which bank?",
    "disconnect.confirm": (
        "<b>Disconnect {bank}?</b>\n\n"
        "Disconnecting doesn't delete anything:\n"
        "• your accounts stay in the chart of accounts, with every transaction already "
        "imported;\n"
        "• transactions for review stay there for review;\n"
        "• new transactions stop arriving;\n"
        "• your sign-in details are erased and the authorisation given to the bank is "
        "revoked.\n\n"
        "You can reconnect it with /connect, without duplicates."
    ),
    "disconnect.working": "⏳ Disconnecting {bank}…",
    "disconnect.done": (
        "✅ <b>{bank}</b> is disconnected and your sign-in details are erased.\n"
        "Your accounts and transactions stay in your books. /connect to reconnect it."
    ),
    "disconnect.to_review": "{count} transactions are still for review: /review",
    "disconnect.to_review_one": "1 transaction is still for review: /review",
    "disconnect.not_revoked": (
        "ℹ️ The bank couldn't confirm the authorisation was revoked; Pointage no longer holds "
        "anything to connect with."
    ),
    "disconnect.already": "{bank} is already disconnected.",
    # /deletemydata
    "delete.confirm": (
        "⚠️ <b>Erase all your data?</b>\n\n"
        "Your books, accounts, transactions, rules, bank connections and sign-in details will "
        "be erased for good, and the authorisations given to banks revoked. "
        "Nothing can be recovered."
    ),
    "delete.working": "⏳ Erasing…",
    "delete.done": (
        "✅ All your data is erased, your bank sign-in details destroyed and the "
        "authorisations revoked.\n/start if you want to begin again."
    ),
    "delete.nothing": "Pointage holds no data in your name: nothing to erase.",
    "delete.expired": "This confirmation has expired: /deletemydata to start again.",
    # buttons
    "btn.refresh": "🔄 Update",
    "btn.refresh_all": "🔄 Update all",
    "btn.refresh_n": "{n} 🔄 Update",
    "btn.retry": "🔄 Try again",
    "btn.credentials": "🔑 Update sign-in details",
    "btn.credentials_n": "{n} 🔑 Sign-in details",
    "btn.renew": "🔑 Renew",
    "btn.disconnect": "🔌 Disconnect",
    "btn.disconnect_n": "{n} 🔌 Disconnect",
    "btn.confirm_disconnect": "🔌 Yes, disconnect",
    "btn.confirm_erase": "🗑 Yes, erase everything",
}
