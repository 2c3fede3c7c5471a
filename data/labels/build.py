"""Assemble data/labels/posts.csv from the hand-written source files in data/labels/src/.

Each src file is <lang>_<label>.txt with one post per line. Pseudo-authors are assigned by a stable
hash of the text (12 per language), so grouped cross-validation keeps each author's posts together.
Run: python data/labels/build.py
"""

import csv
import hashlib
from pathlib import Path

HERE = Path(__file__).parent
AUTHORS_PER_LANG = 12


def main() -> None:
    rows = []
    for f in sorted((HERE / "src").glob("*.txt")):
        lang, label = f.stem.split("_", 1)
        for line in f.read_text(encoding="utf-8").splitlines():
            text = line.strip()
            if not text:
                continue
            h = int(hashlib.sha1(text.encode()).hexdigest(), 16)
            rows.append({"text": text, "lang": lang, "label": label,
                         "author": f"{lang}_author_{h % AUTHORS_PER_LANG:02d}"})
    with open(HERE / "posts.csv", "w", newline="", encoding="utf-8") as out:
        w = csv.DictWriter(out, fieldnames=["text", "lang", "label", "author"])
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {len(rows)} rows")


if __name__ == "__main__":
    main()
