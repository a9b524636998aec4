"""Test support, shared by tests and benches: the Bot API stand-in (botapi.py) and a user
playing it (player.py), the real Application on it (app.py), the bot as a process
(processes.py), Telegram-side walks through /connect (flows.py), connecting the demo bank
through the services (connecting.py), migrated databases (databases.py), the fixed clock
(clock.py)."""
