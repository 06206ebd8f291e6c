"""Typography as a transform: one (input, expected) row per case, a table per language."""

from __future__ import annotations

import pytest

from bookforge.model import Emph, LineBreak, Paragraph, Text
from bookforge.diagnostics import Diagnostics
from bookforge.readers.decode import clean
from bookforge.transforms.typography import QuoteStyle, educate_inlines, educate_joined, educate_string, quote_style

H = "\u200a"  # hair space between adjacent quotation marks
NB = "\u00a0"
NN = "\u202f"  # narrow no-break space (French)

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
    ("pages 10-20", "pages 10–20"),
    ("from 1990-1995 she", "from 1990–1995 she"),
    ("on 2026-11-21 at", "on 2026-11-21 at"),
    ("call 1-800-555-1234", "call 1-800-555-1234"),
    ("COVID-19 and B12-3", "COVID-19 and B12-3"),
    ("a 3-2 win", "a 3–2 win"),
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


CASES_FR = [
    # --- guillemets with narrow no-break spaces inside
    ('"Bonjour," dit-il.', f"«{NN}Bonjour,{NN}» dit-il."),
    ('Il cria : "Viens !"', f"Il cria{NB}: «{NN}Viens{NN}!{NN}»"),
    ('"Ça va?"', f"«{NN}Ça va{NN}?{NN}»"),
    ("« Déjà en guillemets »", f"«{NN}Déjà en guillemets{NN}»"),
    ("«Serrés»", f"«{NN}Serrés{NN}»"),
    (f"«{NN}Déjà espacés{NN}»", f"«{NN}Déjà espacés{NN}»"),
    ('"Il a dit \'non\' hier."', f"«{NN}Il a dit “non” hier.{NN}»"),
    # --- spaces before ; : ! ?
    ("Quoi ?", f"Quoi{NN}?"),
    ("Quoi?", f"Quoi{NN}?"),
    ("Vraiment ?!", f"Vraiment{NN}?!"),
    ("Attends; non.", f"Attends{NN}; non."),
    ("Voici la liste: pain, lait.", f"Voici la liste{NB}: pain, lait."),
    ("Il est 10:30.", "Il est 10:30."),
    ("Voir https://exemple.fr ici.", "Voir https://exemple.fr ici."),
    ("Ah ! Oh !", f"Ah{NN}! Oh{NN}!"),
    # --- apostrophes are always ’
    ("l'homme et l'enfant", "l’homme et l’enfant"),
    ("aujourd'hui, c'est jusqu'à demain", "aujourd’hui, c’est jusqu’à demain"),
    ("Qu'est-ce que c'est ?", f"Qu’est-ce que c’est{NN}?"),
    # --- dashes: a spaced en dash in the sentence, an em dash to open speech
    ("Il partit -- sans un mot -- vers la mer.", f"Il partit{NB}– sans un mot{NB}– vers la mer."),
    ("Il partit - sans un mot.", f"Il partit{NB}– sans un mot."),
    ("-- Tu viens ? demanda-t-elle.", f"—{NB}Tu viens{NN}? demanda-t-elle."),
    ("Pages 10-20", "Pages 10–20"),
    # --- ellipses, existing typography kept
    ("Et puis... rien.", "Et puis… rien."),
    ("Et puis. . . rien.", "Et puis… rien."),
    ("Un “anglicisme” gardé", "Un “anglicisme” gardé"),
    (f"25{NB}km à pied", f"25{NB}km à pied"),
]

CASES_DE = [
    # --- „…“ outside, ‚…‘ inside
    ('"Hallo," sagte sie.', "„Hallo,“ sagte sie."),
    ('Er fragte: "Kommst du?"', "Er fragte: „Kommst du?“"),
    ('"Er sagte \'ja\' und ging."', "„Er sagte ‚ja‘ und ging.“"),
    ('"\'Nein\', sagte er."', f"„{H}‚Nein‘, sagte er.“"),
    ('"Sie rief: \'Halt!\'"', f"„Sie rief: ‚Halt!‘{H}“"),
    ('Das Wort "Heimat" fehlt.', "Das Wort „Heimat“ fehlt."),
    ('"Ja." "Nein."', "„Ja.“ „Nein.“"),
    ("„Schon richtig“, sagte er.", "„Schon richtig“, sagte er."),
    # --- apostrophes are ’, also inside an inner quotation
    ("Geht's dir gut?", "Geht’s dir gut?"),
    ("Wie geht's, wie steht's?", "Wie geht’s, wie steht’s?"),
    ("'s ist kalt", "’s ist kalt"),
    ("Andrea's Laden", "Andrea’s Laden"),
    ('"Er sagte \'geht\'s\' nur."', "„Er sagte ‚geht’s‘ nur.“"),
    ("in den '80ern", "in den ’80ern"),
    # --- dashes: the Gedankenstrich is a spaced en dash
    ("Er kam -- zu spät -- nach Hause.", f"Er kam{NB}– zu spät{NB}– nach Hause."),
    ("Er kam - zu spät.", f"Er kam{NB}– zu spät."),
    ('"Aber --" Sie schwieg.', f"„Aber{NB}–“ Sie schwieg."),
    ("Er kam--und ging.", f"Er kam{NB}– und ging."),
    ("Seiten 10-12", "Seiten 10–12"),
    ("am 2026-11-21", "am 2026-11-21"),
    # --- ellipses and kept characters
    ("Und dann...", "Und dann…"),
    ("Und dann. . .", "Und dann…"),
    (f"5{NB}kg Mehl", f"5{NB}kg Mehl"),
    ("Bereits – gesetzt", "Bereits – gesetzt"),
]

# Other languages: their quotation marks (outer and inner) and dashes.
CASES_OTHER = [
    ("es", '"Hola," dijo él. "\'Vale\', dijo."', "«Hola,» dijo él. «“Vale”, dijo.»"),
    ("it", '"Ciao," disse -- piano.', f"«Ciao,» disse{NB}– piano."),
    ("nl", '"Hij zei \'ja\' gisteren."', "„Hij zei ‚ja’ gisteren.”"),
    ("sv", '"Hej," sa hon.', "”Hej,” sa hon."),
    ("pl", '"Powiedział \'tak\' wczoraj" - odparła.', f"„Powiedział «tak» wczoraj”{NB}– odparła."),
    ("ru", '"Привет, -- сказал он, -- как дела?"', f"«Привет,{NB}— сказал он,{NB}— как дела?»"),
    ("ru", "-- Да, -- ответил он.", f"—{NB}Да,{NB}— ответил он."),
    ("fr-CA", 'Il dit: "Quoi?"', f"Il dit{NB}: «{NN}Quoi?{NN}»"),
    ("de-CH", '"Grüezi," sagte er.', "«Grüezi,» sagte er."),
    ("pt", '"Olá," disse.', "“Olá,” disse."),  # not yet in the table: English marks, never straight ones
]

TABLES = {"en": CASES, "fr": CASES_FR, "de": CASES_DE}


@pytest.mark.parametrize("source, expected", CASES, ids=[f"{i:02d}" for i in range(len(CASES))])
def test_typography_table(source: str, expected: str) -> None:
    assert educate_string(source) == expected


@pytest.mark.parametrize("language", ["fr", "de"])
def test_typography_table_by_language(language: str) -> None:
    style = quote_style(language)
    wrong = [(source, educate_string(source, style), expected) for source, expected in TABLES[language]
             if educate_string(source, style) != expected]
    assert not wrong, "\n".join(f"{s!r} → {got!r}, wanted {want!r}" for s, got, want in wrong)


@pytest.mark.parametrize("language, source, expected", CASES_OTHER, ids=[c[0] for c in CASES_OTHER])
def test_other_languages(language: str, source: str, expected: str) -> None:
    assert educate_string(source, quote_style(language)) == expected


@pytest.mark.parametrize("language", ["en", "fr", "de", "ru", "pl"])
def test_joined_paragraphs_read_as_each_alone(language: str) -> None:
    """educate_joined (whole stories at once) equals paragraph-by-paragraph education."""
    style = quote_style(language)
    sources = [source for source, _ in TABLES.get(language, CASES_OTHER)] if language in TABLES else [
        source for lang, source, _ in CASES_OTHER if lang == language]
    sources = [s for s in sources if s]
    joined = educate_joined("\x00".join(sources), style).split("\x00")
    assert joined == [educate_string(s, style) for s in sources]


def test_british_quotes() -> None:
    style = quote_style("en-GB", "british")
    assert educate_string('"Hello," she said. "He told me \'no\'."', style) == (
        "‘Hello,’ she said. ‘He told me “no”.’"
    )
    assert educate_string("It's Kakashi's.", style) == "It’s Kakashi’s."
    assert quote_style("fr", "british").key == "fr", "british quotes are for English text only"


def test_tables_are_big_enough() -> None:
    assert len(CASES) >= 60
    assert len(CASES_FR) >= 20 and len(CASES_DE) >= 20


@pytest.mark.parametrize("source, expected, warned", [
    ("zero\u200bwidth", "zerowidth", False),
    ("joi\u200dner and non\u200cjoiner", "joiner and nonjoiner", False),
    ("space \u200bbefore", "space before", False),
    ("*emphasis\u200b*\nnext", "*emphasis*\nnext", False),  # at a word's edge, behind emphasis marks
    ("\u200b_start_", "_start_", False),
    ("emoji 👩\u200d💻 kept", "emoji 👩\u200d💻 kept", False),
    ("हिन्दी\u200c kept", "हिन्दी\u200c kept", False),
    ("a \u00adstray soft hyphen\u00ad", "a stray soft hyphen", False),
    ("_emphasis\u00ad_ ends", "_emphasis_ ends", False),  # at a word's edge, behind emphasis marks
    ("one in\u00advisible hint kept", "one in\u00advisible hint kept", False),
    (" ".join(["hy\u00adphen\u00adated"] * 6), " ".join(["hyphenated"] * 6), True),
    ("tabs\tand   runs  of spaces", "tabs and runs of spaces", False),
    ("    indented line kept", "    indented line kept", False),
    ("line break  \nkept", "line break  \nkept", False),
    ("bom\ufeff inside", "bom inside", False),
    ("e\u0301 composed", "é composed", False),
])
def test_invisible_junk_is_cleaned(source: str, expected: str, warned: bool) -> None:
    diagnostics = Diagnostics()
    assert clean(source, "story.txt", diagnostics) == expected
    assert [d.code for d in diagnostics.items] == (["M009"] if warned else [])


def test_control_characters_are_reported_with_their_line() -> None:
    diagnostics = Diagnostics()
    assert clean("fine\nbad\x07 bell\n", "story.txt", diagnostics) == "fine\nbad bell\n"
    (warning,) = diagnostics.items
    assert (warning.code, warning.path, warning.line) == ("M002", "story.txt", 2)
    # Junk is judged once the control characters are gone (a case the property tests found).
    assert clean("Al\u200d\x1bÊ e\u0301\u200bx", "story.txt", Diagnostics()) == "AlÊ éx"


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
