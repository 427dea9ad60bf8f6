"""Probes and metrics for the people who run the platform: /healthz, /readyz, /metrics."""
