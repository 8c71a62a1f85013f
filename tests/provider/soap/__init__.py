"""Tests of provider.xml.envelope."""
