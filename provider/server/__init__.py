"""Serving: the WSGI app factory, gunicorn and the nginx front, health."""
