"""Operations on people shared by the API, the Django admin and the management commands.

Views parse input and check roles; the rules themselves live here: how a
person is created or changed (e-mail uniqueness, password hashing, bot
tokens, revocation on deactivation), who may read whose day offs, and which
day offs fit together. Failures the caller must report to a user raise
``PeopleError`` with a message meant for that user.
"""

import logging
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q

from kitsu_backend.api import events
from kitsu_backend.api.models import utcnow
from kitsu_backend.api.permissions import ADMIN, MANAGER, SUPERVISOR, is_admin
from people import tokens
from people.models import (
    DayOff,
    Department,
    DesktopLoginLog,
    HardwareItemDepartmentLink,
    Person,
    SoftwareDepartmentLink,
)
from people.visibility import project_mate_ids

logger = logging.getLogger(__name__)

AVATAR_PATH = "pictures/thumbnails/persons/{person_id}.png"
# What a person may change on their own row; everything else is for admins.
SELF_EDITABLE_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "phone",
        "timezone",
        "locale",
        "use_12_hour_clock",
        "display_date_format",
        "notifications_enabled",
        "notifications_slack_enabled",
        "notifications_slack_userid",
        "notifications_mattermost_enabled",
        "notifications_mattermost_userid",
        "notifications_discord_enabled",
        "notifications_discord_userid",
    }
)


class PeopleError(ValueError):
    """A change refused for a reason the user can fix (bad e-mail, overlap…)."""


# --- validation ---------------------------------------------------------------


def _messages(error):
    if hasattr(error, "message_dict"):
        return " ".join(
            f"{name}: {' '.join(texts)}" if name != "__all__" else " ".join(texts)
            for name, texts in error.message_dict.items()
        )
    return " ".join(error.messages)


def full_clean(instance):
    """Django's model validation, reported as a ``PeopleError``."""
    try:
        instance.full_clean()
    except ValidationError as error:
        raise PeopleError(_messages(error)) from None


def check_password_strength(password):
    if not isinstance(password, str) or not password:
        raise PeopleError("The password must be a non-empty string.")
    if len(password) < settings.MIN_PASSWORD_LENGTH:
        raise PeopleError(
            f"Password is too short: at least {settings.MIN_PASSWORD_LENGTH} characters."
        )


def generate_password():
    """A random password of 24 URL-safe characters (144 bits)."""
    return secrets.token_urlsafe(18)


def check_person(person):
    """Rules a person row must follow before it is saved."""
    if person.email is not None:
        person.email = person.email.strip() or None
    if not person.is_bot:
        if not person.email:
            raise PeopleError("An e-mail address is required.")
        taken = (
            Person.objects.filter(is_bot=False, email__iexact=person.email)
            .exclude(pk=person.pk)
            .exists()
        )
        if taken:
            raise PeopleError(f"A person with the e-mail address {person.email} already exists.")
    full_clean(person)


def departments_for_ids(department_ids):
    """The departments with these ids, refusing an id that matches none."""
    wanted = set(department_ids)
    departments = list(Department.objects.filter(pk__in=wanted))
    if len(departments) != len(wanted):
        raise PeopleError("Department ID matches no department")
    return departments


# --- persons --------------------------------------------------------------------


def find_person_by_email(email):
    """The non-bot person with this e-mail address (any case), or None."""
    return (
        Person.objects.filter(is_bot=False, email__iexact=email.strip())
        .order_by("created_at")
        .first()
    )


def create_person(values, department_ids=None, password=None):
    """Create a person from column values; returns ``(person, bot_token_or_None)``.

    The password is hashed (a person without one cannot log in with a
    password); a bot gets its API token straight away, as Zou answers it in
    the creation response.
    """
    person = Person(**values)
    if password is not None and not person.is_bot:
        check_password_strength(password)
        person.set_password(password)
    else:
        person.set_unusable_password()
    check_person(person)
    departments = departments_for_ids(department_ids) if department_ids else []
    with transaction.atomic():
        person.save()
        if departments:
            person.departments.set(departments)
        token = tokens.issue_bot_token(person) if person.is_bot else None
    logger.info("Person %s created", person.pk)
    return person, token


def forbidden_self_changes(person, values, department_ids=None):
    """Names of the fields a non-admin tried to change on their own row.

    A profile form may send back the whole person it read, so unchanged
    values of admin-only fields are accepted.
    """
    changed = [
        name
        for name, value in values.items()
        if name not in SELF_EDITABLE_FIELDS and getattr(person, name) != value
    ]
    if department_ids is not None:
        current = set(person.departments.values_list("pk", flat=True))
        if set(department_ids) != current:
            changed.append("departments")
    return changed


def update_person(person, values, department_ids=None, by_admin=False):
    """Apply column values (and departments); returns ``(person, bot_token_or_None)``.

    Deactivating a person revokes every token they hold. When an admin
    updates a bot, its token is regenerated and returned, which is how Kitsu
    shows a fresh key.
    """
    was_active = person.active
    for name, value in values.items():
        setattr(person, name, value)
    if was_active and not person.active:
        mark_tokens_revoked(person)
    check_person(person)
    departments = departments_for_ids(department_ids) if department_ids is not None else None
    with transaction.atomic():
        person.save()
        if departments is not None:
            person.departments.set(departments)
        regenerate = by_admin and person.is_bot and person.active
        token = tokens.issue_bot_token(person) if regenerate else None
    logger.info("Person %s updated", person.pk)
    return person, token


def mark_tokens_revoked(person):
    """Flag every token issued so far as revoked (the caller saves the person).

    Person tokens are checked against ``tokens_revoked_at``; a bot's token is
    only valid while it matches ``person.jti``, so clearing it is enough.
    """
    person.tokens_revoked_at = utcnow()
    if person.is_bot:
        person.jti = None


def revoke_all_tokens(person):
    """Revoke every token of ``person`` now, and drop expired revocation rows."""
    mark_tokens_revoked(person)
    person.save(update_fields=["tokens_revoked_at", "jti"])
    purged = tokens.purge_expired_revocations()
    logger.info("Every token of person %s revoked", person.pk)
    return purged


def emit_person_event(action, person):
    events.emit(f"person:{action}", {"person_id": person.pk})


def ensure_admin(email, password=None, first_name=None, last_name=None, if_missing=False):
    """Create an admin with this e-mail, or make the existing person an admin.

    Returns ``(person, action, password)`` where action is ``"created"``,
    ``"updated"`` or ``"kept"`` (``if_missing`` and already an admin) and
    password is the one set, generated when not given (None when kept).
    """
    email = email.strip()
    person = find_person_by_email(email)
    if if_missing and person is not None and person.role == ADMIN:
        return person, "kept", None
    if password is None:
        password = generate_password()
    check_password_strength(password)
    with transaction.atomic():
        if person is None:
            person = Person(
                email=email,
                first_name=first_name or email.split("@")[0],
                last_name=last_name or "",
                role=ADMIN,
            )
            person.set_password(password)
            check_person(person)
            person.save()
            action = "created"
        else:
            person.role = ADMIN
            person.active = True
            if first_name:
                person.first_name = first_name
            if last_name:
                person.last_name = last_name
            person.set_password(password)
            reset_lockout(person)
            check_person(person)
            person.save()
            action = "updated"
        emit_person_event("new" if action == "created" else "update", person)
    logger.info("Admin %s %s", person.pk, action)
    return person, action, password


def reset_lockout(person):
    person.login_failed_attemps = 0
    person.last_login_failed = None


def reset_password(person, password=None):
    """Set a new password (generated when not given) and clear the lockout."""
    if password is None:
        password = generate_password()
    check_password_strength(password)
    person.set_password(password)
    reset_lockout(person)
    person.save(update_fields=["password", "login_failed_attemps", "last_login_failed"])
    logger.info("Password of person %s reset", person.pk)
    return password


def add_to_department(person, department):
    with transaction.atomic():
        person.departments.add(department)
        person.save(update_fields=["updated_at"])
        emit_person_event("update", person)
    return person


def remove_from_department(person, department):
    with transaction.atomic():
        person.departments.remove(department)
        person.save(update_fields=["updated_at"])
        emit_person_event("update", person)
    return person


def clear_avatar(person):
    """Forget the avatar: the flag now, the stored picture once committed."""
    path = AVATAR_PATH.format(person_id=person.pk)
    with transaction.atomic():
        person.has_avatar = False
        person.save(update_fields=["has_avatar"])
        emit_person_event("update", person)
        transaction.on_commit(lambda: _delete_file(path))
    return person


def _delete_file(path):
    try:
        if default_storage.exists(path):
            default_storage.delete(path)
    except OSError:
        # The flag is already cleared; a leftover file is only wasted space.
        logger.warning("Could not delete avatar file %s", path, exc_info=True)


def record_desktop_login(person, when=None):
    """Log a desktop-tool login and move the person's last presence forward."""
    when = when or utcnow()
    with transaction.atomic():
        log = DesktopLoginLog.objects.create(person=person, date=when)
        if person.last_presence is None or person.last_presence < when.date():
            person.last_presence = when.date()
            person.save(update_fields=["last_presence"])
    return log


# --- department links -------------------------------------------------------------


def link_hardware_item(department, hardware_item):
    link, _ = HardwareItemDepartmentLink.objects.get_or_create(
        department=department, hardware_item=hardware_item
    )
    return link


def unlink_hardware_item(department, hardware_item):
    HardwareItemDepartmentLink.objects.filter(
        department=department, hardware_item=hardware_item
    ).delete()


def link_software(department, software):
    link, _ = SoftwareDepartmentLink.objects.get_or_create(department=department, software=software)
    return link


def unlink_software(department, software):
    SoftwareDepartmentLink.objects.filter(department=department, software=software).delete()


# --- day offs -----------------------------------------------------------------------


def _department_ids(person):
    return set(person.departments.values_list("pk", flat=True))


def can_read_day_offs(viewer, person):
    """Self, admins, managers sharing a project, supervisors sharing a department.

    A supervisor without any department sees no one else's day offs here:
    "no department means all departments" applies to production work only.
    """
    if viewer.pk == person.pk or is_admin(viewer):
        return True
    if viewer.role == MANAGER and person.pk in project_mate_ids(viewer):
        return True
    if viewer.role == SUPERVISOR:
        mine = _department_ids(viewer)
        return bool(mine) and person.departments.filter(pk__in=mine).exists()
    return False


def visible_day_offs(viewer):
    """Day offs of everyone whose day offs ``viewer`` may read."""
    queryset = DayOff.objects.all()
    if is_admin(viewer):
        return queryset
    allowed = Q(person_id=viewer.pk)
    if viewer.role == MANAGER:
        allowed |= Q(person_id__in=project_mate_ids(viewer))
    if viewer.role == SUPERVISOR:
        mine = _department_ids(viewer)
        if mine:
            same_department = Person.objects.filter(departments__in=mine).values("pk")
            allowed |= Q(person_id__in=same_department)
    return queryset.filter(allowed)


def overlapping(queryset, start, end):
    """Day offs of ``queryset`` touching the period ``start``..``end`` (both included)."""
    return queryset.filter(date__lte=end, end_date__gte=start).order_by("date", "person_id")


def year_bounds(year):
    return date(year, 1, 1), date(year, 12, 31)


def month_bounds(year, month):
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def iso_week_bounds(year, week):
    """Monday and Sunday of ISO week ``week`` (ValueError when the week does not exist)."""
    monday = date.fromisocalendar(year, week, 1)
    return monday, monday + timedelta(days=6)


def check_day_off(day_off):
    """A day off ends on or after its start and overlaps no other of the same person."""
    if day_off.date and day_off.end_date and day_off.end_date < day_off.date:
        raise PeopleError("The end date of a day off cannot be before its start date.")
    if day_off.person_id and day_off.date and day_off.end_date:
        clash = (
            DayOff.objects.filter(person_id=day_off.person_id)
            .filter(date__lte=day_off.end_date, end_date__gte=day_off.date)
            .exclude(pk=day_off.pk)
            .exists()
        )
        if clash:
            raise PeopleError("This day off overlaps another day off of the same person.")
