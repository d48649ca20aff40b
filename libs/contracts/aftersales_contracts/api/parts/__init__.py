"""The parts warehouse's API shapes: what its RPCs load and dump, what the gateway documents.

Names that another service might also use start with "Parts" (the OpenAPI document has
one namespace for every schema). The codes a client sends or reads (statuses, kinds,
movements, reasons) and the role sets live here too (`common`): the parts domain imports
them and the gateway's route rows use the same role sets. One module per business area.
"""

from .catalog import *  # noqa: F403
from .common import *  # noqa: F403
from .purchasing import *  # noqa: F403
from .requisitions import *  # noqa: F403
from .sales import *  # noqa: F403
from .stock import *  # noqa: F403
