"""French words of managing connections: accounts, refresh, credentials, disconnect."""

MESSAGES: dict[str, str] = {}
