"""Picture processing with Pillow: the PNG variants of a preview and thumbnails.

Every picture is opened through ``open_picture``, which applies the EXIF
orientation (phones store portrait shots as rotated landscape pixels) and
refuses decompression bombs before any pixel is decoded.
"""

import io

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

# Variant sizes of a preview, in pixels; a height of 0 keeps the proportions.
THUMBNAIL_SIZE = (150, 100)
SQUARE_SIZE = (100, 100)
PREVIEW_SIZE = (1200, 0)
# Avatars, project and studio logos.
BIG_SQUARE_SIZE = (400, 400)


class PictureError(ValueError):
    """The upload is not a picture Pillow can read, or is too large to decode safely."""


def max_pixels():
    """Largest picture (in pixels) accepted; Pillow's own bomb limit by default."""
    return getattr(settings, "PREVIEW_MAX_IMAGE_PIXELS", None) or Image.MAX_IMAGE_PIXELS


def open_picture(source):
    """A fully decoded, upright RGB or RGBA image from a path, bytes or file object."""
    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(source)
    try:
        image = Image.open(source)
        # Image.open only reads the header: check the size before decoding.
        if image.width * image.height > max_pixels():
            raise PictureError("The picture is too large to be processed.")
        image.load()
        image = ImageOps.exif_transpose(image)
    except Image.DecompressionBombError:
        raise PictureError("The picture is too large to be processed.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        if isinstance(error, PictureError):
            raise
        raise PictureError("The file is not a readable picture.") from None
    if image.mode not in ("RGB", "RGBA"):
        has_alpha = image.mode in ("LA", "PA") or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    return image


def fit(image, size):
    """``image`` cropped to the ratio of ``size`` around its centre, then resized to it.

    A height of 0 in ``size`` keeps the picture's proportions instead.
    """
    width, height = size
    if not height:
        height = max(1, round(image.height * width / image.width))
        return image.resize((width, height), Image.Resampling.LANCZOS)
    return ImageOps.fit(image, (width, height), Image.Resampling.LANCZOS)


def to_png(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def preview_variants(image):
    """``{prefix: png bytes}`` of the variants stored for a preview."""
    return {
        "thumbnails": to_png(fit(image, THUMBNAIL_SIZE)),
        "thumbnails-square": to_png(fit(image, SQUARE_SIZE)),
        "previews": to_png(fit(image, PREVIEW_SIZE)),
        "original": to_png(image),
    }


def thumbnail_png(source, size=BIG_SQUARE_SIZE):
    """A PNG thumbnail of ``size`` from an uploaded picture (avatars, logos)."""
    return to_png(fit(open_picture(source), size))
