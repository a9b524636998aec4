"""Pointage: a Telegram bot that keeps a small business's bank feed and books."""
