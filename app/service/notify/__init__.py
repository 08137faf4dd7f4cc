"""Notifications outside GitHub: PagerDuty, a chat webhook, a generic signed webhook.

The rules decide what is due and record it in the incident's ledger
(app.core.notifications); the pipeline hands the resulting `Notify` actions here once
the pass's GitHub writes are done. Sending happens in the background: it never delays
or fails the GitHub side. For each incident, notifications leave in the order they
were recorded; each is retried with bounded back-off (app.service.notify.sender); a
failure is counted (`/metrics`) and logged in one line without the key or the URL.

Before sending, the notifier reads the incident's summary back from GitHub and sends
only what the ledger there says this process recorded. When two replicas handle the
same change at once, both write the summary and GitHub keeps one of the two writes:
only its writer sends. (Each replica waits `claim_delay` seconds first, so that the
other's write has landed; PagerDuty's dedup_key and the webhook's event id make the
rare copy that slips through harmless, Slack would show it twice.)
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import aiohttp
from gidgethub.abc import GitHubAPI

from app.core.actions import Action, Notify
from app.core.incident import Incident
from app.core.notifications import NotifyContext, claimed
from app.github.refs import IssueRef
from app.service.notify.channels import Channel, PagerDuty, SignedWebhook, Slack
from app.service.notify.sender import SendPolicy, Sleep, send

if TYPE_CHECKING:  # the Action's pass imports the service without the settings module
    from app.settings import NotifySettings

__all__ = ["CLAIM_DELAY", "Notifier", "NotifyStats", "SendPolicy", "split_notices"]

log = logging.getLogger(__name__)

CLAIM_DELAY = 2.0  # seconds to let a racing replica's summary write land before reading it back
CONCURRENCY = 8  # requests to channels at once, over all incidents


def split_notices(actions: Iterable[Action]) -> tuple[list[Action], list[Notify]]:
    """The pass's actions for GitHub, and its notifications for the notifier."""
    github: list[Action] = []
    notices: list[Notify] = []
    for action in actions:
        (notices if isinstance(action, Notify) else github).append(action)  # type: ignore[arg-type]
    return github, notices


@dataclass
class NotifyStats:
    # (channel, outcome) -> notifications: outcome is sent or failed
    sent: Counter[tuple[str, str]] = field(default_factory=Counter)
    superseded: int = 0  # recorded by this process, but another replica's record stayed


class Notifier:
    def __init__(
        self,
        channels: Sequence[Channel] = (),
        session: aiohttp.ClientSession | None = None,
        *,
        policy: SendPolicy | None = None,
        claim_delay: float = CLAIM_DELAY,
        claimant: str | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if channels and session is None:
            raise ValueError("a notifier with channels needs an HTTP session")
        self.channels = tuple(channels)
        self._session = session
        self._policy = policy or SendPolicy()
        self._claim_delay = claim_delay
        self._sleep = sleep
        self.claimant = claimant or secrets.token_hex(6)
        self.stats = NotifyStats()
        self._gate = asyncio.Semaphore(CONCURRENCY)
        self._tasks: set[asyncio.Task[None]] = set()
        self._last: dict[str, asyncio.Task[None]] = {}  # per incident: the newest delivery

    @classmethod
    def from_settings(
        cls,
        settings: NotifySettings,
        session: aiohttp.ClientSession,
        *,
        policy: SendPolicy | None = None,
        claim_delay: float = CLAIM_DELAY,
    ) -> Notifier:
        channels: list[Channel] = []
        if settings.pagerduty_routing_key:
            channels.append(PagerDuty(settings.pagerduty_routing_key, settings.pagerduty_events_url))
        if settings.slack_webhook_url:
            channels.append(Slack(settings.slack_webhook_url))
        if settings.webhook_url:
            channels.append(SignedWebhook(settings.webhook_url, settings.webhook_secret))
        return cls(channels, session if channels else None, policy=policy, claim_delay=claim_delay)

    @property
    def context(self) -> NotifyContext:
        """What the rules need to know: which channels exist, and this process's id."""
        return NotifyContext(frozenset(c.kind for c in self.channels), self.claimant)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.channels)

    # --- scheduling ------------------------------------------------------------------------

    def dispatch(self, gh: GitHubAPI, ref: IssueRef, bot_login: str, notices: Sequence[Notify]) -> None:
        """Send these in the background, after the ones this incident is already sending."""
        if not notices or not self.channels:
            return
        key = f"{ref.owner}/{ref.repo}#{ref.number}".lower()
        task = asyncio.ensure_future(self._deliver(self._last.get(key), gh, ref, bot_login, list(notices)))
        self._last[key] = task
        self._tasks.add(task)

        def done(finished: asyncio.Task[None]) -> None:
            self._tasks.discard(finished)
            if self._last.get(key) is finished:
                del self._last[key]

        task.add_done_callback(done)

    async def wait_idle(self) -> None:
        """Until nothing is being sent (tests, the demo and the one-shot sweep wait on this)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def drain(self, grace: float) -> None:
        """On shutdown: let what is being sent finish within `grace` seconds, then give up."""
        if not self._tasks:
            return
        _, late = await asyncio.wait(list(self._tasks), timeout=grace)
        for task in late:
            task.cancel()
        if late:
            log.error("shutdown: %d notification batches not finished within %.0fs", len(late), grace)
        await asyncio.gather(*late, return_exceptions=True)

    # --- sending ---------------------------------------------------------------------------

    async def _deliver(
        self,
        before: asyncio.Task[None] | None,
        gh: GitHubAPI,
        ref: IssueRef,
        bot_login: str,
        notices: list[Notify],
    ) -> None:
        if before is not None:
            await asyncio.wait([before])  # its outcome is its own business
        try:
            await self._sleep(self._claim_delay)
            mine = await self._claimed(gh, ref, bot_login)
            for notice in notices:
                if mine is not None and notice.seq not in mine:
                    self.stats.superseded += 1
                    continue
                await asyncio.gather(*(self._send(channel, notice) for channel in self.channels))
        except Exception:
            log.exception("notifications for %s/%s#%d failed", ref.owner, ref.repo, ref.number)

    async def _claimed(self, gh: GitHubAPI, ref: IssueRef, bot_login: str) -> frozenset[int] | None:
        """What the ledger on GitHub says this process recorded; None when it cannot be read."""
        url = "/repos/{owner}/{repo}/issues/{number}/comments?per_page=100"
        try:
            comments = [c async for c in gh.getiter(url, ref.vars)]
        except Exception as exc:
            # Better a rare second copy than a page that never leaves.
            log.warning(
                "%s/%s#%d: the summary could not be read back (%s); sending anyway",
                ref.owner,
                ref.repo,
                ref.number,
                type(exc).__name__,
            )
            return None
        incident = Incident.from_github({}, comments, [], bot_login=bot_login)
        return claimed(incident.ledger, self.claimant)

    async def _send(self, channel: Channel, notice: Notify) -> None:
        request = channel.request(notice)
        if request is None:
            return
        assert self._session is not None
        async with self._gate:
            outcome = await send(self._session, channel.url, request, self._policy, self._sleep)
        self.stats.sent[(channel.name, "sent" if outcome.sent else "failed")] += 1
        if outcome.sent:
            log.info("notified %s: %s#%d %s", channel.name, notice.repository, notice.number, notice.event)
            return
        # One line: the channel, the incident, what, why. Never the URL or the key.
        log.warning(
            "notification to %s failed: %s#%d %s after %d attempt%s: %s",
            channel.name,
            notice.repository,
            notice.number,
            notice.event,
            outcome.attempts,
            "" if outcome.attempts == 1 else "s",
            outcome.reason,
        )
