"""Word's "Insert → Symbol" characters (w:sym): symbol-font codes and Unicode-font code points to Unicode text."""

from __future__ import annotations

import unicodedata

import pytest

from bookforge.readers.symbols import SYMBOL, WEBDINGS, WINGDINGS, WINGDINGS_2, WINGDINGS_3, symbol_char

# each table with a font name as Word writes it
TABLES = {
    "Symbol": SYMBOL,
    "Wingdings": WINGDINGS,
    "Wingdings 2": WINGDINGS_2,
    "Wingdings 3": WINGDINGS_3,
    "Webdings": WEBDINGS,
}


@pytest.mark.parametrize(
    ("font", "code", "expected"),
    [
        # Symbol: Adobe's Symbol encoding (Unicode's VENDORS/ADOBE/symbol.txt), with the F000 offset Word writes
        ("Symbol", "F061", "α"),
        ("Symbol", "F062", "β"),
        ("Symbol", "F0B0", "°"),
        ("Symbol", "F0B1", "±"),
        ("Symbol", "F0AE", "→"),
        ("Symbol", "F0E5", "∑"),  # U+2211 N-ARY SUMMATION, not the Greek capital sigma
        ("Symbol", "F0D6", "√"),
        ("Symbol", "F044", "Δ"),  # symbol.txt's second value, U+2206 INCREMENT, is not taken
        ("Symbol", "F06D", "μ"),  # U+03BC, not U+00B5 MICRO SIGN
        ("Symbol", "F0A0", "€"),
        ("Symbol", "F0D3", "©"),  # Adobe's serif copyright sign (a corporate-use code point there)
        ("Symbol", "F0E6", "\u239b"),  # a bracket piece: LEFT PARENTHESIS UPPER HOOK, not Adobe's U+F8EB
        # ... and without it
        ("Symbol", "6C", "λ"),
        ("Symbol", "006C", "λ"),
        ("Symbol", "f06c", "λ"),
        # Wingdings (Unicode 7.0's mapping, L2/12-368)
        ("Wingdings", "F0FC", "\u2713"),  # CHECK MARK
        ("Wingdings", "F0FE", "\U0001f5f9"),  # BALLOT BOX WITH BOLD CHECK
        ("Wingdings", "F0FB", "\U0001f5f6"),  # BALLOT BOLD SCRIPT X
        ("Wingdings", "F04A", "☺"),
        ("Wingdings", "F04C", "☹"),
        ("Wingdings", "F022", "✂"),
        ("Wingdings", "F046", "☞"),
        ("Wingdings", "F09F", "•"),
        ("Wingdings", "F0AB", "★"),
        ("Wingdings", "F0E0", "\U0001f86a"),  # WIDE-HEADED RIGHTWARDS BARB ARROW
        ("Wingdings", "F0F0", "⇨"),
        ("Wingdings", "F020", " "),
        ("Wingdings 2", "F052", "\u2611"),  # BALLOT BOX WITH CHECK
        ("Wingdings 3", "F075", "\u25b6"),  # BLACK RIGHT-POINTING TRIANGLE
        ("Webdings", "F061", "\u2714"),  # HEAVY CHECK MARK
        # Unicode fonts: the code is the character
        ("Segoe UI Symbol", "2713", "✓"),
        ("Cambria Math", "2211", "∑"),
        ("Arial Unicode MS", "00E9", "é"),
        ("Segoe UI Emoji", "1F600", "\U0001f600"),
        (None, "2713", "✓"),
        # font names: any case, any spacing
        ("symbol", "F061", "α"),
        ("SYMBOL", "61", "α"),
        ("WINGDINGS", "F04A", "☺"),
        ("wingdings", "4A", "☺"),
        ("Wingdings2", "F052", "\u2611"),
        ("WINGDINGS  2", "52", "\u2611"),
        (" Webdings ", "F061", "\u2714"),
        # nothing known: None
        ("Some Symbol Font", "F041", None),  # private use in a font we have no table for
        (None, "F041", None),
        ("Segoe UI Symbol", "E000", None),
        ("Segoe UI Symbol", "F0000", None),  # supplementary private use
        ("Symbol", "F060", None),  # radical extender: no Unicode character
        ("Symbol", "F0F0", None),  # not in the Adobe encoding
        ("Symbol", "F07F", None),
        ("Wingdings", "F0FF", None),  # the Windows logo
        ("Symbol", "2713", None),  # a symbol font's codes are bytes
        ("Arial", "0007", None),  # controls, surrogates, noncharacters
        ("Arial", "D800", None),
        ("Arial", "FFFF", None),
        ("Arial", "110000", None),
        ("Arial", "", None),
        ("Arial", "zz", None),
        ("Arial", "0x41", None),
    ],
)
def test_symbol_char(font, code, expected):
    assert symbol_char(font, code) == expected


@pytest.mark.parametrize("name", TABLES)
def test_every_mapped_value_is_real_text(name):
    table = TABLES[name]
    assert table
    for byte, text in table.items():
        assert 0x20 <= byte <= 0xFF, (name, hex(byte))
        assert isinstance(text, str) and text, (name, hex(byte))
        for char in text:
            assert unicodedata.category(char) not in ("Co", "Cs", "Cc", "Cn"), (name, hex(byte), f"U+{ord(char):04X}")


@pytest.mark.parametrize("font", TABLES)
def test_every_byte_reads_the_same_with_and_without_the_private_use_offset(font):
    for byte, text in TABLES[font].items():
        assert symbol_char(font, f"{byte:02X}") == text
        assert symbol_char(font, f"F0{byte:02X}") == text


def test_symbol_covers_the_adobe_encoding():
    # 0x20–0x7E and 0xA0–0xFE, less the radical extender (0x60) and the unassigned 0xF0
    expected = (set(range(0x20, 0x7F)) | set(range(0xA0, 0xFF))) - {0x60, 0xF0}
    assert set(SYMBOL) == expected
    assert "".join(SYMBOL[b] for b in range(0x61, 0x7B)) == "αβχδεφγηιϕκλμνοπθρστυϖωξψζ"
