"""The parts warehouse's rules, free of nameko and SQLAlchemy, one module per area.

Everything here works on plain values so it can be unit-tested in milliseconds:
quantities and money are `Decimal`, never float. Every refusal of the service other
than not-found / forbidden is raised here.
"""

from .catalog import *  # noqa: F403
from .figures import *  # noqa: F403
from .machines import *  # noqa: F403
from .purchasing import *  # noqa: F403
from .requisitions import *  # noqa: F403
from .sales import *  # noqa: F403
from .stock import *  # noqa: F403
from .stocktake import *  # noqa: F403
