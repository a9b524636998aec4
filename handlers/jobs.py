"""Scheduled jobs (PTB JobQueue): installed at startup from what the database holds."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the repeating jobs; each reads its work from the database when it runs."""
