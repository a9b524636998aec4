"""Buttons of /review, the daily summary, the category picker and /rules."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from bot.categorize.conditions import BLANKET, Days, RuleCondition
from handlers.callbacks.codec import Button


class RuleBound(IntEnum):
    """The condition an offered rule carries: none, a side of the week, or an amount band
    up to or from `MakeRule.amount`."""

    NONE = 0
    WEEKDAYS = 1
    WEEKEND = 2
    UP_TO = 3
    FROM = 4


@dataclass(frozen=True, slots=True)
class ReviewPage(Button):
    """A page of the digest as of `anchor` (seconds since the epoch)."""

    tag = "rp"
    anchor: int
    page: int


@dataclass(frozen=True, slots=True)
class LineButton(Button):
    line: int
    anchor: int
    page: int


@dataclass(frozen=True, slots=True)
class AcceptLine(LineButton):
    tag = "ra"


@dataclass(frozen=True, slots=True)
class ChangeLine(LineButton):
    tag = "rc"


@dataclass(frozen=True, slots=True)
class SearchAccounts(LineButton):
    tag = "rf"


@dataclass(frozen=True, slots=True)
class NewAccount(LineButton):
    tag = "rn"


@dataclass(frozen=True, slots=True)
class Personal(LineButton):
    tag = "ro"


@dataclass(frozen=True, slots=True)
class Exclude(LineButton):
    tag = "rx"


@dataclass(frozen=True, slots=True)
class SearchPage(LineButton):
    """Page `results` of the picker's last search (the typed text stays with the user)."""

    tag = "rF"
    results: int


@dataclass(frozen=True, slots=True)
class FileUnder(Button):
    tag = "rk"
    line: int
    account: int
    anchor: int
    page: int


@dataclass(frozen=True, slots=True)
class MakeRule(Button):
    """ "Always file X under Y?": `auto` also accepts such lines without review; `bound` and
    `amount` (minor units, 0 when unbounded) the rule's condition. A button made before the
    condition existed has fewer fields, and is answered as stale."""

    tag = "ry"
    line: int
    account: int
    anchor: int
    page: int
    auto: bool
    bound: RuleBound = RuleBound.NONE
    amount: int = 0

    @classmethod
    def offering(
        cls,
        line: int,
        account: int,
        anchor: int,
        page: int,
        condition: RuleCondition,
        *,
        auto: bool,
    ) -> MakeRule:
        """The button for a rule with `condition` (one bound at most: offers carry one)."""
        if condition.days is not None:
            bound = RuleBound.WEEKEND if condition.days is Days.WEEKEND else RuleBound.WEEKDAYS
            return cls(line, account, anchor, page, auto, bound)
        if condition.max_minor is not None:
            return cls(line, account, anchor, page, auto, RuleBound.UP_TO, condition.max_minor)
        if condition.min_minor is not None:
            return cls(line, account, anchor, page, auto, RuleBound.FROM, condition.min_minor)
        return cls(line, account, anchor, page, auto)

    @property
    def condition(self) -> RuleCondition:
        match self.bound:
            case RuleBound.WEEKDAYS:
                return RuleCondition(days=Days.WEEKDAYS)
            case RuleBound.WEEKEND:
                return RuleCondition(days=Days.WEEKEND)
            case RuleBound.UP_TO:
                return RuleCondition(max_minor=self.amount)
            case RuleBound.FROM:
                return RuleCondition(min_minor=self.amount)
        return BLANKET


@dataclass(frozen=True, slots=True)
class AcceptPage(Button):
    tag = "rA"
    anchor: int
    page: int


@dataclass(frozen=True, slots=True)
class UndoAuto(Button):
    tag = "ru"
    anchor: int


@dataclass(frozen=True, slots=True)
class ShowDone(Button):
    tag = "rd"
    anchor: int


@dataclass(frozen=True, slots=True)
class Reopen(Button):
    tag = "rr"
    line: int
    anchor: int


@dataclass(frozen=True, slots=True)
class ToggleRule(Button):
    tag = "Rt"
    rule: int


@dataclass(frozen=True, slots=True)
class DeleteRule(Button):
    tag = "Rd"
    rule: int


@dataclass(frozen=True, slots=True)
class RulesPage(Button):
    tag = "Rp"
    page: int


KINDS: tuple[type[Button], ...] = (
    ReviewPage,
    AcceptLine,
    ChangeLine,
    SearchAccounts,
    NewAccount,
    Personal,
    Exclude,
    SearchPage,
    FileUnder,
    MakeRule,
    AcceptPage,
    UndoAuto,
    ShowDone,
    Reopen,
    ToggleRule,
    DeleteRule,
    RulesPage,
)
