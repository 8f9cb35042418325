"""FactBot answer engine and its transports (Telegram, console, simulator)."""
