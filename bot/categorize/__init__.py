"""Categorisation: the suggestion cascade, payee normalisation and built-in knowledge (data/)."""
