"""Paginating big tables without counting them whole."""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedPage(Page):
    """A page of a capped paginator: past the cap, "is there a next page" is read from the rows."""

    more = False

    def has_next(self):
        return self.more if self.paginator.capped else super().has_next()


class CappedPaginator(Paginator):
    """A Paginator that counts at most `cap` rows (`SELECT COUNT(*) FROM (... LIMIT cap + 1)`).

    Past the cap, `count` is `cap` and `capped` is True: every page stays reachable (one row
    more than a page is read to know whether another follows) and the list says "more than cap"
    instead of scanning a million rows to print an exact figure.
    """

    def __init__(self, object_list, per_page, *, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def _bounded_count(self) -> int:
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._bounded_count, self.cap)

    @cached_property
    def capped(self) -> bool:
        return self._bounded_count > self.cap

    def validate_number(self, number):
        if not self.capped:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number):
        number = self.validate_number(number)
        if not self.capped:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        page = self._get_page(rows[: self.per_page], number, self)
        page.more = len(rows) > self.per_page
        return page

    def _get_page(self, *args, **kwargs):
        return CappedPage(*args, **kwargs)
