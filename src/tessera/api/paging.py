"""Page-number paging as Label Studio does it."""

from __future__ import annotations

from tessera.domain.errors import InvalidInput, NotFound
from tessera.domain.ids import MAX_ROW_ID

MAX_PAGE_SIZE = 10_000


def page_args(page: str | None, page_size: str | None, *, default_size: int = 30) -> tuple[int, int]:
    try:
        p = int(page) if page not in (None, "") else 1
        size = int(page_size) if page_size not in (None, "") else default_size
    except ValueError as exc:
        raise InvalidInput(
            "page and page_size must be integers", field_errors={"page": ["must be an integer"]}
        ) from exc
    if p < 1 or size < 1:
        raise InvalidInput("page and page_size must be at least 1", field_errors={"page": ["must be at least 1"]})
    size = min(size, MAX_PAGE_SIZE)
    if (p - 1) * size > MAX_ROW_ID:  # past any table's end, and past what the drivers bind as an offset
        raise NotFound("Invalid page.")
    return p, size


def page_links(base: str, page: int, size: int, total: int) -> tuple[str | None, str | None]:
    nxt = f"{base}?page={page + 1}&page_size={size}" if page * size < total else None
    prev = f"{base}?page={page - 1}&page_size={size}" if page > 1 else None
    return nxt, prev
