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


# --- Radiance HDR (preview backgrounds) ---------------------------------------------

# Neither Pillow nor Debian's ffmpeg reads Radiance .hdr files, so the
# thumbnail of a background is decoded here, sampling rows and columns so
# that a large environment map costs little.
HDR_SAMPLE_WIDTH = 300


def hdr_thumbnail_png(content, size=THUMBNAIL_SIZE):
    """A tone-mapped PNG thumbnail of a Radiance RGBE (.hdr) picture."""
    width, height, offset = _hdr_header(content)
    step = max(1, width // HDR_SAMPLE_WIDTH)
    row_step = max(1, height // HDR_SAMPLE_WIDTH)
    rows = []
    for row_index in range(height):
        scanline, offset = _hdr_scanline(content, offset, width)
        if row_index % row_step == 0:
            rows.append(bytes(_tone_map(scanline, step)))
    sample_width = len(range(0, width, step))
    image = Image.frombytes("RGB", (sample_width, len(rows)), b"".join(rows))
    return to_png(fit(image, size))


def _hdr_header(content):
    if not content.startswith((b"#?RADIANCE", b"#?RGBE")):
        raise PictureError("The file is not a Radiance HDR picture.")
    end = content.find(b"\n\n")
    if end < 0:
        raise PictureError("The HDR header is incomplete.")
    line_end = content.find(b"\n", end + 2)
    parts = content[end + 2 : line_end].split()
    if len(parts) != 4 or parts[0] != b"-Y" or parts[2] != b"+X":
        raise PictureError("Only top-down HDR pictures are supported.")
    width, height = int(parts[3]), int(parts[1])
    if width * height > max_pixels():
        raise PictureError("The picture is too large to be processed.")
    return width, height, line_end + 1


def _hdr_scanline(content, offset, width):
    """One scanline as interleaved RGBE bytes, and the offset after it."""
    head = content[offset : offset + 4]
    if len(head) < 4:
        raise PictureError("The HDR picture is truncated.")
    if not (8 <= width < 32768 and head[0] == 2 and head[1] == 2 and not head[2] & 0x80):
        end = offset + 4 * width
        return content[offset:end], end
    offset += 4
    channels = []
    for _channel in range(4):
        values = bytearray()
        while len(values) < width:
            count = content[offset]
            if count > 128:
                values += bytes([content[offset + 1]]) * (count - 128)
                offset += 2
            else:
                values += content[offset + 1 : offset + 1 + count]
                offset += 1 + count
            if count == 0 or offset > len(content):
                raise PictureError("The HDR picture is corrupt.")
        channels.append(values[:width])
    line = bytearray(4 * width)
    for index, values in enumerate(channels):
        line[index::4] = values
    return bytes(line), offset


def _tone_map(scanline, step):
    for index in range(0, len(scanline) // 4, step):
        red, green, blue, exponent = scanline[4 * index : 4 * index + 4]
        scale = 2.0 ** (exponent - 136) if exponent else 0.0
        for value in (red, green, blue):
            linear = value * scale
            yield min(255, int(255 * (linear / (1 + linear)) ** (1 / 2.2)))
