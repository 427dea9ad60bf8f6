"""Pure domain logic: numbers in, numbers out. No Django, no I/O."""
