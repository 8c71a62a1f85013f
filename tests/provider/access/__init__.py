"""Tests of provider.access."""
