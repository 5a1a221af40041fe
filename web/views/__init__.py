"""Blueprints, one module per page group."""
