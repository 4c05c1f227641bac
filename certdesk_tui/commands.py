"""The command palette: every action of the desk, found by its words or by its key."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from certdesk_tui.actions import DESK_ACTIONS, DeskAction, Owner, keys_of, visible_to
from certdesk_tui.domain import workflow

if TYPE_CHECKING:
    from certdesk_tui.app import CertdeskApp


class DeskCommands(Provider):
    """The registry's actions as the help lists them, with the keys the keymap gives."""

    def _commands(self) -> list[tuple[DeskAction, str, Callable[[], object]]]:
        from certdesk_tui.screens.dashboard import DashboardScreen

        screen = self.screen
        if not isinstance(screen, DashboardScreen):
            return []
        app: CertdeskApp = self.app  # type: ignore[assignment]
        commands: list[tuple[DeskAction, str, Callable[[], object]]] = []
        for action in visible_to(DESK_ACTIONS, screen.desk.actor.may):
            node = {Owner.APP: app, Owner.DASHBOARD: screen,
                    Owner.REASONS: screen.reasons_pane}.get(action.owner)
            if not action.palette or node is None:
                continue
            keys = ", ".join(app.key_display(k) for k in keys_of(action, app.keymap))
            if action.processing:
                # Offered to those who may run it; run as its key would be, so a request
                # it does not apply to (or no request selected) is said, not ignored.
                if not screen.desk.actor.may(workflow.ACTIONS_BY_ID[action.id].permission):
                    continue
                run: Callable[[], object] = partial(screen.action_request_action, action.id)
            else:
                run = partial(node.run_action, action.textual_action)
            commands.append((action, keys, run))
        return commands

    async def discover(self) -> Hits:
        for action, keys, callback in self._commands():
            yield DiscoveryHit(action.label, callback, help=_help(keys, action))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        wanted = query.strip().lower()
        for action, keys, callback in self._commands():
            # The action's own key (as the footer shows it) finds it first, then its words.
            by_key = wanted in (k.strip().lower() for k in keys.split(","))
            score = (100.0 if by_key else 0.0) + matcher.match(action.label)
            if score > 0:
                yield Hit(score, matcher.highlight(action.label), callback,
                          help=_help(keys, action))


def _help(keys: str, action: DeskAction) -> str:
    """The palette's line under an action: its keys, then what it does (an action with
    no key of its own, a tab's, shows only what it does)."""
    return f"{keys} · {action.help}" if keys else action.help
