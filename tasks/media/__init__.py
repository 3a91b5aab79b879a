"""Media handling of the review loop: pictures (Pillow), movies (ffmpeg) and the
layout of stored files on Django's default storage."""
