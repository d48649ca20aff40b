"""Keyset pages, cursors and ETags: pure rules, on an in-memory SQLite table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import DateTime, String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from aftersales_core.clock import day_bounds, local_date
from aftersales_core.errors import PreconditionFailed, ValidationFailed
from aftersales_core.etag import IF_MATCH, etag_of, require_match
from aftersales_core.history import apply_changes
from aftersales_core.ids import new_id
from aftersales_core.pages import decode_cursor, encode_cursor, page


class Base(DeclarativeBase):
    pass


class Row(Base):
    __tablename__ = "rows"
    row_id: Mapped[str] = mapped_column(String, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    site: Mapped[str] = mapped_column(String)


@pytest.fixture
def session() -> Session:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        start = datetime(2026, 12, 1, tzinfo=UTC)
        for i in range(25):
            # three rows share each instant: the id must break the tie
            session.add(
                Row(row_id=f"r{i:02d}", created_at=start + timedelta(hours=i // 3), site="a")
            )
        session.commit()
        yield session


def _all_pages(session: Session, limit: int, descending: bool = True) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        got = page(
            session,
            select(Row),
            (Row.created_at, Row.row_id),
            limit=limit,
            cursor=cursor,
            dump=lambda r: r.row_id,
            descending=descending,
        )
        pages.append(got["items"])
        cursor = got["next_cursor"]
        if cursor is None:
            return pages


@pytest.mark.parametrize("limit", [1, 4, 7, 25, 200])
@pytest.mark.parametrize("descending", [True, False])
def test_pages_cover_every_row_once_in_order(
    session: Session, limit: int, descending: bool
) -> None:
    pages = _all_pages(session, limit, descending)
    flat = [item for items in pages for item in items]
    expected = sorted((f"r{i:02d}" for i in range(25)), reverse=descending)
    assert flat == expected
    assert all(len(items) == limit for items in pages[:-1])
    assert len(pages) == -(-25 // limit)


def test_a_cursor_that_is_not_ours_is_a_400(session: Session) -> None:
    for bad in ("!!", "bm90IGpzb24", encode_cursor(["only one"]), encode_cursor([1, 2, 3])):
        with pytest.raises(ValidationFailed) as caught:
            page(session, select(Row), (Row.created_at, Row.row_id), limit=5, cursor=bad, dump=str)
        assert caught.value.code == "INVALID_CURSOR" and "cursor" in caught.value.fields
    assert decode_cursor(encode_cursor(["x", 1]), 2) == ["x", 1]
    with pytest.raises(ValidationFailed):
        page(
            session,
            select(Row),
            (Row.created_at, Row.row_id),
            limit=5,
            cursor=encode_cursor(["not a date", "r01"]),
            dump=str,
        )


def test_etags_follow_the_view_and_if_match_is_checked() -> None:
    view = {"order_id": "ro-1", "status": "open", "lines": [{"amount": "180.00"}]}
    tag = etag_of(view)
    assert tag.startswith('W/"') and tag == etag_of(dict(reversed(view.items())))
    assert etag_of({**view, "status": "approved"}) != tag
    require_match({}, view)  # no If-Match: the caller takes the risk
    require_match({IF_MATCH: tag}, view)
    require_match({IF_MATCH: tag.removeprefix("W/")}, view)
    require_match({IF_MATCH: f'"other", {tag}'}, view)
    require_match({IF_MATCH: "*"}, view)
    with pytest.raises(PreconditionFailed) as caught:
        require_match({IF_MATCH: tag}, {**view, "status": "approved"})
    assert caught.value.status == 412 and caught.value.code == "PRECONDITION_FAILED"


def test_ids_clock_and_history() -> None:
    assert new_id("ro").startswith("ro-") and len(new_id("ro")) == 15
    assert new_id("ro") != new_id("ro")
    late = datetime(2026, 12, 1, 17, 30, tzinfo=UTC)  # 01:30 on the 2nd in Shanghai
    assert local_date(late).isoformat() == "2026-12-02"
    assert local_date(late.replace(tzinfo=None)).isoformat() == "2026-12-02"
    start, end = day_bounds(local_date(late))
    assert start == datetime(2026, 12, 1, 16, tzinfo=UTC) and end - start == timedelta(days=1)

    class Doc:
        status, note = "open", None

    doc = Doc()
    assert apply_changes(doc, {"status": "open", "note": "call back"}) == {
        "note": [None, "call back"]
    }
    assert doc.note == "call back"


def test_search_text_is_matched_literally(session: Session) -> None:
    from aftersales_core.search import contains

    session.add_all(
        [
            Row(row_id="100%_real", created_at=datetime(2026, 1, 1, tzinfo=UTC), site="a"),
            Row(row_id="100x_fake", created_at=datetime(2026, 1, 1, tzinfo=UTC), site="a"),
        ]
    )
    session.flush()

    def found(text: str) -> list[str]:
        return sorted(session.scalars(select(Row.row_id).where(contains(Row.row_id, text))))

    assert found("%") == ["100%_real"]
    assert found("_") == ["100%_real", "100x_fake"]
    assert found("0%_") == ["100%_real"]
    assert found("R00") == ["r00"]  # case-insensitive
    assert found("r_0") == []  # "_" is no wildcard: r00, r10 and r20 do not match
