"""Movie processing with the ffmpeg and ffprobe programs, run as subprocesses.

Everything here works on local paths (the caller copies stored files to a
temporary folder and back). Failures raise ``MovieError`` with ffmpeg's last
words, so that the caller can mark the preview broken and log why.
"""

import json
import logging
import math
import subprocess
from dataclasses import dataclass
from fractions import Fraction

from django.conf import settings

logger = logging.getLogger(__name__)

LOWDEF_WIDTH = 1280
TILE_HEIGHT = 100
TILE_COLUMNS = 8
# A tile sheet holds at most this many rows; longer movies are sampled.
TILE_MAX_ROWS = 240
SILENT_AUDIO = "anullsrc=channel_layout=stereo:sample_rate=48000"


class MovieError(RuntimeError):
    """ffmpeg or ffprobe could not read or write a movie."""


@dataclass
class MovieInfo:
    width: int
    height: int
    duration: float
    fps: float
    nb_frames: int
    has_audio: bool


def _run(arguments, timeout=None):
    timeout = timeout or getattr(settings, "CELERY_TASK_TIME_LIMIT", 3600)
    try:
        result = subprocess.run(
            arguments, capture_output=True, timeout=timeout, check=False, text=True
        )
    except FileNotFoundError:
        raise MovieError(f"{arguments[0]} is not installed.") from None
    except subprocess.TimeoutExpired:
        raise MovieError(f"{arguments[0]} took too long.") from None
    if result.returncode != 0:
        last_lines = " ".join(result.stderr.strip().splitlines()[-3:])
        raise MovieError(f"{arguments[0]} failed: {last_lines}")
    return result.stdout


def _ffmpeg(*arguments):
    return _run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *arguments])


def _preset():
    return getattr(settings, "PREVIEW_X264_PRESET", "medium")


def probe(path):
    """Size, duration, frame rate and audio presence of the movie at ``path``."""
    output = _run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", path]
    )
    try:
        data = json.loads(output)
    except ValueError:
        raise MovieError("ffprobe gave unreadable output.") from None
    streams = data.get("streams") or []
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    if video is None:
        raise MovieError("The file holds no video stream.")
    fps = _rate(video.get("avg_frame_rate")) or _rate(video.get("r_frame_rate")) or 25.0
    duration = _float(video.get("duration")) or _float(data.get("format", {}).get("duration"))
    nb_frames = int(_float(video.get("nb_frames")) or round(duration * fps))
    return MovieInfo(
        width=int(video.get("width") or 0),
        height=int(video.get("height") or 0),
        duration=duration,
        fps=fps,
        nb_frames=nb_frames,
        has_audio=any(s.get("codec_type") == "audio" for s in streams),
    )


def _rate(value):
    try:
        rate = float(Fraction(value))
    except (TypeError, ValueError, ZeroDivisionError):
        return 0.0
    return rate if rate > 0 else 0.0


def _float(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def parse_resolution(value):
    """``(width, height)`` from ``"1920x1080"``, rounded down to even numbers, or None."""
    try:
        width, height = (int(part) for part in str(value).lower().split("x"))
    except (TypeError, ValueError):
        return None
    if width < 2 or height < 2:
        return None
    return width - width % 2, height - height % 2


def normalize(source, target, width, height, fps, bitrate_mb, info=None):
    """Encode ``source`` as the high-definition review movie.

    H.264 in yuv420p at ``fps`` and ``width``x``height`` (scaled to fit and
    padded), with the moov atom up front so that browsers start playing
    before the whole file arrives. A movie without a soundtrack gets a
    silent one cut to the video's exact duration: mixing it in with
    ``-shortest`` instead can drop the last video frames.
    """
    info = info or probe(source)
    arguments = ["-i", source]
    if info.has_audio:
        audio_map = "0:a:0"
    else:
        arguments += ["-f", "lavfi", "-t", f"{max(info.duration, 0.04):.3f}", "-i", SILENT_AUDIO]
        audio_map = "1:a:0"
    scale = (
        f"scale={width}:{height}:force_original_aspect_ratio=decrease,"
        f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,setsar=1"
    )
    _ffmpeg(
        *arguments,
        "-map", "0:v:0", "-map", audio_map,
        "-vf", scale, "-r", _fps_text(fps),
        "-c:v", "libx264", "-preset", _preset(), "-pix_fmt", "yuv420p",
        "-b:v", f"{bitrate_mb}M",
        "-c:a", "aac", "-ar", "48000", "-ac", "2", "-b:a", "128k",
        "-movflags", "+faststart",
        target,
    )  # fmt: skip


def lowdef(source, target, bitrate_mb):
    """A 1280-pixel-wide copy of the normalized movie, for slow connections."""
    _ffmpeg(
        "-i", source,
        "-vf", f"scale={LOWDEF_WIDTH}:-2,setsar=1",
        "-c:v", "libx264", "-preset", _preset(), "-pix_fmt", "yuv420p",
        "-b:v", f"{bitrate_mb}M",
        "-c:a", "copy",
        "-movflags", "+faststart",
        target,
    )  # fmt: skip


def extract_frame(source, target, frame_number=0, fps=None):
    """Write frame ``frame_number`` (0 is the first) of ``source`` as a PNG."""
    arguments = []
    if frame_number > 0:
        fps = fps or probe(source).fps
        arguments += ["-ss", f"{frame_number / fps:.4f}"]
    _ffmpeg(*arguments, "-i", source, "-frames:v", "1", "-f", "image2", "-c:v", "png", target)


def tile_sheet(source, target, info=None):
    """Frames scaled to 100 px high, 8 per row, in one PNG (the scrubbing strip).

    Long movies are sampled evenly so that the sheet stays under
    ``TILE_MAX_ROWS`` rows.
    """
    info = info or probe(source)
    nb_frames = max(info.nb_frames, 1)
    step = max(1, math.ceil(nb_frames / (TILE_COLUMNS * TILE_MAX_ROWS)))
    rows = max(1, math.ceil(math.ceil(nb_frames / step) / TILE_COLUMNS))
    filters = f"scale=-2:{TILE_HEIGHT},tile={TILE_COLUMNS}x{rows}"
    if step > 1:
        filters = f"select=not(mod(n\\,{step})),{filters}"
    _ffmpeg(
        "-i", source, "-vf", filters, "-frames:v", "1", "-fps_mode", "vfr",
        "-f", "image2", "-c:v", "png", target,
    )  # fmt: skip


def _fps_text(fps):
    value = Fraction(str(fps)).limit_denominator(1001)
    return str(value.numerator) if value.denominator == 1 else str(value)
