"""/rules: the categorization rules, each with its switch and delete button, a page at a time."""

from __future__ import annotations

from collections.abc import Sequence

from bot.categorize.conditions import Days, RuleCondition
from bot.domain.money import Money
from bot.domain.views import RuleView
from bot.i18n import money, t
from handlers import callbacks as cb
from handlers.render import pages
from handlers.render.common import Keyboard, Screen, button, text, with_caption
from handlers.render.pages import ROWS

RULES_PER_PAGE = ROWS


def condition_words(condition: RuleCondition, currency: str, lang: str) -> str:
    """ "en semaine", "à partir de 100,00 €": a rule's condition beyond its payee, in words."""
    parts = []
    if condition.days is not None:
        parts.append(t(lang, "rule.weekend" if condition.days is Days.WEEKEND else "rule.weekdays"))
    low, high = condition.min_minor, condition.max_minor
    if low is not None and high is not None:
        parts.append(
            t(
                lang,
                "rule.between",
                low=money(Money(low, currency), lang),
                high=money(Money(high, currency), lang),
            )
        )
    elif low is not None:
        parts.append(t(lang, "rule.from", amount=money(Money(low, currency), lang)))
    elif high is not None:
        parts.append(t(lang, "rule.up_to", amount=money(Money(high, currency), lang)))
    return ", ".join(parts)


def _condition(rule: RuleView, lang: str) -> str:
    subject = rule.payee or rule.label_contains or "…"
    words = condition_words(rule.condition, rule.currency, lang)
    return t(lang, "rule.payee_when", payee=subject, condition=words) if words else subject


def rules_page_of(rules: Sequence[RuleView], rule_id: int) -> int:
    """The page listing the rule `rule_id` (0 when it is gone)."""
    ids = [rule.id for rule in rules]
    return ids.index(rule_id) // RULES_PER_PAGE if rule_id in ids else 0


def rules_list(rules: Sequence[RuleView], lang: str, page: int = 0) -> Screen:
    if not rules:
        return Screen(t(lang, "rules.none"))
    shown = pages.paged(rules, page, RULES_PER_PAGE, cb.RulesPage, lang)
    parts = [t(lang, "rules.title")]
    keyboard = []
    for n, rule in enumerate(shown.items, start=shown.first + 1):
        condition = _condition(rule, lang)
        off = "" if rule.enabled else t(lang, "rules.off")
        parts.append(
            text(
                lang,
                "rules.line",
                n=n,
                condition=condition,
                account=rule.account.label,
                hits=rule.hits,
                off=off,
            )
        )
        toggle = "btn.rule_disable" if rule.enabled else "btn.rule_enable"
        keyboard.append(
            [
                button(t(lang, toggle, n=n), cb.ToggleRule(rule.id)),
                button(t(lang, "btn.rule_delete", n=n), cb.DeleteRule(rule.id)),
            ]
        )
    if shown.nav:
        keyboard.append(shown.nav)
    return Screen(with_caption("\n".join(parts), shown, lang), Keyboard(keyboard))
