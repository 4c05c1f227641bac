"""Small apps for snapshot tests and for trying a screen by hand."""
