"""Typed readers for settings taken from environment variables; bad values fail loudly."""

from __future__ import annotations

import math
import os
from pathlib import Path


class ConfigError(ValueError):
    """A setting taken from the environment is malformed."""


def env_str(name: str, default: str) -> str:
    """A string from NAME, or from the file named by NAME_FILE (for secrets), else default."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r}: expected one of 1/0, true/false, yes/no, on/off")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: expected a whole number") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_positive_float(name: str, default: float | None) -> float | None:
    """A float > 0 from NAME, else default; ``none`` means explicitly no value."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.strip().lower() == "none":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: expected a number > 0 or 'none'") from None
    if not (math.isfinite(value) and value > 0):
        raise ConfigError(f"{name}={raw!r}: expected a number > 0 or 'none'")
    return value


def env_non_negative_float(name: str, default: float) -> float:
    """A finite float >= 0 from NAME (a tolerance, a share), else default."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: expected a number >= 0") from None
    if not (math.isfinite(value) and value >= 0):
        raise ConfigError(f"{name}={raw!r}: expected a number >= 0")
    return value


def persistent_secret(data_dir: Path, name: str = "secret-key") -> str:
    """A random secret kept in ``data_dir/name`` (mode 600), created on first use.

    Created atomically (written to a temporary file, then linked into place), so processes
    starting together all read the one key that won.
    """
    import secrets

    path = data_dir / name
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        temporary = data_dir / f".{name}.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(50))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
        return _read_secret(path)
    except OSError as exc:
        raise ConfigError(
            f"SECRET_KEY is not set and {path} cannot be created ({exc}): set SECRET_KEY "
            "(or SECRET_KEY_FILE) or make ECER_DATA_DIR writable"
        ) from None


def _read_secret(path: Path) -> str:
    value = path.read_text(encoding="utf-8").strip()
    if len(value) < 32:
        raise ConfigError(f"{path}: the stored secret key is shorter than 32 characters")
    return value


def env_positive_int(name: str, default: int) -> int:
    """A whole number > 0 from NAME (a size, a count, a limit), else default."""
    value = env_int(name, default)
    if value <= 0:
        raise ConfigError(f"{name}={value!r}: expected a whole number > 0")
    return value
