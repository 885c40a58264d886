"""Places on a lower area's pages where a higher area adds its partial, by registration.

A forum topic shows the moderator tools and the editor's capture button without the
forum's templates naming either area: moderation and the editor register their
partials for a slot when their blueprint is registered, and the page includes
whatever its slot holds (``{% for partial in slot_partials("topic_tools") %}``).
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app

EXTENSION_KEY = "page_slots"


def add_to_slot(blueprint: Blueprint, slot: str, template: str) -> None:
    """Include `template` in `slot` on every page of the app `blueprint` is registered on."""

    def register(state) -> None:
        slots = state.app.extensions.setdefault(EXTENSION_KEY, {})
        slots.setdefault(slot, []).append(template)

    blueprint.record_once(register)


def slot_partials(slot: str) -> tuple[str, ...]:
    """The templates registered for `slot`, in registration order."""
    return tuple(current_app.extensions.get(EXTENSION_KEY, {}).get(slot, ()))


def init_page_slots(app: Flask) -> None:
    app.add_template_global(slot_partials)
