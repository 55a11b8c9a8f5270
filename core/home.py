"""The home page's figures per role. Each app registers what it counts in its AppConfig.ready()
(core imports no app); the page shows the sections of the user's roles (a superuser: all).

A figure is a number with a link to the list filtered to exactly those rows (the lists keep
their filters in the URL), so "3 drafts to post" opens the three drafts.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.template.defaultfilters import floatformat


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    url: str
    key: str  # stable name for tests and styling ("open_tickets")
    hint: str = ""
    attention: bool = False  # worth a look (overdue invoices, set-up gaps)
    position: int = 50  # place in its section (apps register in INSTALLED_APPS order)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    roles: tuple[str, ...]


# The order of the page: what the day's work needs first.
SECTIONS = (
    Section("agent", "My work", ("agent",)),
    Section("sales", "Sales", ("sales",)),
    Section("accountant", "Accounting", ("accountant",)),
    Section("admin", "Set-up checks", ("admin",)),
)

FigureBuilder = Callable[..., list[Figure]]
_BUILDERS: dict[str, list[FigureBuilder]] = {}


def register_home_figures(section: str, build: FigureBuilder) -> None:
    """`build(user=...)` answers the figures it adds to `section` (a few aggregate queries)."""
    if section not in {s.key for s in SECTIONS}:
        raise ValueError(f"Unknown home section {section!r}.")
    builders = _BUILDERS.setdefault(section, [])
    if build not in builders:
        builders.append(build)


def home_sections(user) -> list[dict]:
    """The sections of the user's roles with their figures (empty sections left out)."""
    sections = []
    for section in SECTIONS:
        if not user.has_role(*section.roles):
            continue
        figures = [figure for build in _BUILDERS.get(section.key, []) for figure in build(user=user)]
        figures.sort(key=lambda figure: figure.position)
        if figures:
            sections.append({"key": section.key, "title": section.title, "figures": figures})
    return sections


def hours(value) -> str:
    return f"{floatformat(value, '2')} h"
