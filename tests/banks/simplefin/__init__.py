"""Tests of the SimpleFIN connector against the local bridge stand-in."""
