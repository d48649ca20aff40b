"""Lists: every list is a page with an opaque cursor, never a silent cap.

A request takes `limit` (1–200, default 50) and the `cursor` of the page before;
the answer is `{"items": [...], "next_cursor": "…" | null}`. A null `next_cursor`
means there is nothing more. A cursor is only valid for the same list and filters;
`aftersales_core.pages.page` builds such a page from a query.
"""

from __future__ import annotations

from functools import cache

from marshmallow import Schema, fields, validate

from .fields import Strict

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class PageQuery(Strict):
    """The paging part of every list's query; a list's own filters extend it."""

    limit = fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"items per page, 1–{MAX_LIMIT}"},
    )
    cursor = fields.String(
        load_default=None,
        validate=validate.Length(max=500),
        metadata={"description": "the `next_cursor` of the page before"},
    )


@cache
def page_of(item: type[Schema]) -> type[Schema]:
    """The page schema of a list of `item` (one class per item schema, for OpenAPI)."""
    name = item.__name__.removesuffix("Out").removesuffix("Schema") + "Page"
    return type(
        name,
        (Schema,),
        {
            "items": fields.List(fields.Nested(item), required=True),
            "next_cursor": fields.String(
                required=True,
                allow_none=True,
                metadata={"description": "pass as `cursor` for the next page; null: no more"},
            ),
        },
    )


__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "PageQuery",
    "page_of",
]
