"""Test support: a local Telegram Bot API stand-in (see botapi.py)."""
