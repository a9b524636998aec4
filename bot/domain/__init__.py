"""Pure values and rules, no I/O: money, ledger, periods, transfers, states, secret, clock,
views."""
