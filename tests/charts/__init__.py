"""Tests of the chart templates and their files (bot/charts)."""
