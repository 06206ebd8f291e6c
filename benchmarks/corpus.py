"""Deterministic benchmark corpora: N stories of W words in the seeds' shape, with text of their own.

Each story is a plain-text manuscript with a `Notes:` header, paragraphs split by one blank line,
scene breaks of two blank lines, dialogue with straight quotes, and the occasional *italic*. With
--structure the stories are Markdown and about one paragraph in twenty is, or carries, a footnote,
a table or a list. The same arguments always give the same files.

    python benchmarks/corpus.py OUT_DIR --stories 20 --words 100000 [--structure]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

NAMES = ["Ilse", "Tomas", "Wren", "Jun", "Mara", "Pella", "Odo", "Senna", "Brannock", "Devi", "Hal", "Ysolde"]
PLACES = ["harbour", "lighthouse", "orchard", "ferry", "forge", "market", "quay", "kitchen", "well", "tower"]
NOUNS = ["lamp", "chain", "ledger", "window", "river", "letter", "kettle", "storm", "bridge", "map", "bell",
         "garden", "rope", "coat", "tide", "door", "candle", "road", "fire", "boat", "stair", "gate"]
VERBS = ["watched", "carried", "counted", "mended", "opened", "followed", "remembered", "folded",
         "answered", "crossed", "waited for", "listened to", "lifted", "polished", "found"]
ADJECTIVES = ["old", "quiet", "salt-stained", "narrow", "bright", "cold", "patient", "heavy", "crooked",
              "green", "familiar", "small", "unexpected", "careful"]
ADVERBS = ["slowly", "again", "at last", "without a word", "once more", "carefully", "before dawn",
           "as usual", "for a long time", "all at once"]
SAYINGS = ["You're early", "I couldn't sleep", "It's only the wind", "Don't stare at trouble",
           "We'll see in the morning", "That isn't what I asked", "Begin anywhere", "Mind the step",
           "Nobody's stopping you", "It was telling the truth this time"]


def sentence(rng: random.Random) -> str:
    shape = rng.random()
    who, what = rng.choice(NAMES), rng.choice(NOUNS)
    if shape < 0.45:
        text = (f"{who} {rng.choice(VERBS)} the {rng.choice(ADJECTIVES)} {what} "
                f"by the {rng.choice(PLACES)} {rng.choice(ADVERBS)}.")
    elif shape < 0.7:
        text = (f"The {what} had been {rng.choice(ADJECTIVES)} for years, and {who} "
                f"{rng.choice(VERBS)} it {rng.choice(ADVERBS)}.")
    elif shape < 0.85:
        adjective = rng.choice(ADJECTIVES)
        article = "an" if adjective[0] in "aeiou" else "a"
        text = f"There was {article} {adjective} {what} in the {rng.choice(PLACES)}, and nobody knew why."
    else:
        text = f"{who} thought about the {what}... and then about the {rng.choice(PLACES)}."
    if rng.random() < 0.08:
        words = text.split()
        index = rng.randrange(1, len(words) - 1)
        words[index] = f"*{words[index]}*"
        text = " ".join(words)
    return text


def dialogue(rng: random.Random) -> str:
    speaker = rng.choice(NAMES)
    line = rng.choice(SAYINGS)
    if rng.random() < 0.3:
        return f'"{line}," {speaker} said. "{rng.choice(SAYINGS)}."'
    if rng.random() < 0.2:
        return f"\"{line}--\" {speaker} stopped. \"My gran used to say, '{rng.choice(SAYINGS)}.'\""
    return f'"{line}."'


def story(rng: random.Random, words: int) -> str:
    notes = " ".join(sentence(rng) for _ in range(2))
    parts = [f"Notes: {notes}", ""]
    count = 0
    since_break = 0
    while count < words:
        if rng.random() < 0.35:
            paragraph = dialogue(rng)
        else:
            paragraph = " ".join(sentence(rng) for _ in range(rng.randint(2, 6)))
        parts += [paragraph, ""]
        count += len(paragraph.split())
        since_break += 1
        if since_break > 12 and rng.random() < 0.08 and count < words - 100:
            parts.append("")  # a second blank line: a scene break
            since_break = 0
    return "\n".join(parts)


def structured(rng: random.Random, text: str) -> str:
    """A story made Markdown, about one paragraph in twenty (5 %) a table or a list or carrying a
    footnote (each note's definition at the end, as authors write them)."""
    paragraphs = text.split("\n\n")
    notes: list[str] = []
    for index in range(2, len(paragraphs)):
        if not paragraphs[index].strip() or rng.random() >= 0.05:
            continue
        kind = rng.choice(("note", "table", "list"))
        if kind == "note":
            notes.append(f"[^{len(notes) + 1}]: {sentence(rng)} {sentence(rng)}")
            paragraphs[index] += f"[^{len(notes)}]"
        elif kind == "table":
            rows = "\n".join(f"| {rng.choice(NAMES)} | the {rng.choice(NOUNS)} | {rng.randint(1, 99)} |"
                             for _ in range(rng.randint(3, 6)))
            paragraphs[index] = f"| Who | What | How many |\n|:----|:-----|-----:|\n{rows}"
        else:
            paragraphs[index] = "\n".join(f"- the {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
                                          for _ in range(rng.randint(3, 5)))
    return "\n\n".join(paragraphs + notes) + "\n"


def generate(out: Path, stories: int, words: int, seed: int = 2026, structure: bool = False) -> list[Path]:
    """Write a book project (book.toml + manuscripts/) of `stories` stories, `words` words in all."""
    rng = random.Random(seed)
    (out / "manuscripts").mkdir(parents=True, exist_ok=True)
    per_story = max(50, words // stories)
    suffix = ".md" if structure else ".txt"
    entries, paths = [], []
    for number in range(1, stories + 1):
        path = out / "manuscripts" / f"{number:03d}{suffix}"
        text = story(rng, per_story)
        path.write_text(structured(rng, text) if structure else text, encoding="utf-8")
        paths.append(path)
        entries.append(
            f'[[story]]\nfile = "manuscripts/{number:03d}{suffix}"\n'
            f'title = "Story {number}: The {rng.choice(ADJECTIVES).title()} {rng.choice(NOUNS).title()}"\n'
            f'author = "{rng.choice(NAMES)} {rng.choice(["Holt", "Okafor", "Marchetti", "Ferreira", "Quill"])}"\n'
        )
    (out / "book.toml").write_text(
        f'[book]\ntitle = "Benchmark {words // 1000}k"\neditors = ["Bench Editor"]\ndate = "2026-11-20"\n\n'
        + "\n".join(entries),
        encoding="utf-8",
    )
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--stories", type=int, default=20)
    parser.add_argument("--words", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--structure", action="store_true", help="Markdown with notes, tables and lists")
    args = parser.parse_args()
    generate(args.out, args.stories, args.words, args.seed, args.structure)


if __name__ == "__main__":
    main()
