"""Render PDF pages as two-page spreads (verso left, recto right) into PNGs, for looking at a book.

Usage: python scripts/spreads.py book.pdf out-prefix [first-page last-page] [--dpi 60]
Needs pdftoppm (poppler-utils).
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pdf")
    parser.add_argument("prefix")
    parser.add_argument("first", nargs="?", type=int, default=1)
    parser.add_argument("last", nargs="?", type=int, default=0)
    parser.add_argument("--dpi", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        command = ["pdftoppm", "-r", str(args.dpi), "-png", "-f", str(args.first)]
        if args.last:
            command += ["-l", str(args.last)]
        subprocess.run(command + [args.pdf, f"{tmp}/p"], check=True)
        pages = sorted(Path(tmp).glob("p-*.png"), key=lambda p: int(p.stem.split("-")[1]))
        images = {int(p.stem.split("-")[1]): Image.open(p).convert("RGB") for p in pages}
    numbers = sorted(images)
    width, height = images[numbers[0]].size
    made = []
    # Page n (1-based) is a recto when odd: spreads pair an even page with the odd one after it.
    for left in range(numbers[0] - (numbers[0] % 2), numbers[-1] + 1, 2):
        pair = [images.get(left), images.get(left + 1)]
        if not any(pair):
            continue
        sheet = Image.new("RGB", (width * 2 + 30, height + 20), (90, 90, 90))
        for slot, image in enumerate(pair):
            if image is not None:
                sheet.paste(image, (10 + slot * (width + 10), 10))
        draw = ImageDraw.Draw(sheet)
        draw.line([(width + 15, 10), (width + 15, height + 10)], fill=(40, 40, 40), width=2)
        out = Path(f"{args.prefix}-{left:03d}-{left + 1:03d}.png")
        sheet.save(out)
        made.append(out)
    print("\n".join(str(m) for m in made))


if __name__ == "__main__":
    main()
