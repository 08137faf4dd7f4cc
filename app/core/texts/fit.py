"""Every text the bot posts fits GitHub's limits by construction: this is the one place that trims.

GitHub refuses a comment or issue body over 65,536 characters with 422 "body is
too long (maximum is 65536 characters)", and an issue title over 256
(https://docs.github.com/en/rest/issues/comments#create-an-issue-comment; the
limits are the ones GitHub's 422 bodies state). A refused comment is lost, and
a refused summary stops the whole incident, so nothing here may ever exceed them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

COMMENT_LIMIT = 65_536  # GitHub's limit for a comment or issue body, in characters
BODY_MAX = COMMENT_LIMIT - 536  # what the bot writes: a margin for counting differences
TITLE_MAX = 256  # GitHub's limit for an issue title
CUT_NOTE = "… (cut here: GitHub's comment limit is 65,536 characters)"


def clip(text: str, limit: int, note: str = "…") -> str:
    """The text, or its start and `note` when it is longer than `limit` characters."""
    if len(text) <= limit:
        return text
    return text[: max(limit - len(note), 0)] + note


QUOTE_MAX = 120  # characters of a person's line a reply quotes


def quoted(line: str) -> str:
    """A person's line quoted in a reply: one line, at most QUOTE_MAX characters, in a code
    span it cannot break out of (a backtick in it would end the span early)."""
    text = clip(" ".join(line.split()), QUOTE_MAX).replace("`", "ˋ")
    return f"`{text}`"


def title(text: str) -> str:
    """An issue title GitHub accepts: one line, at most TITLE_MAX characters."""
    return clip(" ".join(text.split()), TITLE_MAX)


def body(text: str, *, keep_last_line: bool = False) -> str:
    """A comment body GitHub accepts. The first line (the bot's marker) always stays, and the
    last one too when asked (the summary's ledger)."""
    if len(text) <= BODY_MAX:
        return text
    first, _, rest = text.partition("\n")
    last = ""
    if keep_last_line and "\n" in rest:
        rest, last = rest.rsplit("\n", 1)
        last = "\n" + last
    room = BODY_MAX - len(first) - 1 - len(last)
    return f"{first}\n{clip(rest, room, CUT_NOTE)}{last}"


def fold(
    head: Sequence[str],
    rows: Sequence[str],
    tail: Sequence[str],
    note: Callable[[int], str],
    limit: int = BODY_MAX,
) -> str:
    """head + rows + tail joined by lines, dropping the oldest (first) rows until it fits.

    The rows dropped are counted in one `note(n)` line where they were. The number
    kept is found by bisection, so a thread of thousands of rows costs a few joins.
    """

    def joined(kept: int) -> str:
        dropped = len(rows) - kept
        middle = [note(dropped), *rows[dropped:]] if dropped else list(rows)
        return "\n".join([*head, *middle, *tail])

    text = joined(len(rows))
    if len(text) <= limit:
        return text
    low, high = 0, len(rows)  # the most rows that fit lie in [low, high)
    while low < high:
        middle = (low + high + 1) // 2
        if len(joined(middle)) <= limit:
            low = middle
        else:
            high = middle - 1
    return body(joined(low), keep_last_line=True)
