"""Tests of the pure values and rules (bot/domain)."""
