"""Timers whose period comes from the config or the environment at set-up, so a
test can run a sweep every fraction of a second and an operator can slow it down."""

from __future__ import annotations

import os
from typing import Any

from nameko.timer import Timer


def setting(config: dict[str, Any], key: str, default: float) -> float:
    """A number from the container config, else the environment, else `default`."""
    value = config.get(key, os.environ.get(key))
    return default if value in (None, "") else float(value)


class ConfiguredTimer(Timer):
    """nameko's timer with its interval read from `setting_key` at set-up."""

    def __init__(self, setting_key: str, default_seconds: float, **kwargs: Any) -> None:
        self.setting_key = setting_key
        super().__init__(interval=default_seconds, **kwargs)

    def setup(self) -> None:
        self.interval = setting(self.container.config, self.setting_key, self.interval)
        super().setup()


configured_timer = ConfiguredTimer.decorator
