"""The simulated OEM's decisions, as plain functions of the configuration.

A configuration (JSON) holds, first match wins:

- `warranty.rules`: when a claim matches `when`, `decide` it: `approve`,
  `partly_approve` (with `approve_share`, `approve_amount` or `deduct`, and a
  reason) or `reject` (with a `reason_code`); `old_parts` says whether the old
  parts come back (`return`) or are scrapped (`scrap`);
- `warranty.payment`: approved claims are credited `delay_seconds` later;
- `parts.rules`: per order line, `ship_share` (1 = all, 0 = none) and `delay_days`
  until the promised delivery; `parts.unit_costs` prices the shipped parts;
- `recalls`: recall notices to send at start-up, per group.

`when` may test: claim_type, causal_part_number, labor_operation_code,
part_number, brand, model, vin, dealer_code, group_id, order_kind (lists mean
"any of"), appeal (bool), submission_count (exact), submission_count_min,
submission_count_max, amount_over, amount_at_most (the claimed amount).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
DECISIONS = ("approve", "partly_approve", "reject")
OLD_PART_INSTRUCTIONS = ("return", "scrap", "none")
_TEXT_MATCHERS = (
    "claim_type",
    "causal_part_number",
    "brand",
    "model",
    "vin",
    "dealer_code",
    "group_id",
    "order_kind",
)
_MATCHERS = frozenset(
    {
        *_TEXT_MATCHERS,
        "labor_operation_code",
        "part_number",
        "appeal",
        "submission_count",
        "submission_count_min",
        "submission_count_max",
        "amount_over",
        "amount_at_most",
    }
)


class ConfigError(ValueError):
    """The configuration says something the simulator cannot do."""


def _decimal(value: Any, where: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ConfigError(f"{where}: {value!r} is not a number") from None


@dataclass(frozen=True)
class WarrantyRule:
    when: dict[str, Any]
    decide: str
    reason_code: str | None = None
    reason: str | None = None
    approve_share: Decimal | None = None
    approve_amount: Decimal | None = None
    deduct: Decimal | None = None
    old_parts: str | None = None
    name: str = ""


@dataclass(frozen=True)
class PartsRule:
    when: dict[str, Any]
    ship_share: Decimal = Decimal("1")
    delay_days: int | None = None


@dataclass(frozen=True)
class Config:
    warranty_rules: tuple[WarrantyRule, ...] = ()
    old_parts: str = "scrap"
    decision_delay_seconds: float = 0.0
    payment_enabled: bool = True
    payment_delay_seconds: float = 1.0
    parts_rules: tuple[PartsRule, ...] = ()
    parts_delay_days: int = 2
    notice_delay_seconds: float = 0.0
    unit_costs: dict[str, Decimal] = field(default_factory=dict)
    recalls: tuple[dict[str, Any], ...] = ()
    oem_ids: tuple[str, ...] = ()  # empty: answer for every OEM addressed


def _when(raw: Any, where: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}.when must be an object")
    unknown = set(raw) - _MATCHERS
    if unknown:
        raise ConfigError(f"{where}.when: unknown test(s) {sorted(unknown)}")
    when = dict(raw)
    for key in ("amount_over", "amount_at_most"):
        if key in when:
            when[key] = _decimal(when[key], f"{where}.when.{key}")
    return when


def load_config(raw: dict[str, Any]) -> Config:
    """Check and type a configuration; raise ConfigError naming the faulty place."""
    if not isinstance(raw, dict):
        raise ConfigError("the configuration must be a JSON object")
    warranty = raw.get("warranty", {})
    parts = raw.get("parts", {})
    rules = []
    for index, rule in enumerate(warranty.get("rules", [])):
        where = f"warranty.rules[{index}]"
        decide = rule.get("decide")
        if decide not in DECISIONS:
            raise ConfigError(f"{where}.decide must be one of {DECISIONS}")
        share = rule.get("approve_share")
        amount = rule.get("approve_amount")
        deduct = rule.get("deduct")
        if decide == "partly_approve" and [share, amount, deduct].count(None) != 2:
            raise ConfigError(f"{where}: give one of approve_share, approve_amount or deduct")
        if decide == "reject" and not rule.get("reason_code"):
            raise ConfigError(f"{where}: a rejection needs a reason_code")
        old_parts = rule.get("old_parts")
        if old_parts is not None and old_parts not in OLD_PART_INSTRUCTIONS:
            raise ConfigError(f"{where}.old_parts must be one of {OLD_PART_INSTRUCTIONS}")
        rules.append(
            WarrantyRule(
                when=_when(rule.get("when"), where),
                decide=decide,
                reason_code=rule.get("reason_code"),
                reason=rule.get("reason"),
                approve_share=_decimal(share, f"{where}.approve_share")
                if share is not None
                else None,
                approve_amount=(
                    _decimal(amount, f"{where}.approve_amount") if amount is not None else None
                ),
                deduct=_decimal(deduct, f"{where}.deduct") if deduct is not None else None,
                old_parts=old_parts,
                name=str(rule.get("name", f"rule {index + 1}")),
            )
        )
    parts_rules = []
    for index, rule in enumerate(parts.get("rules", [])):
        where = f"parts.rules[{index}]"
        share = _decimal(rule.get("ship_share", 1), f"{where}.ship_share")
        if not Decimal(0) <= share <= Decimal(1):
            raise ConfigError(f"{where}.ship_share must be between 0 and 1")
        parts_rules.append(PartsRule(_when(rule.get("when"), where), share, rule.get("delay_days")))
    old_parts = warranty.get("old_parts", "scrap")
    if old_parts not in OLD_PART_INSTRUCTIONS:
        raise ConfigError(f"warranty.old_parts must be one of {OLD_PART_INSTRUCTIONS}")
    payment = warranty.get("payment", {})
    recalls = raw.get("recalls", [])
    for index, recall in enumerate(recalls):
        if not recall.get("group_id") or not recall.get("recall_id"):
            raise ConfigError(f"recalls[{index}] needs group_id and recall_id")
    return Config(
        warranty_rules=tuple(rules),
        old_parts=old_parts,
        decision_delay_seconds=float(warranty.get("decision_delay_seconds", 0)),
        payment_enabled=bool(payment.get("enabled", True)),
        payment_delay_seconds=float(payment.get("delay_seconds", 1)),
        parts_rules=tuple(parts_rules),
        parts_delay_days=int(parts.get("delay_days", 2)),
        notice_delay_seconds=float(parts.get("notice_delay_seconds", 0)),
        unit_costs={
            k: _decimal(v, f"parts.unit_costs.{k}") for k, v in parts.get("unit_costs", {}).items()
        },
        recalls=tuple(recalls),
        oem_ids=tuple(raw.get("oem_ids", ())),
    )


def _matches(when: dict[str, Any], facts: dict[str, Any]) -> bool:
    for key, wanted in when.items():
        if key in _TEXT_MATCHERS:
            options = wanted if isinstance(wanted, list) else [wanted]
            if facts.get(key) not in options:
                return False
        elif key in ("labor_operation_code", "part_number"):
            options = set(wanted if isinstance(wanted, list) else [wanted])
            if not options & set(facts.get(key + "s", ())):
                return False
        elif key == "appeal":
            if bool(facts.get("appeal")) != bool(wanted):
                return False
        elif key == "submission_count":
            if facts.get("submission_count") != wanted:
                return False
        elif key == "submission_count_min":
            if (facts.get("submission_count") or 0) < wanted:
                return False
        elif key == "submission_count_max":
            if (facts.get("submission_count") or 0) > wanted:
                return False
        elif key == "amount_over":
            if not facts["amount"] > wanted:
                return False
        elif key == "amount_at_most":
            if not facts["amount"] <= wanted:
                return False
    return True


@dataclass(frozen=True)
class Verdict:
    outcome: str  # approved, partly_approved, rejected (the wire's words)
    approved_amount: Decimal
    reason_code: str | None
    reason: str | None
    old_parts: tuple[dict[str, Any], ...]
    rule: str


def decide(config: Config, claim: dict[str, Any], group_id: str) -> Verdict:
    """The decision on one warranty_claim submission."""
    amount = Decimal(str(claim["claimed_amount"]))
    facts = {
        **{k: claim.get(k) for k in _TEXT_MATCHERS},
        "group_id": group_id,
        "labor_operation_codes": [line["operation_code"] for line in claim.get("labor", [])],
        "part_numbers": [line["part_number"] for line in claim.get("parts", [])],
        "appeal": claim.get("appeal", False),
        "submission_count": claim.get("submission_count"),
        "amount": amount,
    }
    rule = next((r for r in config.warranty_rules if _matches(r.when, facts)), None)
    if rule is None:
        rule = WarrantyRule(when={}, decide="approve", name="default: approve")
    outcome, approved = "approved", amount
    if rule.decide == "reject":
        outcome, approved = "rejected", Decimal("0")
    elif rule.decide == "partly_approve":
        if rule.approve_share is not None:
            approved = (amount * rule.approve_share).quantize(CENT, rounding=ROUND_HALF_UP)
        elif rule.approve_amount is not None:
            approved = rule.approve_amount
        else:
            approved = amount - (rule.deduct or Decimal("0"))
        approved = max(Decimal("0"), approved)
        outcome = "partly_approved" if approved < amount else "approved"
        approved = min(approved, amount)
    instruction = rule.old_parts or config.old_parts
    old_parts: tuple[dict[str, Any], ...] = ()
    if outcome != "rejected" and instruction != "none":
        old_parts = tuple(
            {"line_no": line["line_no"], "instruction": instruction}
            for line in claim.get("parts", [])
        )
    keep_reason = outcome != "approved"
    return Verdict(
        outcome=outcome,
        approved_amount=approved.quantize(CENT),
        reason_code=rule.reason_code if keep_reason else None,
        reason=rule.reason if keep_reason else None,
        old_parts=old_parts,
        rule=rule.name,
    )


@dataclass(frozen=True)
class Shipment:
    lines: tuple[dict[str, Any], ...]
    expected_at: date


def ship(config: Config, order: dict[str, Any], today: date) -> Shipment | None:
    """What is shipped against a parts_order: per line, the first rule that matches.

    A line shipped short ships what the share allows (in the quantity's own
    precision, rounded down); a line shipped not at all is left out; an order
    with nothing shipped gets no notice.
    """
    lines = []
    delays = []
    for line in order["lines"]:
        facts = {
            "part_numbers": [line["part_number"]],
            "dealer_code": order.get("dealer_code"),
            "order_kind": order.get("order_kind"),
        }
        rule = next((r for r in config.parts_rules if _matches(r.when, facts)), PartsRule({}))
        quantity = Decimal(str(line["quantity"]))
        shipped = (quantity * rule.ship_share).quantize(
            Decimal(1).scaleb(quantity.as_tuple().exponent), rounding=ROUND_DOWN
        )
        if shipped <= 0:
            continue
        cost = config.unit_costs.get(line["part_number"])
        lines.append(
            {
                "line_no": line["line_no"],
                "part_number": line["part_number"],
                "quantity_shipped": str(shipped),
                "unit_cost": str(cost.quantize(CENT)) if cost is not None else None,
            }
        )
        delays.append(rule.delay_days if rule.delay_days is not None else config.parts_delay_days)
    if not lines:
        return None
    return Shipment(tuple(lines), today + timedelta(days=max(delays)))
