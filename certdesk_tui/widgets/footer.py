"""The footer of every screen: Textual's, rebuilt only when what it shows changes."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


class DeskFooter(Footer):
    """Textual's ``Footer``, rebuilt only when the keys it shows have changed.

    Textual's footer rebuilds its keys (a widget each, two dozen on the queue) whenever
    the screen's bindings might have changed: focus moved, or the screen asked with
    ``refresh_bindings``, as the desk does after each page and request it shows. Most
    of those times nothing it shows changed; rebuilding anyway cost the desk about a
    tenth of a second before its first frame. Here the keys shown (key, label, action,
    enabled, tooltip, group) are compared first.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(*args, **kwargs)
        self._shown: tuple[object, ...] | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._rebuild_if_changed)

    async def _rebuild_if_changed(self) -> None:
        if self.is_attached and self._keys_shown() != self._shown:
            await self.recompose()

    def compose(self) -> ComposeResult:
        # What is drawn is noted as it is drawn: bindings that change while an earlier
        # rebuild waits for the old keys to go are compared with what is on screen.
        if self._bindings_ready:
            self._shown = self._keys_shown()
        yield from super().compose()

    def _keys_shown(self) -> tuple[object, ...]:
        return tuple(
            (binding.key, self.app.get_key_display(binding), binding.description,
             binding.action, enabled, tooltip, binding.tooltip, id(binding.group))
            for _node, binding, enabled, tooltip in self.screen.active_bindings.values()
            if binding.show)
