"""The Django shell around ecer.core."""
