"""Tests of provider.registry.text."""
