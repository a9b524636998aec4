"""Tests of the Enable Banking connector against its local stand-in."""
