"""The recognisability check (Erkennbarkeits-Check): placeholder, docstring follows."""

from hafen.publishing.recognisability.check import CheckResult, Finding, check_text

__all__ = ["CheckResult", "Finding", "check_text"]
