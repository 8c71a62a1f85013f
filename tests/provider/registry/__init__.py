"""Tests of provider.registry."""
