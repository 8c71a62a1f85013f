"""The auditor web console (``mitroo-audit web``): issue 12. See ``audit.console.app``."""
