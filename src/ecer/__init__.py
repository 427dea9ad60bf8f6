"""ECER — 节能减排综合管理平台 (energy-conservation and emission-reduction management)."""

__version__ = "0.1.0"
