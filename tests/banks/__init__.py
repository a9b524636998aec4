"""Tests of bank access: the connector wrapper, the demo bank, the directory (bot/banks)."""
