"""/rules: the categorization rules, each with its switch and delete button, a page at a time."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.views import RuleView
from bot.i18n import t
from handlers import callbacks as cb
from handlers.render import pages
from handlers.render.common import Keyboard, Screen, button, text, with_caption
from handlers.render.pages import ROWS

RULES_PER_PAGE = ROWS


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
        condition = rule.payee or rule.label_contains or "…"
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
