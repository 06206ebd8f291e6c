"""Typography as a transform: one (input, expected) row per case, English rules."""

from __future__ import annotations

import pytest

from bookforge.model import Emph, LineBreak, Paragraph, Text
from bookforge.transforms.typography import QuoteStyle, educate_inlines, educate_string

H = "\u200a"  # hair space between adjacent quotation marks
NB = "\u00a0"

CASES = [
    # --- double quotes: dialogue shapes from real manuscripts
    ('"Stop what?"', "“Stop what?”"),
    ('"Stop it," he mumbled. "Go away."', "“Stop it,” he mumbled. “Go away.”"),
    ('A frown creased his forehead. "Who?"', "A frown creased his forehead. “Who?”"),
    ('"What? Who?" He continued to look perplexed.', "“What? Who?” He continued to look perplexed."),
    ('"Uh…"', "“Uh…”"),
    ('"N-noo… he\'s… on a mission."', "“N-noo… he’s… on a mission.”"),
    ('"Mmhmm—No, no, I, it just, uh," he said.', "“Mmhmm—No, no, I, it just, uh,” he said."),
    ('He turned—"Wait!"', "He turned—“Wait!”"),
    ('"I was going to—" She stopped.', "“I was going to—” She stopped."),
    ('("Quiet," she said.)', "(“Quiet,” she said.)"),
    ('""', "“”"),
    ('"Wh-what are you doing?"', "“Wh-what are you doing?”"),
    ('He said "yes" and left.', "He said “yes” and left."),
    ('"Yes."\n"No."', "“Yes.”\n“No.”"),
    ('a "quoted" word', "a “quoted” word"),
    ('"Hello,"she said', "“Hello,”she said"),
    ('"…and then?"', "“…and then?”"),
    ('"2019 was a year."', "“2019 was a year.”"),
    # --- nested quotes
    ('"He said, \'Be proud,\' and left."', "“He said, ‘Be proud,’ and left.”"),
    ('"\'Be proud,\' he said."', f"“{H}‘Be proud,’ he said.”"),
    ('"She told me, \'Never.\'"', f"“She told me, ‘Never.’{H}”"),
    ("the phrase 'Be proud' followed by", "the phrase ‘Be proud’ followed by"),
    ("'Forfeit' wasn't intended to have a follow-up.", "‘Forfeit’ wasn’t intended to have a follow-up."),
    ('"My gran used to say, \'Don\'t trust a chain you didn\'t see made.\'"',
     f"“My gran used to say, ‘Don’t trust a chain you didn’t see made.’{H}”"),
    # --- apostrophes inside and at the end of words
    ("Kakashi's mask", "Kakashi’s mask"),
    ("I can't", "I can’t"),
    ("you're", "you’re"),
    ("the boys' room", "the boys’ room"),
    ("o'clock", "o’clock"),
    ("ma'am", "ma’am"),
    ("rock'n'roll", "rock’n’roll"),
    ("Jesus' sake", "Jesus’ sake"),
    ("y'all'd've", "y’all’d’ve"),
    # --- leading apostrophes (elisions)
    ("give 'em hell", "give ’em hell"),
    ("'Tis the season", "’Tis the season"),
    ("'twas brillig", "’twas brillig"),
    ("wait 'til dawn", "wait ’til dawn"),
    ("rock 'n' roll", "rock ’n’ roll"),
    ("'cause I said so", "’cause I said so"),
    ("in the '80s", "in the ’80s"),
    ("back in '99", "back in ’99"),
    ("'bout time", "’bout time"),
    ("'ello, 'ello", "’ello, ’ello"),
    ("he went 'round the back", "he went ’round the back"),
    ("'Kay, fine.", "’Kay, fine."),
    ('"\'Em?" she asked.', f"“{H}’Em?” she asked."),
    # --- a lone opening single quote with no closer is an apostrophe
    ("goin' home", "goin’ home"),
    ("nothin' doin'", "nothin’ doin’"),
    # --- dashes
    ("He waited--and waited.", "He waited—and waited."),
    ("He waited -- and waited.", "He waited—and waited."),
    ("He waited---and waited.", "He waited—and waited."),
    ('"I--" she began.', "“I—” she began."),
    ('"--and then," he said.', "“—and then,” he said."),
    ("It was - well - odd.", "It was—well—odd."),
    ("well-known", "well-known"),
    ("pages 10-20", "pages 10-20"),
    ("5 - 3 = 2", "5 - 3 = 2"),
    ("Mmhmm—No", "Mmhmm—No"),
    # --- ellipses
    ("Kakashi... Iruka had never", "Kakashi… Iruka had never"),
    ("Wait...", "Wait…"),
    ("Wait. . . what?", "Wait… what?"),
    ("The end....", "The end…."),
    ("already … typed", "already … typed"),
    # --- fine points
    ("Mr. Smith and Dr. Watson", f"Mr.{NB}Smith and Dr.{NB}Watson"),
    ("He was 6'2\" tall.", "He was 6′2″ tall."),
    # --- existing typography is kept, never doubled
    ("“Already curly,” she said.", "“Already curly,” she said."),
    ("It’s fine—really…", "It’s fine—really…"),
    ("‘Single’ and “double”", "‘Single’ and “double”"),
    ("No quotes at all.", "No quotes at all."),
    ("", ""),
]


@pytest.mark.parametrize("source, expected", CASES, ids=[f"{i:02d}" for i in range(len(CASES))])
def test_typography_table(source: str, expected: str) -> None:
    assert educate_string(source) == expected


def test_table_is_big_enough() -> None:
    assert len(CASES) >= 60


def test_quotes_are_decided_across_inline_boundaries() -> None:
    # "*Hello*" — the opening quote sits in one Text node, the word in an Emph, the closer in another.
    inlines = [Text('"'), Emph([Text("Hello")]), Text('," she said.')]
    educate_inlines(inlines, QuoteStyle())
    assert inlines[0].text == "“"
    assert inlines[2].text == ",” she said."


@pytest.mark.parametrize("left, right", [
    ("he said--", " and left"), ("x----", " y"), ("x---", " y"), ("x-----", " y"), ("x--  ", " y"),
    ("x-- -", " y"), ("waited ", "-- then"), ('A "', "’00"), ("said, '", '"Go"'),
])
def test_a_split_paragraph_reads_as_the_whole_one(left: str, right: str) -> None:
    # Emphasis must not change typography: the runs together equal the text educated in one piece
    # (cases the property tests found).
    inlines = [Emph([Text(left)]), Text(right)]
    educate_inlines(inlines, QuoteStyle())
    assert inlines[0].children[0].text + inlines[1].text == educate_string(left + right)


def test_line_break_reads_as_a_space() -> None:
    inlines = [Text('said'), LineBreak(), Text('"Go."')]
    educate_inlines(inlines, QuoteStyle())
    assert inlines[2].text == "“Go.”"


def test_code_is_left_alone() -> None:
    from bookforge.model import Code

    inlines = [Text('"x" '), Code('"raw" -- ...')]
    educate_inlines(inlines, QuoteStyle())
    assert inlines[1].text == '"raw" -- ...'
    assert inlines[0].text == "“x” "


def test_typography_false_keeps_text_as_typed(project) -> None:
    from conftest import load

    folder = project("seeds_shape")
    toml = folder / "book.toml"
    toml.write_text(toml.read_text().replace("[book]\n", "[book]\ntypography = false\n"))
    book, _ = load(folder)
    text = "".join(
        node.text
        for story in book.stories
        for block in story.blocks()
        if isinstance(block, Paragraph)
        for node in block.children
        if isinstance(node, Text)
    )
    assert '"' in text and "..." in text and "“" not in text
