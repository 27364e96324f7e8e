"""What an instructor plans a class by, measured from a chapter's source: its reading time
(the words of its text at `WORDS_PER_MINUTE`, rounded up to `ROUND_MINUTES`) and its exercises.
Each chapter's header quotes both in its "**Class time.**" line; a test keeps them in step.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

#: A student's reading speed for technical text with figures (words a minute).
WORDS_PER_MINUTE = 200
ROUND_MINUTES = 5
CODE = re.compile(r"```\{code-cell\}.*?\n```", re.S)
FENCE = re.compile(r"^(```|:::).*$|^:[\w-]+:.*$|^---$", re.M)
WORD = re.compile(r"[A-Za-z0-9][\w'’.-]*")


def words(source: Path | str) -> int:
    """The words of the chapter's text: its markdown, without code cells, directive fences,
    their options or the front matter."""
    text = Path(source).read_text()
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)  # jupytext's front matter
    return len(WORD.findall(FENCE.sub("", CODE.sub("", text))))


def reading_minutes(source: Path | str) -> int:
    """Minutes to read the chapter's text at WORDS_PER_MINUTE, rounded up to ROUND_MINUTES."""
    return ROUND_MINUTES * math.ceil(words(source) / WORDS_PER_MINUTE / ROUND_MINUTES)


def exercises(source: Path | str) -> int:
    """How many exercises the chapter sets (its `exercise` directives)."""
    return Path(source).read_text().count("```{exercise}")


def class_time(source: Path | str) -> str:
    """The header's "**Class time.**" sentence for the chapter, from its source."""
    return (f"**Class time.** Reading: about {reading_minutes(source)} min (its text at "
            f"{WORDS_PER_MINUTE} words a minute); then {exercises(source)} exercises, and the "
            f"runs of the chapter's code (**How long**).")


CLASS_TIME = re.compile(r"\*\*Class time\.\*\*.*?(?=\n\n)", re.S)


def refresh(source: Path | str) -> bool:
    """Rewrite the chapter's "**Class time.**" paragraph from its source; whether it changed.

    Raises:
        ValueError: the chapter's header has no such paragraph.
    """
    path = Path(source)
    original = text = path.read_text()
    if not CLASS_TIME.search(text):
        raise ValueError(f"{path}: its header has no **Class time.** paragraph")
    for _ in range(3):  # the paragraph's own words are part of the text: let it settle
        updated = CLASS_TIME.sub(lambda _: class_time_wrapped(path), text, count=1)
        if updated == text:
            break
        path.write_text(updated)
        text = updated
    return text != original


def class_time_wrapped(source: Path | str) -> str:
    import textwrap

    return textwrap.fill(class_time(source), 99)


if __name__ == "__main__":  # make sync: python -m imgclf.course.teaching notebooks/NN-*.md
    import sys

    for chapter in sys.argv[1:]:
        refresh(chapter)
        print(f"{chapter}: {class_time(chapter)}")
