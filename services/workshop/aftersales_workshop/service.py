"""Workshop's nameko service: the areas of the workshop's day joined in one class.

Each area is a mixin of thin RPCs that load, ask `domain`, save and publish:
people and the dispatch board (`board`), the technician's time (`clocking`),
additional work (`additional_work`), quality control (`qc`), attendance and
capacity (`capacity`), figures and comebacks (`figures`), and the events and timer
that build the workshop's view of each RO (`handlers`). Shared helpers: `base`.
"""

from __future__ import annotations

from .additional_work import AdditionalWorkFound
from .base import WorkshopBase
from .board import Board
from .capacity import Capacity
from .figures import Figures
from .handlers import Handlers
from .qc import QualityControl


class WorkshopService(
    Board, AdditionalWorkFound, QualityControl, Capacity, Figures, Handlers, WorkshopBase
):
    """The workshop: technicians, teams, dispatch, clock on/off, QC, rework, figures."""

    name = "workshop"
