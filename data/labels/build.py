"""Assemble the labelled sets from the hand-written source files.

- ``src/<lang>_<label>.txt`` → ``posts.csv`` (post types, CODEBOOK.md), 12 pseudo-authors per language;
- ``replies_src/<lang>_<label>.txt`` → ``replies.csv`` (stance of incoming replies, CODEBOOK-replies.md),
  30 pseudo-repliers per language;
- ``detectors_src/<lang>_<split>.txt`` → ``detectors.csv`` (question / first person / crediting flags and
  post type, CODEBOOK.md), authors from ``# author:`` lines.

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


DETECTOR_FLAGS = ("question", "first_person", "crediting")


def build_detectors(src: str = "detectors_src", out: str = "detectors.csv") -> int:
    """``detectors_src/<lang>_<split>.txt`` → ``detectors.csv``: one row per post with the three detector
    flags, the post type, the author (from the ``# author: <id> | ...`` line above it) and the split
    (``heldout`` = frozen before tuning, ``dev`` = tuned on). Line format: ``Q F C type | text``."""
    rows = []
    for f in sorted((HERE / src).glob("*.txt")):
        lang, split = f.stem.split("_", 1)
        author, voice = None, ""
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            line = line.strip()
            if not line:
                continue
            if line.startswith("# author:"):
                author, _, voice = (x.strip() for x in line[len("# author:"):].partition("|"))
                continue
            head, sep, text = line.partition(" | ")
            parts = head.split()
            if not sep or len(parts) != 4 or any(p not in "01" for p in parts[:3]) or author is None:
                raise ValueError(f"{f.name}:{n}: expected 'Q F C type | text' under an '# author:' line")
            rows.append({"text": text.strip(), "lang": lang, **dict(zip(DETECTOR_FLAGS, map(int, parts[:3]))),
                         "post_type": parts[3], "author": author, "voice": voice, "split": split})
    with open(HERE / out, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["text", "lang", *DETECTOR_FLAGS, "post_type", "author", "voice", "split"])
        w.writeheader()
        w.writerows(rows)
    return len(rows)


def main() -> None:
    for spec in SETS:
        print(f"wrote {build(*spec)} rows to {spec[1]}")
    print(f"wrote {build_detectors()} rows to detectors.csv")


if __name__ == "__main__":
    main()
