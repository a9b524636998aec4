"""Tests of the use cases over a real database (bot/services)."""
