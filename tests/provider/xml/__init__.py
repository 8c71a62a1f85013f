"""Tests of provider.xml."""
