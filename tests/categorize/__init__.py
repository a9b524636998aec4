"""Tests of the suggestion cascade, payees and the knowledge files (bot/categorize)."""
