"""Tests of the web server (bot/web)."""
