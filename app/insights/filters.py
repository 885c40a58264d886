"""The date range, locale and category every insights page and export is computed over."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext

DEFAULT_DAYS = 28
MAX_DAYS = 3 * 366
EARLIEST = date(2000, 1, 1)


class FilterError(ValueError):
    """A filter that cannot be used; the message is shown to the user as is."""


@dataclass(frozen=True)
class Filters:
    start: date
    end: date  # inclusive
    locale: str | None = None
    category: str | None = None

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def as_args(self) -> dict[str, str]:
        """Query-string arguments that rebuild these filters (for links and exports)."""
        args = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.locale:
            args["locale"] = self.locale
        if self.category:
            args["category"] = self.category
        return args


def default_filters(today: date) -> Filters:
    return Filters(start=today - timedelta(days=DEFAULT_DAYS - 1), end=today)


def _parse_date(raw: str, label: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise FilterError(
            _("%(field)s is not a date; use the form YYYY-MM-DD.", field=label)
        ) from None


def parse_filters(
    args: Mapping[str, str],
    today: date,
    locales: Iterable[str],
    categories: Iterable[str],
) -> Filters:
    """Validate query-string filters; unknown extra parameters are ignored."""
    default = default_filters(today)
    raw_start = (args.get("start") or "").strip()
    raw_end = (args.get("end") or "").strip()
    end = _parse_date(raw_end, _("End date")) if raw_end else default.end
    if raw_start:
        start = _parse_date(raw_start, _("Start date"))
    else:
        start = max(end - timedelta(days=DEFAULT_DAYS - 1), EARLIEST)
    if start > end:
        raise FilterError(_("The start date is after the end date."))
    if start < EARLIEST or end > today + timedelta(days=1):
        raise FilterError(
            _(
                "Choose dates between %(earliest)s and today.",
                earliest=EARLIEST.isoformat(),
            )
        )
    end = min(end, today)
    if (end - start).days + 1 > MAX_DAYS:
        raise FilterError(
            ngettext(
                "Choose a range of at most %(num)d day.",
                "Choose a range of at most %(num)d days.",
                MAX_DAYS,
            )
        )
    locale = (args.get("locale") or "").strip() or None
    if locale is not None and locale not in set(locales):
        raise FilterError(_("Unknown language."))
    category = (args.get("category") or "").strip() or None
    if category is not None and category not in set(categories):
        raise FilterError(_("Unknown category."))
    return Filters(start=start, end=end, locale=locale, category=category)
