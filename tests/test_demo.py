"""The demo is the first thing a newcomer runs: it must play the whole incident."""

from __future__ import annotations

import io

from app.cli.demo import play


async def test_demo_plays_a_whole_incident_from_declaration_to_retrospective() -> None:
    out = io.StringIO()
    assert await play(out) == 0
    text = out.getvalue()
    assert "Severity 1 (Critical) · Stabilization pending" in text
    assert "hand-off from @alice" in text
    assert "cannot move from **Stabilized** to **Resolved**" in text  # the refused jump
    assert "- [ ] #2 Alert when search errors pass 1%" in text  # the follow-up, listed
    assert "- [x] #2 Alert when search errors pass 1%" in text  # and ticked when closed
    assert "### Close-out: Incident #1 is resolved" in text
    assert "### Retrospective: Incident #1" in text
    assert "Time to acknowledge: 6m" in text
    assert "<!--" not in text  # hidden markers are not what people see
