"""Assemble the labelled sets from the hand-written source files.

- ``src/<lang>_<label>.txt`` → ``posts.csv`` (post types, CODEBOOK.md), 12 pseudo-authors per language;
- ``replies_src/<lang>_<label>.txt`` → ``replies.csv`` (stance of incoming replies, CODEBOOK-replies.md),
  30 pseudo-repliers per language.

One text per line. Pseudo-authors are assigned by a stable hash of the text, so grouped
cross-validation keeps each author's texts together.
Run: python data/labels/build.py
"""

import csv
import hashlib
from pathlib import Path

HERE = Path(__file__).parent
AUTHORS_PER_LANG = 12
#: (source folder, output file, pseudo-authors per language, author name prefix)
SETS = [("src", "posts.csv", AUTHORS_PER_LANG, "author"), ("replies_src", "replies.csv", 30, "replier")]


def build(src: str, out: str, n_authors: int, prefix: str) -> int:
    rows = []
    for f in sorted((HERE / src).glob("*.txt")):
        lang, label = f.stem.split("_", 1)
        for line in f.read_text(encoding="utf-8").splitlines():
            text = line.strip()
            if not text:
                continue
            h = int(hashlib.sha1(text.encode()).hexdigest(), 16)
            rows.append({"text": text, "lang": lang, "label": label,
                         "author": f"{lang}_{prefix}_{h % n_authors:02d}"})
    with open(HERE / out, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["text", "lang", "label", "author"])
        w.writeheader()
        w.writerows(rows)
    return len(rows)


def main() -> None:
    for spec in SETS:
        print(f"wrote {build(*spec)} rows to {spec[1]}")


if __name__ == "__main__":
    main()
