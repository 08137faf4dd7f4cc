"""Talking to GitHub as an App: JWTs, installation tokens, and a careful API client."""
