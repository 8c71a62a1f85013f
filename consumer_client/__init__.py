"""The reference consumer client of the Mitroo Politon provider (see the README)."""
