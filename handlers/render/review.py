"""The review screens: the digest of lines to tick off, the category picker, the offer of a
rule after a recategorization, and the list of lines already done."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton

from bot.categorize.cascade import Source
from bot.domain.states import ReviewState
from bot.domain.views import CategoryChoices, Decision, DigestView, LedgerAccountView, ReviewLine
from bot.i18n import day, money, t
from bot.services.review import PAGE_SIZE
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
from handlers.render.rules import condition_words

HITS_PER_PAGE = 4 * 2
"""Search hits in the picker: four rows of two, under its own tools and actions."""

WHY = {source.value: f"why.{source.value}" for source in Source if source is not Source.NONE}
"""A suggestion's source, in words (the cascade's and its learned model's)."""


def _line_text(n: int, line: ReviewLine, lang: str) -> str:
    """Only the payee and the account come from outside and are escaped: the rest is digits
    and Babel's formats (this runs for every line of every daily digest)."""
    values = {
        "n": n,
        "date": day(line.booking_date, lang),
        "amount": money(line.amount, lang),
        "payee": escape(short(line.payee, 40)),
    }
    account = escape(line.account.label) if line.account else ""
    if line.state == ReviewState.ACCEPTED:
        return t(lang, "review.accepted", account=account, **values)
    if line.state == ReviewState.EXCLUDED:
        return t(lang, "review.excluded", **values)
    head = t(lang, "review.line_pending" if line.pending else "review.line", **values)
    if line.account is None or line.source in (None, "none"):
        return f"{head}\n{t(lang, 'review.no_suggestion')}"
    why = t(lang, WHY.get(line.source or "", "why.none"))
    return f"{head}\n{t(lang, 'review.suggested', account=account, why=why)}"


def digest(view: DigestView, lang: str, *, daily: bool = False) -> Screen:
    """The digest page: each line to review gets its own row (accept, category)."""
    if view.nothing_yet:
        return Screen(t(lang, "review.start"))
    if not view.lines and not view.auto_count:
        return Screen(t(lang, "review.nothing"))
    parts = [t(lang, "review.title" if daily else "review.title_on_demand", count=view.to_review)]
    keyboard: list[list[InlineKeyboardButton]] = []
    first = view.page * PAGE_SIZE + 1
    for n, line in enumerate(view.lines, start=first):
        parts.append(_line_text(n, line, lang))
        if line.state == ReviewState.TO_REVIEW:
            keyboard.append(
                [
                    button(
                        t(lang, "btn.accept_n", n=n), cb.AcceptLine(line.id, view.anchor, view.page)
                    ),
                    button(
                        t(lang, "btn.change_n", n=n), cb.ChangeLine(line.id, view.anchor, view.page)
                    ),
                ]
            )
    if view.auto_count:
        total = " + ".join(money(amount, lang) for amount in view.auto_totals)
        parts.append(t(lang, "review.auto_summary", count=view.auto_count, total=escape(total)))
    footer: list[InlineKeyboardButton] = []
    if any(line.state == ReviewState.TO_REVIEW for line in view.lines):
        footer.append(button(t(lang, "btn.accept_all"), cb.AcceptPage(view.anchor, view.page)))
    if view.pages > 1:
        parts.append(t(lang, "review.page", page=view.page + 1, pages=view.pages))
        prev, following = pages.nav_buttons(
            view.page, view.pages, lambda n: cb.ReviewPage(view.anchor, n), lang
        )
        footer = [*([prev] if prev else []), *footer, *([following] if following else [])]
    if footer:
        keyboard.append(footer)
    extra = [button(t(lang, "btn.show_done"), cb.ShowDone(view.anchor))]
    if view.auto_count:
        extra.insert(0, button(t(lang, "btn.undo_auto"), cb.UndoAuto(view.anchor)))
    keyboard.append(extra)
    return Screen("\n\n".join(parts), Keyboard(keyboard))


def category_picker(
    choices: CategoryChoices,
    anchor: int,
    page: int,
    lang: str,
    *,
    found: Sequence[LedgerAccountView] | None = None,
    query: str = "",
    results: int = 0,
) -> Screen:
    """The categories to file a line under; a search's hits come `HITS_PER_PAGE` a page."""
    line = choices.line
    body = text(
        lang,
        "picker.title",
        date=day(line.booking_date, lang),
        amount=money(line.amount, lang),
        payee=line.payee,
        label=line.label,
    )
    if found is not None:
        body += "\n\n" + text(lang, "picker.results" if found else "picker.no_results", query=query)
    options = list(found) if found is not None else [*choices.best, *choices.frequent]
    shown = pages.paged(
        options, results, HITS_PER_PAGE, lambda n: cb.SearchPage(line.id, anchor, page, n), lang
    )
    body = with_caption(body, shown, lang)
    picks = [
        button(short(a.label, LABEL_CHARS), cb.FileUnder(line.id, a.id, anchor, page))
        for a in shown.items
    ]
    keyboard = rows(picks, 2)
    if shown.nav:
        keyboard.append(shown.nav)
    tools = [
        button(t(lang, "btn.search"), cb.SearchAccounts(line.id, anchor, page)),
        button(t(lang, "btn.new_account"), cb.NewAccount(line.id, anchor, page)),
    ]
    keyboard.append(tools)
    others = []
    if choices.owner is not None:
        others.append(button(t(lang, "btn.personal"), cb.Personal(line.id, anchor, page)))
    others.append(button(t(lang, "btn.exclude"), cb.Exclude(line.id, anchor, page)))
    keyboard.append(others)
    keyboard.append([button(t(lang, "btn.back"), cb.ReviewPage(anchor, page))])
    return Screen(body, Keyboard(keyboard))


def rule_offer(decision: Decision, anchor: int, page: int, lang: str) -> Screen:
    """ "Always file X under Y?", or "X on weekdays", "X up to 50 €" when its lines split."""
    assert decision.rule_offer is not None
    account = decision.rule_offer
    line = decision.line
    condition = decision.rule_condition
    words = condition_words(condition, line.amount.currency, lang)
    if words:
        body = text(
            lang, "rule.offer_when", account=account.label, payee=line.payee, condition=words
        )
    else:
        body = text(lang, "rule.offer", account=account.label, payee=line.payee)

    def make(auto: bool) -> cb.MakeRule:
        return cb.MakeRule.offering(line.id, account.id, anchor, page, condition, auto=auto)

    keyboard = [
        [
            button(t(lang, "btn.yes_rule"), make(False)),
            button(t(lang, "btn.yes_rule_auto"), make(True)),
        ],
        [button(t(lang, "btn.no_rule"), cb.ReviewPage(anchor, page))],
    ]
    return Screen(body, Keyboard(keyboard))


def done_list(lines: Sequence[ReviewLine], anchor: int, lang: str) -> Screen:
    if not lines:
        return Screen(
            t(lang, "done.none"),
            Keyboard([[button(t(lang, "btn.back"), cb.ReviewPage(anchor, 0))]]),
        )
    parts = [t(lang, "done.title")]
    reopen = []
    for n, line in enumerate(lines, start=1):
        parts.append(_line_text(n, line, lang))
        reopen.append(button(t(lang, "btn.reopen_n", n=n), cb.Reopen(line.id, anchor)))
    keyboard = [*rows(reopen, 2), [button(t(lang, "btn.back"), cb.ReviewPage(anchor, 0))]]
    return Screen("\n\n".join(parts), Keyboard(keyboard))
