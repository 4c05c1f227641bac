"""Every key-bound action of the desk, declared once.

The domain says who may run a processing action and when it applies
(``workflow.REQUEST_ACTIONS``); this registry says how the desk presents each
action: its default keys, its label in the desk's words, its help text, the
tab it belongs to, whether the footer shows it and, for a processing action,
the flow that runs it (a processing action's presentation is declared on its
flow class, so a new action is a domain entry, a service function and a flow).
The bindings of every screen and widget, the footer, the ``?`` help, the command
palette and ``check_action`` are generated from it, so a keymap entry (by the
action's id) moves the key everywhere at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from textual.binding import Binding, BindingType

from certdesk_tui.domain.permissions import Permission
from certdesk_tui.screens.flows import PROCESSING_FLOWS, Flow


class Owner(StrEnum):
    """Where an action's binding lives (which node runs it)."""

    APP = "app"
    DASHBOARD = "dashboard"
    TABLE = "table"
    REASONS = "reasons"
    RENEWALS = "renewals"
    DIALOGS = "dialogs"  # every dialog's own key: listed in the help, bound by each dialog


class Section(StrEnum):
    """The help's sections, in the order it shows them."""

    PROCESS = "Process the selected request"
    QUEUE = "Queue"
    CONFIGURATION = "Configuration tab (managers)"
    EVERYWHERE = "Everywhere"


CERTIFICATES = "certificates"
RENEWALS = "renewals"
INSIGHTS = "insights"
CONFIGURATION = "configuration"


@dataclass(frozen=True)
class DeskAction:
    """One key-bound action of the desk."""

    id: str
    """The binding id and the keymap id (and, for processing, the domain's action id)."""
    keys: str
    """Default keys, comma separated, in Textual's names (``question_mark``)."""
    label: str
    """The action in the desk's words (the palette's name for it)."""
    help: str
    """What it does, in a line (the help screen, the palette, the tooltip)."""
    section: Section
    owner: Owner
    action: str = ""
    """The Textual action its binding runs (default: the id)."""
    tab: str | None = None
    """The tab the action works on; ``None``: every tab."""
    footer: str | None = None
    """The footer's short label; ``None``: not in the footer."""
    palette: bool = True
    permission: Permission | None = None
    """Who sees it at all (help, palette); processing actions ask the domain instead."""
    flow: type[Flow[Any, Any, Any]] | None = None
    priority: bool = False

    @property
    def textual_action(self) -> str:
        return self.action or self.id

    @property
    def processing(self) -> bool:
        return self.flow is not None

    def binding(self) -> Binding:
        return Binding(self.keys, self.textual_action, self.footer or self.label,
                       show=self.footer is not None, tooltip=self.help, id=self.id,
                       priority=self.priority)


def _process(flow: type[Flow[Any, Any, Any]]) -> DeskAction:
    """A processing action as its flow class presents it."""
    return DeskAction(flow.action_id, flow.key, flow.label, flow.help, Section.PROCESS,
                      Owner.DASHBOARD, action=f"request_action('{flow.action_id}')",
                      tab=CERTIFICATES, footer=flow.footer, flow=flow)


DESK_ACTIONS: tuple[DeskAction, ...] = (
    *(_process(flow) for flow in PROCESSING_FLOWS),
    DeskAction("new_request", "i", "New internal request",
               "New internal request: a customer who phoned or emailed", Section.QUEUE,
               Owner.DASHBOARD, tab=CERTIFICATES, permission=Permission.PROCESS),
    DeskAction("preview", "enter,p", "Preview request",
               "Preview: everything the customer submitted and what the system found",
               Section.QUEUE, Owner.DASHBOARD, tab=CERTIFICATES),
    # A priority binding: run as it arrives, so the keys typed right behind it search.
    DeskAction("search", "slash", "Search customers", "Search by customer name or code",
               Section.QUEUE, Owner.DASHBOARD, tab=CERTIFICATES, footer="Search",
               priority=True),
    DeskAction("filters", "f", "Filters", "Filters: status, type, brand, channel, manual, mine",
               Section.QUEUE, Owner.DASHBOARD, tab=CERTIFICATES, footer="Filters"),
    DeskAction("clear_filters", "c", "Clear filters",
               "Clear every filter and the search (New + In Progress, oldest first)",
               Section.QUEUE, Owner.DASHBOARD, tab=CERTIFICATES),
    DeskAction("sort", "s", "Sort by the next column", "Sort by the next column",
               Section.QUEUE, Owner.DASHBOARD, tab=CERTIFICATES),
    DeskAction("reverse_sort", "S", "Reverse sort", "Reverse the order (oldest / newest first)",
               Section.QUEUE, Owner.DASHBOARD, tab=CERTIFICATES),
    DeskAction("next_page", "right_square_bracket", "Next page", "Next page of the queue",
               Section.QUEUE, Owner.DASHBOARD, action="page(1)", tab=CERTIFICATES),
    DeskAction("previous_page", "left_square_bracket", "Previous page",
               "Previous page of the queue", Section.QUEUE, Owner.DASHBOARD,
               action="page(-1)", tab=CERTIFICATES),
    DeskAction("mark", "space", "Mark or unmark request",
               "Mark or unmark the selected request, then the next row: m, x, w and n act "
               "on every marked request", Section.QUEUE, Owner.DASHBOARD, tab=CERTIFICATES,
               permission=Permission.PROCESS),  # marks are for processing keys only
    DeskAction("mark_all", "asterisk", "Mark every request of the result",
               "Mark every request of the result (at most 500); with marks, clear them",
               Section.QUEUE, Owner.DASHBOARD, tab=CERTIFICATES,
               permission=Permission.PROCESS),
    *(DeskAction(f"view_{n}", str(n), f"Saved view {n}",
                 "Saved views 1 to 9: show the queue as the view keeps it (its filters, "
                 "search and sort)", Section.QUEUE, Owner.DASHBOARD,
                 action=f"switch_view({n})", tab=CERTIFICATES)
      for n in range(1, 10)),
    DeskAction("save_view", "V", "Save the filters as a view",
               "Save the current filters, search and sort as a named view (digits 1 to 9 "
               "switch to it)", Section.QUEUE, Owner.DASHBOARD, tab=CERTIFICATES,
               permission=Permission.SAVE_VIEWS),
    DeskAction("cursor_down", "down", "Next row", "Next row (past the last: the next page)",
               Section.QUEUE, Owner.TABLE, palette=False),
    DeskAction("cursor_up", "up", "Previous row",
               "Previous row (past the first: the previous page)", Section.QUEUE, Owner.TABLE,
               palette=False),
    DeskAction("refresh", "r", "Refresh", "Refresh: reload the queue now", Section.QUEUE,
               Owner.DASHBOARD),
    DeskAction("leave_search", "escape", "Back to the table",
               "From the search box back to the table", Section.QUEUE, Owner.DASHBOARD,
               palette=False),
    DeskAction("focus_next", "tab", "Next pane",
               "Focus the next pane: table, notes & activities panel, search box",
               Section.QUEUE, Owner.DASHBOARD, action="focus_pane(1)", palette=False),
    DeskAction("focus_previous", "shift+tab", "Previous pane",
               "Focus the previous pane: search box, notes & activities panel, table",
               Section.QUEUE, Owner.DASHBOARD, action="focus_pane(-1)", palette=False),
    DeskAction("next_tab", "t", "Next tab",
               "Next tab: Certificates, Renewals, Insights, Configuration (managers), in turn",
               Section.EVERYWHERE, Owner.DASHBOARD, action="next_tab(1)", palette=False),
    DeskAction("previous_tab", "T", "Previous tab", "Previous tab, in the same order",
               Section.EVERYWHERE, Owner.DASHBOARD, action="next_tab(-1)", palette=False),
    DeskAction("certificates_tab", "", "Certificates tab", "Certificates tab: the queue",
               Section.EVERYWHERE, Owner.DASHBOARD, action="show_tab('certificates')"),
    DeskAction("renewals_tab", "", "Renewals tab",
               "Renewals tab: certificates whose policy has a new term", Section.EVERYWHERE,
               Owner.DASHBOARD, action="show_tab('renewals')"),
    DeskAction("renew", "R", "Renew certificate",
               "Renewals tab: renew the selected certificate (a new revision, the new term)",
               Section.QUEUE, Owner.RENEWALS, tab=RENEWALS, footer="Renew",
               permission=Permission.PROCESS),
    DeskAction("renew_all", "A", "Renew every renewable certificate",
               "Renewals tab: renew every renewable certificate (asks first)",
               Section.QUEUE, Owner.RENEWALS, tab=RENEWALS, footer="Renew all",
               permission=Permission.PROCESS),
    DeskAction("insights_tab", "", "Insights tab",
               "Insights tab: the queue's health (pending by age, closed per day and per "
               "person, overdue)", Section.EVERYWHERE, Owner.DASHBOARD,
               action="show_tab('insights')"),
    DeskAction("configuration_tab", "", "Configuration tab",
               "Configuration tab: rejection reasons", Section.CONFIGURATION, Owner.DASHBOARD,
               action="show_tab('configuration')", permission=Permission.CONFIGURE_REASONS),
    DeskAction("add_reason", "plus,insert", "Add rejection reason", "Add a rejection reason",
               Section.CONFIGURATION, Owner.REASONS, tab=CONFIGURATION, footer="Add reason",
               permission=Permission.CONFIGURE_REASONS),
    DeskAction("rename_reason", "e,f2", "Rename rejection reason",
               "Rename the selected rejection reason", Section.CONFIGURATION, Owner.REASONS,
               tab=CONFIGURATION, footer="Rename", permission=Permission.CONFIGURE_REASONS),
    DeskAction("retire_reason", "d,delete", "Retire rejection reason",
               "Retire the selected reason (it stays on the requests it closed)",
               Section.CONFIGURATION, Owner.REASONS, tab=CONFIGURATION, footer="Retire",
               permission=Permission.CONFIGURE_REASONS),
    DeskAction("help", "question_mark", "Help", "Help: every key", Section.EVERYWHERE,
               Owner.APP, footer="Help"),
    DeskAction("command_palette", "ctrl+p", "Command palette",
               "Command palette: every action by its name or its key", Section.EVERYWHERE,
               Owner.APP, palette=False, priority=True),
    DeskAction("quit", "q", "Quit", "Quit certdesk", Section.EVERYWHERE, Owner.APP),
    DeskAction("close_dialog", "escape", "Close a dialog",
               "Close a dialog without changing anything", Section.EVERYWHERE, Owner.DIALOGS,
               palette=False),
)

ACTIONS_BY_ID: Mapping[str, DeskAction] = {a.id: a for a in DESK_ACTIONS}
PROCESSING_ACTIONS: tuple[DeskAction, ...] = tuple(a for a in DESK_ACTIONS if a.processing)
TABS_BY_METHOD: Mapping[str, str | None] = {
    a.textual_action.partition("(")[0]: a.tab for a in DESK_ACTIONS if not a.processing
}
"""The tab each non-processing action works on, by the name of its action method."""


def bindings_for(owner: Owner) -> list[BindingType]:
    """The bindings of one screen or widget, each with its action's id."""
    # An action without a key of its own (a tab by its name) is in the palette only.
    return [a.binding() for a in DESK_ACTIONS if a.owner is owner and a.keys]


def flow_for(action_id: str) -> type[Flow[Any, Any, Any]]:
    flow = ACTIONS_BY_ID[action_id].flow
    if flow is None:
        raise KeyError(f"{action_id} is not a processing action")
    return flow


def keys_of(action: DeskAction, keymap: Mapping[str, str]) -> list[str]:
    """The action's keys after the user's keymap (Textual's key names).

    A dialog's own keys (escape closes it) are not remappable: each dialog binds them.
    """
    keys = (None if action.owner is Owner.DIALOGS else keymap.get(action.id)) or action.keys
    return [k.strip() for k in keys.split(",") if k.strip()]


def visible_to(actions: Iterable[DeskAction],
               may: Callable[[Permission], bool]) -> list[DeskAction]:
    """The actions a user with ``may(permission)`` is offered at all."""
    return [a for a in actions if a.permission is None or may(a.permission)]
