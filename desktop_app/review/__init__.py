"""Systematic-review logic without Qt or SQL: ranking, simulation, metrics, agreement, PRISMA."""
