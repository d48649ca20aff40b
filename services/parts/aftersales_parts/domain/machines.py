"""The life of each parts document: which action is allowed in which state."""

from __future__ import annotations

from aftersales_core.errors import Conflict

# document -> {action: (from states, to state)}
MACHINES: dict[str, dict[str, tuple[tuple[str, ...], str]]] = {
    "purchase_order": {
        "send": (("draft",), "sent"),
        "receive_part": (("sent", "partly_received"), "partly_received"),
        "receive_all": (("sent", "partly_received"), "received"),
        "cancel": (("draft", "sent"), "cancelled"),
        "close": (("partly_received",), "closed"),
    },
    "transfer": {
        "ship": (("requested",), "shipped"),
        "reject": (("requested",), "rejected"),
        "cancel": (("requested",), "cancelled"),
        "receive": (("shipped",), "received"),
    },
    "stocktake": {
        "count": (("counting",), "counting"),
        "submit": (("counting",), "counted"),
        "recount": (("counted",), "counting"),
        "approve": (("counted",), "approved"),
    },
    "counter_sale": {
        "arrive": (("waiting",), "ready"),
        "short": (("waiting", "ready"), "waiting"),  # a loss took a reserved part
        "complete": (("ready",), "completed"),
        "cancel": (("waiting", "ready"), "cancelled"),
    },
    "supplier_claim": {
        "accept": (("submitted",), "accepted"),
        "reject": (("submitted",), "rejected"),
    },
}


def transition(document: str, current: str, action: str) -> str:
    """The next state, or a 409 ILLEGAL_TRANSITION naming what was tried."""
    allowed, target = MACHINES[document][action]
    if current not in allowed:
        raise Conflict(
            f"cannot {action.replace('_', ' ')} a {document.replace('_', ' ')} "
            f"that is {current.replace('_', ' ')}",
            "ILLEGAL_TRANSITION",
            {"status": [current]},
        )
    return target
