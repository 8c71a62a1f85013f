"""Synthetic and demo data: a deterministic registry with acts, life events and special electoral rolls,
built with the domain's rules."""
