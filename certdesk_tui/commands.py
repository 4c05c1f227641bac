"""The command palette: every action of the current screen, found by name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from certdesk_tui.domain import workflow
from certdesk_tui.domain.permissions import Permission
from certdesk_tui.screens.actions import ACTION_PRESENTATION


class DeskCommands(Provider):
    """Processing actions, filters and navigation, as in the footer and the help."""

    def _commands(self) -> list[tuple[str, str, object]]:
        from certdesk_tui.screens.dashboard import DashboardScreen

        screen = self.screen
        if not isinstance(screen, DashboardScreen):
            return []
        commands: list[tuple[str, str, object]] = []
        for action in workflow.REQUEST_ACTIONS:
            shown = ACTION_PRESENTATION[action.id]
            commands.append((shown.label if shown.label != "WOS" else "Relabel as WOS",
                             shown.description,
                             partial(screen.action_request_action, action.id)))
        commands += [
            ("Preview request", "Everything the customer submitted", screen.action_preview),
            ("Search customers", "Filter by customer name or code", screen.action_search),
            ("Filters", "Status, type, brand, channel, manual, mine", screen.action_filters),
            ("Clear filters", "Back to New + In Progress, oldest first",
             screen.action_clear_filters),
            ("Sort by next column", "Cycle the sort column", screen.action_sort),
            ("Reverse sort", "Oldest first / newest first", screen.action_reverse_sort),
            ("Refresh", "Reload the queue now", screen.action_refresh),
            ("Help", "Every key", self.app.action_help),
        ]
        if screen.desk.actor.may(Permission.CONFIGURE_REASONS):
            commands.append(("Configuration", "Rejection reasons",
                             partial(screen.action_show_tab, "configuration")))
        return commands

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)

