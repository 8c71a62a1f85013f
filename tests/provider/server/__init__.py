"""Tests of provider.server."""
