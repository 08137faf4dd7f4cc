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
    # What it would have sent outside GitHub, received by the demo's own local receiver.
    sent = [line.strip() for line in text.splitlines() if line.strip().startswith("⇢")]
    pages = [line.split(":")[0] for line in sent if "PagerDuty" in line]
    assert pages == ["⇢ PagerDuty trigger", "⇢ PagerDuty acknowledge", "⇢ PagerDuty resolve"]
    assert any(
        line.startswith("⇢ chat: ✅ Incident #1 in acme/web resolved: Search is down") for line in sent
    )
    hooks = [line for line in sent if line.startswith("⇢ webhook")]
    assert len(hooks) == 8 and all("signature ok" in line for line in hooks)
