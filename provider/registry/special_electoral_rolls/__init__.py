"""The special electoral rolls of seed 003 (service specialElectoralRolls): plain Python, no spyne.

Pure rules (``dates``, ``residence``, ``eligibility``, ``documents``, ``guidance``, ``numbers``)
take and return frozen dataclasses; ``records`` reads the database; ``check``, ``applications``
and ``roll`` are the operations; ``criteria`` checks their input and ``scope`` who may act for
which municipality.
"""
