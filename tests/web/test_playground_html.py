"""The page's HTML of a message: Telegram's entities as tags, everything else escaped."""

from __future__ import annotations

from bot.web.botapi.entities import _entities_to_api, parse_html
from bot.web.playground.html import safe_url, to_html


def shown(source: str) -> str:
    """What the page draws of a message the bot sent with parse_mode HTML."""
    text, entities = parse_html(source)
    return to_html(text, _entities_to_api(text, entities))


def test_bold_italic_code_and_links_come_back_as_telegram_shows_them() -> None:
    assert shown("<b>Bank</b> <i>lines</i> <code>512</code>") == (
        "<b>Bank</b> <i>lines</i> <code>512</code>"
    )
    assert shown('<a href="https://example.com/x?a=1&amp;b=2">there</a>') == (
        '<a href="https://example.com/x?a=1&amp;b=2" target="_blank" '
        'rel="noopener noreferrer">there</a>'
    )


def test_text_is_escaped_and_a_script_link_is_no_link() -> None:
    assert shown("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co") == (
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"
    )
    assert (
        to_html("click", [{"type": "text_link", "offset": 0, "length": 5, "url": "javascript:x"}])
        == "click"
    )
    assert safe_url("javascript:alert(1)") is None and safe_url("https://a.b") == "https://a.b"


def test_offsets_count_utf16_units_so_emoji_do_not_shift_the_tags() -> None:
    assert shown("👋 <b>Camille</b> 🔒 <i>ok</i>") == "👋 <b>Camille</b> 🔒 <i>ok</i>"


def test_nested_and_overlapping_entities_stay_well_formed() -> None:
    assert shown("<b>a <i>b</i> c</b>") == "<b>a <i>b</i> c</b>"
    overlapping = [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "italic", "offset": 2, "length": 4},
    ]
    assert to_html("abcdef", overlapping) == "<b>ab<i>cd</i></b><i>ef</i>"
