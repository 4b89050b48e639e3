"""Page numbers for lists: which slice to load and which links to show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from forum.errors import NotFound
from forum.i18n import gettext

T = TypeVar("T")

MAX_PAGE = 1_000_000


class PageOutOfRange(NotFound):
    """A page number past the last page of a list."""


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, with what the previous/next links need."""

    items: list[T]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def check_page(number: int, per_page: int, total: int) -> None:
    """Refuse a page past the end (page 1 of an empty list is fine)."""
    if number > 1 and (number - 1) * per_page >= total:
        raise PageOutOfRange(gettext("There is no page %(number)s.", number=number))
