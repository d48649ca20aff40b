"""A stand-in OEM for aftersales: decides warranty claims, credits them, ships parts
orders and sends recalls, by configurable rules, on the `aftersales.oem` exchange."""
