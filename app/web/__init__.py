"""What the server shows besides webhooks: registration pages, metrics, log format."""
