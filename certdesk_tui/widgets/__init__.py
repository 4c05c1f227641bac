"""Widgets of the desk, each owning one part of the screen."""
