"""Incident Bot."""
