"""The adapters without a database: views dumped through the documented shapes, event
payloads against their contracts, pages of lists worked out in Python."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from aftersales_contracts import validate_payload
from aftersales_contracts.api.customer_care import ComplaintDetailOut, FollowupDetailOut
from aftersales_core.envelope import to_primitives
from aftersales_core.errors import ValidationFailed
from aftersales_customer_care import adapters
from aftersales_customer_care.models import (
    ArchiveCustomer,
    ComplaintEscalation,
    ComplaintHistory,
    ComplaintRow,
    Followup,
    FollowupAttempt,
)

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def followup(**changes: object) -> Followup:
    values: dict[str, object] = {
        "followup_id": "fu-1",
        "group_id": "grp",
        "site_id": "site-a",
        "order_id": "ro-1",
        "order_number": "A-1",
        "customer_id": "cus-1",
        "vehicle_id": "veh-1",
        "vin": "LSVAL618RA0000001",
        "plate": None,
        "customer_class": "member",
        "mandatory": True,
        "agent_id": None,
        "service_advisor_id": "sa.1",
        "delivered_at": (NOW - timedelta(hours=30)).replace(tzinfo=None),  # naive, as SQLite
        "due_at": NOW - timedelta(hours=6),
        "deadline": NOW + timedelta(hours=42),
        "status": "done",
        "attempts": 1,
        "next_attempt_at": None,
        "done_at": NOW,
        "satisfaction": "satisfied",
        "scores": {"advisor": 9},
        "would_recommend": 10,
        "survey_index": Decimal("90.0"),
        "comment": None,
        "complaint_id": None,
    }
    values.update(changes)
    return Followup(**values)


def complaint_row(**changes: object) -> ComplaintRow:
    values: dict[str, object] = {
        "complaint_id": "cmp-1",
        "group_id": "grp",
        "site_id": "site-a",
        "customer_id": None,
        "customer_name": "王先生",
        "phone": None,
        "vehicle_id": None,
        "order_id": None,
        "followup_id": None,
        "channel": "phone",
        "source": "staff",
        "description": "等太久",
        "category": "waiting_time",
        "at_risk": False,
        "received_at": NOW - timedelta(days=2),
        "registered_at": NOW - timedelta(days=2),
        "registered_by": "sa.1",
        "acknowledge_by": NOW - timedelta(days=1),
        "resolve_by": NOW + timedelta(days=5),
        "acknowledged_at": None,
        "status": "registered",
        "valid": None,
        "department": "workshop",
        "responsible_person": None,
        "findings": None,
        "solutions": [{"number": 1, "description": "道歉", "cost": "20.00"}],
        "approved_solution": None,
        "approved_by": None,
        "customer_accepted": None,
        "customer_satisfied": None,
        "classification": None,
        "summary": None,
        "closed_at": None,
        "closed_by": None,
        "escalation_level": 1,
    }
    values.update(changes)
    return ComplaintRow(**values)


def test_a_follow_up_view_is_its_documented_shape() -> None:
    attempt = FollowupAttempt(
        number=1, at=NOW, by="cca.1", outcome="reached", satisfaction="satisfied",
        at_risk=False, callback_at=None, comment=None,
    )  # fmt: skip
    customer = ArchiveCustomer(customer_id="cus-1", name="张伟", phones=["139"])
    view = adapters.followup_view(followup(), customer, NOW, [attempt])
    assert view["delivered_at"].tzinfo is not None
    assert (view["within_72h"], view["overdue"]) == (True, False)
    out = FollowupDetailOut().dump(view)
    assert out["survey_index"] == "90.0" and out["scores"] == {"advisor": 9}
    assert out["delivered_at"] == "2026-11-29T20:00:00+00:00"
    late = adapters.followup_view(
        followup(status="open", done_at=None, deadline=NOW - timedelta(minutes=1)), None, NOW
    )
    assert (late["overdue"], late["within_72h"], late["phones"]) == (True, None, [])
    assert "attempt_log" not in late


def test_a_complaint_view_is_its_documented_shape() -> None:
    row = complaint_row()
    history = [ComplaintHistory(at=NOW, by="sa.1", action="register", from_status=None,
                                to_status="registered", details={"channel": "phone"})]  # fmt: skip
    escalations = [ComplaintEscalation(level=1, reason="acknowledge_overdue",
                                       escalated_to="customer_care_manager", note=None,
                                       at=NOW, by="system")]  # fmt: skip
    out = ComplaintDetailOut().dump(adapters.complaint_detail_view(row, history, escalations, NOW))
    assert out["overdue"] == ["acknowledge_overdue"]
    assert out["solutions"] == [{"number": 1, "description": "道歉", "cost": "20.00"}]
    assert out["history"][0]["from_status"] is None
    assert out["escalations"][0]["escalated_to"] == "customer_care_manager"


def test_event_payloads_keep_their_contracts() -> None:
    due = followup(status="open", done_at=None, next_attempt_at=NOW)
    validate_payload("followup_due", to_primitives(adapters.followup_due_payload(due)))
    done = adapters.followup_done_payload(followup(), NOW, "cca.1")
    assert done["outcome"] == "reached" and done["within_72h"] is True
    validate_payload("followup_done", to_primitives(done))
    gone = adapters.followup_done_payload(followup(status="unreachable"), NOW, "cca.1")
    assert gone["outcome"] == "unreachable" and gone["within_72h"] is False
    row = complaint_row()
    validate_payload(
        "complaint_raised", to_primitives(adapters.complaint_raised_payload(row, True))
    )
    escalated = adapters.complaint_escalated_payload(row, "manual", "hq_manager", "x", "u", NOW)
    validate_payload("complaint_escalated", to_primitives(escalated))
    closed = complaint_row(status="closed", valid=True, classification="waiting_time",
                           summary="已解决", closed_at=NOW, closed_by="ccm.1")  # fmt: skip
    payload = adapters.complaint_closed_payload(closed, "ccm.1", NOW)
    assert payload["within_deadline"] is True
    validate_payload("complaint_closed", to_primitives(payload))


def test_pages_worked_out_in_python() -> None:
    items = [{"id": f"v{n}", "visits": n % 3} for n in range(7)]

    def key(item: dict[str, object]) -> tuple[object, ...]:
        return (-int(item["visits"]), item["id"])  # type: ignore[call-overload]

    seen, cursor = [], None
    while True:
        got = adapters.page_in_memory(items, key, size=2, limit=3, cursor=cursor)
        seen += [i["id"] for i in got["items"]]
        cursor = got["next_cursor"]
        if cursor is None:
            break
    assert seen == ["v2", "v5", "v1", "v4", "v0", "v3", "v6"]
    last = adapters.page_in_memory(items, key, size=2, limit=7, cursor=None)
    assert last["next_cursor"] is None and len(last["items"]) == 7
    assert adapters.page_in_memory([], key, size=2, limit=3, cursor=None) == {
        "items": [],
        "next_cursor": None,
    }
    with pytest.raises(ValidationFailed) as caught:
        adapters.page_in_memory(items, key, size=2, limit=3, cursor="bm90LWEtY3Vyc29y")
    assert caught.value.code == "INVALID_CURSOR"


def test_an_attempt_is_written_as_the_rules_decided() -> None:
    from aftersales_customer_care.domain import AttemptResult

    open_ = followup(status="open", attempts=0, done_at=None, satisfaction=None, scores={},
                     would_recommend=None, survey_index=None)  # fmt: skip
    fields = {"outcome": "not_reached", "satisfaction": None, "scores": {}, "comment": "忙",
              "would_recommend": None, "at_risk": False, "callback_at": None}  # fmt: skip
    retry = AttemptResult("open", 1, NOW + timedelta(hours=2), False, False)
    adapters.apply_attempt(open_, retry, fields, None, NOW, "cca.1")
    assert (open_.status, open_.attempts, open_.done_at) == ("open", 1, None)
    assert open_.next_attempt_at == NOW + timedelta(hours=2) and open_.comment is None
    reached = {**fields, "outcome": "reached", "satisfaction": "neutral", "scores": {"timing": 7}}
    adapters.apply_attempt(
        open_, AttemptResult("done", 2, None, False, False), reached, Decimal("70.0"), NOW, "u"
    )
    assert (open_.status, open_.done_at, open_.done_by) == ("done", NOW, "u")
    assert (open_.satisfaction, open_.scores, open_.survey_index) == (
        "neutral",
        {"timing": 7},
        Decimal("70.0"),
    )
    row = adapters.attempt_row(open_, 2, reached, NOW, "u")
    assert (row.number, row.outcome, row.comment) == (2, "reached", "忙")
