"""Review drawings stored on a preview: merging changes and drawing them on a frame.

An annotation is ``{"time": seconds, "frame": n?, "drawing": {"objects": [...]}}``
where the objects are the Fabric.js shapes the Kitsu web UI draws, each with
an ``id``. Clients send only what changed (additions, updates, deletions)
and the server merges them into the stored list.
"""

from PIL import ImageColor, ImageDraw

# --- merging -----------------------------------------------------------------------


def objects_of(annotation):
    drawing = annotation.get("drawing") if isinstance(annotation, dict) else None
    if not isinstance(drawing, dict):
        return []
    objects = drawing.get("objects")
    return objects if isinstance(objects, list) else []


def _by_time(annotations):
    return {annotation.get("time"): annotation for annotation in annotations}


def _ensure_objects(annotation):
    if not isinstance(annotation.get("drawing"), dict):
        annotation["drawing"] = {}
    annotation["drawing"]["objects"] = objects_of(annotation)
    return annotation["drawing"]["objects"]


def merge(annotations, additions=(), updates=(), deletions=()):
    """The stored ``annotations`` with the client's changes applied.

    Additions bring new objects (or a new annotation for an unknown time);
    objects already present, by id, are not duplicated. Updates replace
    objects by id. Deletions (``{"time", "objects": [ids]}``) remove
    objects; annotations left without objects are dropped.
    """
    annotations = [dict(annotation) for annotation in annotations if isinstance(annotation, dict)]
    timeline = _by_time(annotations)
    for addition in additions or ():
        if not isinstance(addition, dict):
            continue
        current = timeline.get(addition.get("time"))
        if current is None:
            annotations.append(addition)
            timeline[addition.get("time")] = addition
            continue
        objects = _ensure_objects(current)
        known = {item.get("id") for item in objects if isinstance(item, dict)}
        objects.extend(
            item
            for item in objects_of(addition)
            if not isinstance(item, dict) or item.get("id") not in known
        )
    for update in updates or ():
        if not isinstance(update, dict):
            continue
        current = timeline.get(update.get("time"))
        if current is None:
            continue
        replacements = {
            item["id"]: item
            for item in objects_of(update)
            if isinstance(item, dict) and "id" in item
        }
        objects = _ensure_objects(current)
        current["drawing"]["objects"] = [
            replacements.get(item.get("id"), item) if isinstance(item, dict) else item
            for item in objects
        ]
    for deletion in deletions or ():
        if not isinstance(deletion, dict):
            continue
        current = timeline.get(deletion.get("time"))
        if current is None:
            continue
        removed = set(deletion.get("objects") or [])
        current["drawing"]["objects"] = [
            item
            for item in _ensure_objects(current)
            if not (isinstance(item, dict) and item.get("id") in removed)
        ]
    return [annotation for annotation in annotations if objects_of(annotation)]


def frame_of(annotation, fps):
    """The 1-based frame an annotation belongs to."""
    frame = annotation.get("frame")
    if isinstance(frame, int) and frame > 0:
        return frame
    try:
        return int(round(float(annotation.get("time") or 0) * fps)) + 1
    except (TypeError, ValueError):
        return 1


# --- drawing -------------------------------------------------------------------------


def _colour(value, default=None):
    if not value or value == "transparent":
        return default
    try:
        return ImageColor.getrgb(value)
    except (ValueError, AttributeError):
        return default


def _number(value, default=0.0):
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def render(image, annotation):
    """``image`` with the annotation's shapes drawn over it.

    Draws the shapes Kitsu produces (free-hand paths, lines, rectangles,
    circles and ellipses, text), scaled from the canvas they were drawn on
    (``canvasWidth`` of each object) to the picture.
    TODO: rotation, skew and arrow heads of Fabric objects are not drawn;
    such shapes appear unrotated or as plain lines.
    """
    image = image.convert("RGBA")
    pen = ImageDraw.Draw(image)
    for item in objects_of(annotation):
        if isinstance(item, dict):
            _draw(pen, image, item)
    return image


def _draw(pen, image, item):
    scale = image.width / (_number(item.get("canvasWidth")) or image.width)
    stroke = _colour(item.get("stroke"), (255, 0, 0))
    fill = _colour(item.get("fill"))
    width = max(1, round(_number(item.get("strokeWidth"), 4) * scale))
    left = _number(item.get("left")) * scale
    top = _number(item.get("top")) * scale
    scale_x = _number(item.get("scaleX"), 1) * scale
    scale_y = _number(item.get("scaleY"), 1) * scale
    kind = str(item.get("type", "")).lower()
    if kind == "path":
        points = _path_points(item.get("path"))
        if points:
            min_x = min(x for x, _ in points)
            min_y = min(y for _, y in points)
            shifted = [
                (left + (x - min_x) * scale_x, top + (y - min_y) * scale_y) for x, y in points
            ]
            pen.line(shifted, fill=stroke, width=width, joint="curve")
    elif kind == "line":
        x1, y1 = _number(item.get("x1")), _number(item.get("y1"))
        x2, y2 = _number(item.get("x2")), _number(item.get("y2"))
        pen.line(
            [
                (left + (x1 - min(x1, x2)) * scale_x, top + (y1 - min(y1, y2)) * scale_y),
                (left + (x2 - min(x1, x2)) * scale_x, top + (y2 - min(y1, y2)) * scale_y),
            ],
            fill=stroke,
            width=width,
        )
    elif kind in ("rect", "circle", "ellipse"):
        if kind == "circle":
            box_w = box_h = 2 * _number(item.get("radius"))
        elif kind == "ellipse":
            box_w, box_h = 2 * _number(item.get("rx")), 2 * _number(item.get("ry"))
        else:
            box_w, box_h = _number(item.get("width")), _number(item.get("height"))
        box = [left, top, left + box_w * scale_x, top + box_h * scale_y]
        if box[2] > box[0] and box[3] > box[1]:
            if kind == "rect":
                pen.rectangle(box, outline=stroke, fill=fill, width=width)
            else:
                pen.ellipse(box, outline=stroke, fill=fill, width=width)
    elif kind in ("text", "i-text", "textbox") and item.get("text"):
        pen.text((left, top), str(item["text"]), fill=fill or stroke)


def _path_points(path):
    """End points of a Fabric path's commands (curves become their end points)."""
    points = []
    if not isinstance(path, list):
        return points
    for command in path:
        if isinstance(command, list) and len(command) >= 3:
            try:
                points.append((float(command[-2]), float(command[-1])))
            except (TypeError, ValueError):
                continue
    return points
