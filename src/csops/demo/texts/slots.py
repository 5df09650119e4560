"""Template fields that are drawn only when a template asks for them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from csops.demo.dice import Dice


class Slots(dict[str, str]):
    """A mapping for `str.format_map`: fixed values, plus values drawn on first use and then
    kept, so a ticket mentions the same integration in every message about it.

    A missing field is picked from `choices` if listed there, else made by `draw`."""

    def __init__(
        self,
        dice: Dice,
        fixed: Mapping[str, str],
        choices: Mapping[str, Sequence[str]],
        draw: Mapping[str, Callable[[], str]],
    ) -> None:
        super().__init__(fixed)
        self._dice = dice
        self._choices = choices
        self._draw = draw

    def __missing__(self, key: str) -> str:
        options = self._choices.get(key)
        value = self._dice.pick(options) if options is not None else self._draw[key]()
        self[key] = value
        return value
