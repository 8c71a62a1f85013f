"""Tests of provider.synthetic."""
