"""certdesk: a keyboard-first terminal desk for insurance certificate requests."""

__version__ = "0.1.0"
