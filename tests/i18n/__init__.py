"""Tests of the catalogs and locale formatting (bot/i18n)."""
