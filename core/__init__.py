"""The floor every app stands on: users and roles, number sequences, money and
unit helpers, DomainError/ConflictError, row locks in the house order, API plumbing, login and
error pages, Markdown rendering, the burn-down SVG, and the registries the apps fill in their
AppConfig.ready(): navigation entries and header widgets (`core.navigation`), panels on another
app's page (`core.panels`), links to a page by the kind of object it shows (`core.links`), the
home figures of each role (`core.home`), who may do what (`core.policy`).

Imports no app (import-linter contract "core imports no app").
"""
