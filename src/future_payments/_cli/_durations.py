"""Durations on the command line: ``500ms``, ``5s``, ``10m``, ``2h``, ``3d`` (or plain seconds)."""

from __future__ import annotations

import argparse
import re

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|m|h|d)?\s*$")


def parse_duration(text: str) -> float:
    """Seconds in ``text``: a number with an optional unit (ms, s, m/min, h, d).

    Raises:
        argparse.ArgumentTypeError: not a duration (argparse prints it as the option's error).
    """
    match = _DURATION.match(text)
    if match is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a duration: use a number with a unit, e.g. 500ms, 5s, 10m, 2h, 3d"
        )
    return float(match.group(1)) * _UNITS[match.group(2) or "s"]
