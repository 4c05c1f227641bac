"""Certificates as PDF: the one we draw, and the one a person uploads.

- ``certificate``: ``render_certificate``, the certificate of liability insurance;
- ``layout``: where each block sits, the words printed, how values read;
- ``drawing``: text wrapped and shrunk to fit, or refused naming the field;
- ``typefaces``: which fonts a document needs, every character checked for a glyph;
- ``font_cache``: fonts parsed once per process and lent to each document;
- ``naming``: ``certificate_file_name``;
- ``upload_check``: an uploaded file is a safe PDF naming the right request.

The submodules are imported by what they name: importing this package loads neither
fpdf2 nor pypdf.
"""
