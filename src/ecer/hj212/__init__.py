"""HJ 212-2017 codec and TCP gateway."""
