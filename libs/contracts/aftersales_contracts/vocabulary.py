"""The business vocabulary, spelled once: every service, event, API field, the console
and the docs use these codes. Each term carries its Chinese and English label (the
glossary of `docs/domain.md`); `/api/v1/vocabulary` serves them to clients.

A service keeps vocabulary that only it knows in its own domain; a term that crosses a
service boundary (an event, another service's API, the console) lives here.
"""

from __future__ import annotations

Terms = dict[str, tuple[str, str]]  # code -> (中文, English)

PAYER_TERMS: Terms = {
    "customer": ("客户付费", "customer"),
    "warranty": ("保修索赔", "warranty"),
    "insurance": ("保险理赔", "insurance"),
    "internal": ("内部", "internal"),
}
ORDER_TYPE_TERMS: Terms = {
    "maintenance": ("保养", "maintenance"),
    "repair": ("维修", "repair"),
    "warranty": ("保修", "warranty"),
    "accident": ("事故", "accident"),
    "internal": ("内部", "internal"),
}
CUSTOMER_CLASS_TERMS: Terms = {
    "member": ("会员客户", "member"),
    "regular": ("普通客户", "regular"),
    "fleet": ("集团/车队客户", "fleet"),
}
OLD_PART_DISPOSITION_TERMS: Terms = {
    "return_to_customer": ("旧件交还客户", "return to customer"),
    "scrap": ("旧件报废", "scrap"),
    "keep_for_warranty": ("保留待索赔", "keep for warranty"),
}
COMPLAINT_CLASSIFICATION_TERMS: Terms = {
    "repair_quality": ("维修质量", "repair quality"),
    "comeback": ("返修", "comeback"),
    "service_attitude": ("服务态度", "service attitude"),
    "waiting_time": ("等待时间", "waiting time"),
    "price": ("价格", "price"),
    "parts": ("配件", "parts"),
    "warranty": ("保修", "warranty"),
    "facility": ("设施环境", "facility"),
    "communication": ("沟通", "communication"),
    "other": ("其他", "other"),
}
CLAIM_TYPE_TERMS: Terms = {
    "ordinary": ("普通索赔", "ordinary"),
    "first_maintenance": ("首次免费保养", "first free maintenance"),
    "campaign": ("召回/服务行动", "campaign"),
    "goodwill": ("善意维修", "goodwill"),
}
LINE_KIND_TERMS: Terms = {
    "labor": ("工时", "labor"),
    "part": ("配件", "part"),
    "sublet": ("外加工", "sublet"),
    "misc": ("其他", "misc"),
}
PAYMENT_METHOD_TERMS: Terms = {
    "cash": ("现金", "cash"),
    "bank_card": ("银行卡", "bank card"),
    "wechat_pay": ("微信支付", "WeChat Pay"),
    "alipay": ("支付宝", "Alipay"),
    "transfer": ("转账", "bank transfer"),
    "membership_card": ("会员卡", "membership card"),
}

PAYERS = tuple(PAYER_TERMS)
ORDER_TYPES = tuple(ORDER_TYPE_TERMS)
CUSTOMER_CLASSES = tuple(CUSTOMER_CLASS_TERMS)
OLD_PART_DISPOSITIONS = tuple(OLD_PART_DISPOSITION_TERMS)
COMPLAINT_CLASSIFICATIONS = tuple(COMPLAINT_CLASSIFICATION_TERMS)
CLAIM_TYPES = tuple(CLAIM_TYPE_TERMS)
LINE_KINDS = tuple(LINE_KIND_TERMS)
PAYMENT_METHODS = tuple(PAYMENT_METHOD_TERMS)

VOCABULARY: dict[str, Terms] = {
    "payer": PAYER_TERMS,
    "order_type": ORDER_TYPE_TERMS,
    "customer_class": CUSTOMER_CLASS_TERMS,
    "old_part_disposition": OLD_PART_DISPOSITION_TERMS,
    "complaint_classification": COMPLAINT_CLASSIFICATION_TERMS,
    "claim_type": CLAIM_TYPE_TERMS,
    "line_kind": LINE_KIND_TERMS,
    "payment_method": PAYMENT_METHOD_TERMS,
}


def as_json() -> dict[str, list[dict[str, str]]]:
    """The vocabulary as the API serves it: per term set, code with both labels."""
    return {
        name: [{"code": code, "zh": zh, "en": en} for code, (zh, en) in terms.items()]
        for name, terms in VOCABULARY.items()
    }
