import pytest

from bot.services.connect_flow import Purpose
from bot.services.import_views import ColumnRole
from handlers import callbacks as cb

SAMPLES: list[cb.Button] = [
    cb.PickBank("a1b2c3", "fr-1x2y3z4w5v6u7t8s"),
    cb.PickGroup("a1b2c3", "g-fr-credit-agricole", 12),
    cb.CountryMenu("a1b2c3", 3),
    cb.PickCountry("a1b2c3", "FR"),
    cb.CantFind("a1b2c3"),
    cb.BackToSearch("a1b2c3"),
    cb.StartLogin("a1b2c3"),
    cb.RequestSupport("a1b2c3"),
    cb.ToggleAccount("a1b2c3", 2),
    cb.BankAccountsPage("a1b2c3", 99_999),
    cb.AccountsChosen("a1b2c3"),
    cb.PickLedger("a1b2c3", 1, 2_000_000_000),
    cb.LedgerPage("a1b2c3", 99_999, 99_999),
    cb.AddLedger("a1b2c3", 0),
    cb.PickPeriod("a1b2c3", "m24"),
    cb.ConfirmConnect("a1b2c3"),
    cb.CancelFlow("a1b2c3"),
    cb.ReviewPage(1795855891, 12),
    cb.AcceptLine(2_000_000_000, 1795855891, 99),
    cb.ChangeLine(2_000_000_000, 1795855891, 99),
    cb.SearchAccounts(2_000_000_000, 1795855891, 99),
    cb.NewAccount(2_000_000_000, 1795855891, 99),
    cb.Personal(2_000_000_000, 1795855891, 99),
    cb.Exclude(2_000_000_000, 1795855891, 99),
    cb.SearchPage(2_000_000_000, 4_102_444_799, 99_999, 99_999),
    cb.FileUnder(2_000_000_000, 2_000_000_000, 1795855891, 99),
    cb.MakeRule(2_000_000_000, 2_000_000_000, 1795855891, 99, auto=True),
    cb.AcceptPage(1795855891, 99),
    cb.UndoAuto(1795855891),
    cb.ShowDone(1795855891),
    cb.Reopen(2_000_000_000, 1795855891),
    cb.ToggleRule(2_000_000_000),
    cb.DeleteRule(2_000_000_000),
    cb.RulesPage(99_999),
    cb.SetLanguage("fr"),
    cb.SetAutoAccept(True),
    cb.SettingsMenu(cb.Menu.TIMEZONES),
    cb.SetDigestTime("0800"),
    cb.SetTimezone(9),
    cb.TimezonesPage(99_999),
    cb.OverviewPage(99_999),
    cb.ConnectionsPage(cb.Question.DISCONNECT, 99_999),
    cb.RefreshConnection(2_000_000_000),
    cb.RefreshAll(),
    cb.UpdateSignIn(2_000_000_000),
    cb.AskDisconnect(2_000_000_000, here=True),
    cb.ConfirmDisconnect(2_000_000_000),
    cb.KeepAsIs(),
    cb.ConfirmErase(1795855891),
    cb.ShowHelp("imports"),
    cb.ConsentGiven("a1b2c3"),
    cb.LoginFor("a1b2c3", Purpose.RENEW),
    cb.IntoAccount("Ab3_x-9Z", 99_999, 2_000_000_000),
    cb.IntoNewAccount("Ab3_x-9Z", 99_999),
    cb.FileAccountsPage("Ab3_x-9Z", 99_999, 99_999),
    cb.PickColumn("Ab3_x-9Z", ColumnRole.LABEL, 119),
    cb.TwoAmountColumns("Ab3_x-9Z"),
    cb.SameLine("Ab3_x-9Z", 99_999, 2_000_000_000),
    cb.NewLine("Ab3_x-9Z", 99_999),
    cb.SkipBalance("Ab3_x-9Z", 2_000_000_000),
    cb.ImportFile(),
]


def test_every_kind_has_its_own_tag() -> None:
    tags = [kind.tag for kind in cb.KINDS]
    assert len(tags) == len(set(tags))


def test_every_kind_of_button_has_a_sample() -> None:
    assert {type(b) for b in SAMPLES} == set(cb.KINDS)


@pytest.mark.parametrize("button", SAMPLES, ids=lambda b: type(b).__name__)
def test_buttons_round_trip_within_telegrams_64_bytes(button: cb.Button) -> None:
    data = button.pack()
    assert len(data.encode()) <= 64
    assert cb.parse(data) == button


@pytest.mark.parametrize(
    "forged",
    [
        None,
        "",
        "hello",
        "0b:abc:def",
        "2zz:abc",
        "2b:abc",
        "2t:abc:notanumber",
        "2b:abc:d;rop",
        "2" + "b:a:" + "x" * 70,
    ],
)
def test_forged_data_raises_the_one_error(forged: str | None) -> None:
    with pytest.raises(cb.BadButton):
        cb.parse(forged)


@pytest.mark.parametrize("button", SAMPLES, ids=lambda b: type(b).__name__)
def test_a_button_of_the_previous_version_is_refused(button: cb.Button) -> None:
    """Version 1 carried booleans and "all" as numbers; its buttons are answered as stale."""
    assert cb.VERSION == "2"
    with pytest.raises(cb.BadButton):
        cb.parse("1" + button.pack()[len(cb.VERSION) :])


def test_booleans_and_enums_travel_as_digits_and_come_back_typed() -> None:
    rule = cb.parse(cb.MakeRule(1, 2, 1795855891, 0, auto=True).pack())
    assert isinstance(rule, cb.MakeRule) and rule.auto is True
    menu = cb.parse(cb.SettingsMenu(cb.Menu.TIMEZONES).pack())
    assert isinstance(menu, cb.SettingsMenu) and menu.menu is cb.Menu.TIMEZONES
    assert cb.SetAutoAccept(False).pack() == "2sa:0"
    for forged in ("2sa:2", "2sa:True", "2sm:3", "2mr:0", "2lf:a1b2c3:3"):
        with pytest.raises(cb.BadButton):
            cb.parse(forged)


def test_parse_as_refuses_another_kind() -> None:
    with pytest.raises(cb.BadButton):
        cb.parse_as(cb.CantFind("abc").pack(), cb.PickBank)


def test_a_value_that_cannot_travel_is_refused_when_packing() -> None:
    with pytest.raises(ValueError):
        cb.PickBank("abc", "x" * 60).pack()
    with pytest.raises(ValueError):
        cb.PickBank("abc", "has:colon").pack()


def test_matcher_accepts_only_its_kinds() -> None:
    match = cb.matcher(cb.PickBank, cb.PickGroup)
    assert match(cb.PickBank("a", "b").pack())
    assert not match(cb.CantFind("a").pack())
    assert not match("garbage")
    assert not match(object())
