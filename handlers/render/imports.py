"""Bank files: what is read, the questions (columns, account, same line, balance), the summaries."""

from __future__ import annotations

import re
from datetime import date

from babel.dates import format_date
from telegram import InlineKeyboardButton

from bot.files.importer import FileError, Problem
from bot.i18n import LOCALES, day, money, t
from bot.services.import_views import (
    AccountOption,
    AskAccount,
    AskBalance,
    AskColumn,
    AskSameLine,
    BalanceSet,
    BalanceSkipped,
    ColumnRole,
    FileDone,
    FileStep,
    Imported,
    LineAnswered,
    LineInfo,
    StatementImported,
)
from handlers import callbacks as cb
from handlers.render import pages
from handlers.render.common import (
    LABEL_CHARS,
    Keyboard,
    Screen,
    button,
    escape,
    rows,
    short,
    text,
    with_caption,
)

OPTIONS_PER_PAGE = 6
"""Bank accounts on one account question, with its "new account" and page rows."""
MAX_COLUMNS = 24
"""Columns offered on a CSV question: 8 rows of 3."""
PREVIEW_CELLS = 6
MAX_CANDIDATES = 7
_LINE_WHERE = re.compile(r"line (\d+)")


def reading(lang: str) -> Screen:
    return Screen(t(lang, "file.reading"))


def importing(count: int, lang: str) -> Screen:
    return Screen(t(lang, "file.importing", count=count))


def problem(error: FileError, lang: str) -> Screen:
    """What is wrong with the file, and where when the importer says."""
    return Screen(text(lang, f"file.{error.problem.value}", where=_where(error.where, lang)))


def too_large(lang: str) -> Screen:
    return Screen(text(lang, f"file.{Problem.TOO_LARGE.value}", where=""))


def _where(where: str | None, lang: str) -> str:
    if not where:
        return ""
    line = _LINE_WHERE.fullmatch(where)
    if line is not None:
        return t(lang, "file.where_line", n=int(line[1]))
    return t(lang, "file.where", where=where[:40])


def step(found: FileStep, lang: str, page: int = 0) -> Screen:
    """The next question about the file; the done words when nothing is left to ask."""
    match found:
        case AskColumn():
            return _ask_column(found, lang)
        case AskAccount():
            return _ask_account(found, lang, page)
        case AskSameLine():
            return _ask_same_line(found, lang)
        case AskBalance():
            return _ask_balance(found, lang)
        case FileDone():
            return Screen(t(lang, "file.done"))


def _then(first: str, found: FileStep, lang: str) -> Screen:
    """Some words, then the next question (its buttons under them)."""
    following = step(found, lang)
    return Screen(f"{first}\n\n{following.text}", following.keyboard)


def imported(result: Imported, lang: str) -> Screen:
    return _then(summary(result.summary, lang), result.next, lang)


def line_answered(result: LineAnswered, lang: str) -> Screen:
    words = t(lang, "file.line_added" if result.added else "file.line_same")
    return _then(words, result.next, lang)


def balance_set(result: BalanceSet, lang: str) -> Screen:
    words = text(
        lang,
        "file.balance_set",
        account=result.account_name,
        balance=money(result.balance, lang),
        books=money(result.ledger_balance, lang),
    )
    return _then(words, result.next, lang)


def balance_skipped(result: BalanceSkipped, lang: str) -> Screen:
    return _then(text(lang, "file.balance_skipped", account=result.account_name), result.next, lang)


def summary(done: StatementImported, lang: str) -> str:
    counts = [
        t(lang, "file.count_new", count=done.new),
        t(lang, "file.count_known", count=done.known),
    ]
    if done.ambiguous:
        counts.append(t(lang, "file.count_ambiguous", count=done.ambiguous))
    if done.auto_accepted:
        counts.append(t(lang, "file.count_auto", count=done.auto_accepted))
    parts = [
        text(
            lang,
            "file.imported",
            account=_account_name(done.account_name, done.iban_masked),
            ledger=done.ledger.code if done.ledger.name == done.account_name else done.ledger.label,
            counts=", ".join(counts),
        )
    ]
    if done.start is not None and done.end is not None:
        parts.append(_period(done.start, done.end, lang))
    books = money(done.ledger_balance, lang)
    if done.file_balance is not None:
        parts.append(t(lang, "file.balances", bank=money(done.file_balance, lang), books=books))
        if done.file_balance != done.ledger_balance:
            parts.append(t(lang, "file.balances_differ"))
    else:
        parts.append(t(lang, "file.balance_books", books=books))
    return "\n".join(parts)


def _period(start: date, end: date, lang: str) -> str:
    return t(lang, "file.period", start=day(start, lang), end=day(end, lang))


def _account_name(name: str, iban_masked: str | None) -> str:
    return name if not iban_masked or iban_masked in name else f"{name} ({iban_masked})"


# --- questions -------------------------------------------------------------------------------


def _ask_column(asked: AskColumn, lang: str) -> Screen:
    head = t(lang, "file.columns_retry" if asked.retry else "file.columns_intro")
    preview = "\n".join(
        " | ".join(escape(cell) for cell in row[:PREVIEW_CELLS]) for row in asked.preview
    )
    body = f"{head}\n<pre>{preview}</pre>\n{t(lang, f'file.ask_{asked.role.name.lower()}')}"
    picks = [
        button(
            _column_label(choice.index, choice.name),
            cb.PickColumn(asked.token, asked.role, choice.index),
        )
        for choice in asked.columns[:MAX_COLUMNS]
    ]
    keyboard = rows(picks, 3)
    if asked.role is ColumnRole.AMOUNT:
        keyboard.append([button(t(lang, "btn.two_amounts"), cb.TwoAmountColumns(asked.token))])
    return Screen(body, Keyboard(keyboard))


def _column_label(index: int, name: str) -> str:
    letter = _letter(index)
    return f"{letter} · {short(name, 16)}" if name.strip() else letter


def _letter(index: int) -> str:
    """A, B, … Z, AA, AB…: as a spreadsheet names its columns."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _ask_account(asked: AskAccount, lang: str, page: int) -> Screen:
    info = asked.statement
    what = [info.format]
    if info.count > 1:
        what.insert(0, t(lang, "file.statement_of", n=info.index + 1, count=info.count))
    if info.account:
        what.append(info.account)
    details = [t(lang, "file.lines", count=info.lines)]
    if info.start is not None and info.end is not None:
        details.append(_period(info.start, info.end, lang))
    if info.balance is not None:
        details.append(t(lang, "file.balance_line", balance=money(info.balance, lang)))
    body = text(lang, "file.ask_account", what=" · ".join(what), details=" · ".join(details))
    shown = pages.paged(
        list(asked.options),
        page,
        OPTIONS_PER_PAGE,
        lambda number: cb.FileAccountsPage(asked.token, info.index, number),
        lang,
    )
    keyboard = [
        [button(_option_label(option), cb.IntoAccount(asked.token, info.index, option.id))]
        for option in shown.items
    ]
    keyboard.append(
        [button(t(lang, "btn.file_new_account"), cb.IntoNewAccount(asked.token, info.index))]
    )
    if shown.nav:
        keyboard.append(shown.nav)
    return Screen(with_caption(body, shown, lang), Keyboard(keyboard))


def _option_label(option: AccountOption) -> str:
    mark = "✅ " if option.matches else ""
    tail = option.iban_masked[-4:] if option.iban_masked else option.ledger.code
    return f"{mark}{short(option.name, LABEL_CHARS - 8)} · {tail}"


def _ask_same_line(asked: AskSameLine, lang: str) -> Screen:
    shown = asked.candidates[:MAX_CANDIDATES]
    listed = "\n".join(
        f"{n}. {_line(candidate, lang)}" for n, candidate in enumerate(shown, start=1)
    )
    body = text(lang, "file.ask_same_line", line=_line(asked.line, lang), candidates=listed)
    keyboard: list[list[InlineKeyboardButton]] = [
        [
            button(
                _candidate_label(n, candidate, lang),
                cb.SameLine(asked.token, asked.key, candidate.id),
            )
        ]
        for n, candidate in enumerate(shown, start=1)
    ]
    keyboard.append([button(t(lang, "btn.file_new_line"), cb.NewLine(asked.token, asked.key))])
    return Screen(body, Keyboard(keyboard))


def _candidate_label(n: int, line: LineInfo, lang: str) -> str:
    return f"{n} · {_short_day(line.booking_date, lang)} · {money(line.amount, lang)}"


def _line(line: LineInfo, lang: str) -> str:
    return f"{day(line.booking_date, lang)} · {money(line.amount, lang)} · {short(line.label, 60)}"


def _short_day(value: date, lang: str) -> str:
    return str(format_date(value, "d MMM", locale=LOCALES.get(lang, "en_GB")))


def _ask_balance(asked: AskBalance, lang: str) -> Screen:
    body = text(
        lang,
        "file.ask_balance",
        account=asked.account_name,
        day=day(asked.on, lang) if asked.on is not None else "—",
    )
    skip = button(t(lang, "btn.skip"), cb.SkipBalance(asked.token, asked.bank_account_id))
    return Screen(body, Keyboard([[skip]]))


def bad_balance(lang: str) -> Screen:
    return Screen(t(lang, "file.bad_balance"))


def help_text(lang: str) -> Screen:
    return Screen(t(lang, "file.help"))


def private_only(lang: str, bot: str | None) -> Screen:
    return Screen(text(lang, "file.private_only", bot=bot or ""))


def step_gone(lang: str) -> Screen:
    return Screen(t(lang, "stale_button"))
