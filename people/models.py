"""People of the studio and the settings that belong to them.

Tables and columns follow Zou's names (``person``, ``department_link``…) so
that data moves between the two servers column for column.
"""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.hashers import check_password as django_check_password
from django.db import models
from django.db.models import Q

from kitsu_backend.api import permissions as roles
from kitsu_backend.api.models import BaseModel

CONTRACT_TYPES = [
    ("open-ended", "Open-ended"),
    ("fixed-term", "Fixed-term"),
    ("short-term", "Short-term"),
    ("freelance", "Freelance"),
    ("apprentice", "Apprentice"),
    ("internship", "Internship"),
]
ROLES = [
    (roles.ARTIST, "Artist"),
    (roles.ADMIN, "Studio manager"),
    (roles.SUPERVISOR, "Supervisor"),
    (roles.MANAGER, "Production manager"),
    (roles.CLIENT, "Client"),
    (roles.VENDOR, "Vendor"),
]
POSITIONS = [("supervisor", "Supervisor"), ("lead", "Lead"), ("artist", "Artist")]
SENIORITIES = [("senior", "Senior"), ("mid", "Mid"), ("junior", "Junior")]
TWO_FACTOR_METHODS = [("totp", "TOTP"), ("email_otp", "E-mail OTP"), ("fido", "FIDO")]


class Department(BaseModel):
    """A studio department (Modeling, Animation…); supervisors' powers are scoped by it."""

    name = models.CharField(max_length=80, unique=True)
    color = models.CharField(max_length=7)
    archived = models.BooleanField(default=False)

    class Meta:
        db_table = "department"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Studio(BaseModel):
    """A sub-studio or site a person belongs to."""

    name = models.CharField(max_length=80, unique=True)
    color = models.CharField(max_length=7)
    archived = models.BooleanField(default=False)

    class Meta:
        db_table = "studio"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Organisation(BaseModel):
    """The one row of instance-wide settings (studio name, hours per day, chat tokens)."""

    name = models.CharField(max_length=80, unique=True)
    hours_by_day = models.FloatField(default=8)
    has_avatar = models.BooleanField(default=False)
    use_original_file_name = models.BooleanField(default=False)
    timesheets_locked = models.BooleanField(default=False)
    format_duration_in_hours = models.BooleanField(default=False)
    hd_by_default = models.BooleanField(default=False)
    chat_token_slack = models.CharField(max_length=80, default="", blank=True)
    chat_webhook_mattermost = models.CharField(max_length=80, default="", blank=True)
    chat_token_discord = models.CharField(max_length=80, default="", blank=True)
    dark_theme_by_default = models.BooleanField(default=False)

    # Only admins see the chat integration tokens.
    SECRET_FIELDS = ("chat_token_slack", "chat_webhook_mattermost", "chat_token_discord")

    class Meta:
        db_table = "organisation"

    def __str__(self):
        return self.name

    @classmethod
    def get(cls):
        """The organisation row, created with Zou's defaults on first use."""
        organisation = cls.objects.order_by("created_at").first()
        if organisation is None:
            organisation, _ = cls.objects.get_or_create(name="Kitsu")
        return organisation


class PersonManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        person = self.model(email=self.normalize_email(email), **fields)
        if password:
            person.set_password(password)
        else:
            person.set_unusable_password()
        person.save(using=self._db)
        return person

    def create_superuser(self, email, password=None, **fields):
        fields["role"] = roles.ADMIN
        return self.create_user(email, password, **fields)


class Person(AbstractBaseUser, BaseModel):
    """A studio member, a bot account, a shared-playlist guest or a preview account.

    It is the Django user model: staff sign in to the admin with it, and the
    API authenticates it by JWT. Admins (``role == "admin"``) are Django
    superusers. Secrets listed in ``SECRET_FIELDS`` are never serialized.
    """

    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80, blank=True)
    email = models.EmailField(max_length=255, null=True, blank=True)
    phone = models.CharField(max_length=30, null=True, blank=True)
    country = models.CharField(max_length=2, null=True, blank=True)
    contract_type = models.CharField(max_length=255, choices=CONTRACT_TYPES, default="open-ended")
    active = models.BooleanField(default=True)
    archived = models.BooleanField(default=False)
    last_presence = models.DateField(null=True, blank=True)
    desktop_login = models.CharField(max_length=80, null=True, blank=True)
    login_failed_attemps = models.IntegerField(default=0)
    last_login_failed = models.DateTimeField(null=True, blank=True)
    totp_enabled = models.BooleanField(default=False)
    totp_secret = models.CharField(max_length=32, null=True, blank=True)
    email_otp_enabled = models.BooleanField(default=False)
    email_otp_secret = models.CharField(max_length=32, null=True, blank=True)
    fido_enabled = models.BooleanField(default=False)
    fido_credentials = models.JSONField(null=True, blank=True)
    otp_recovery_codes = models.JSONField(null=True, blank=True)
    preferred_two_factor_authentication = models.CharField(
        max_length=255, choices=TWO_FACTOR_METHODS, null=True, blank=True
    )
    shotgun_id = models.IntegerField(null=True, blank=True, unique=True)
    timezone = models.CharField(max_length=50, default="Europe/Paris")
    locale = models.CharField(max_length=10, default="en_US")
    use_12_hour_clock = models.BooleanField(default=False)
    display_date_format = models.CharField(max_length=20, default="YYYY-MM-DD")
    data = models.JSONField(null=True, blank=True)
    role = models.CharField(max_length=255, choices=ROLES, default=roles.ARTIST)
    position = models.CharField(
        max_length=255, choices=POSITIONS, default="artist", null=True, blank=True
    )
    seniority = models.CharField(
        max_length=255, choices=SENIORITIES, default="mid", null=True, blank=True
    )
    daily_salary = models.IntegerField(default=0)
    has_avatar = models.BooleanField(default=False)
    notifications_enabled = models.BooleanField(default=False)
    notifications_slack_enabled = models.BooleanField(default=False)
    notifications_slack_userid = models.CharField(max_length=60, default="", blank=True)
    notifications_mattermost_enabled = models.BooleanField(default=False)
    notifications_mattermost_userid = models.CharField(max_length=60, default="", blank=True)
    notifications_discord_enabled = models.BooleanField(default=False)
    notifications_discord_userid = models.CharField(max_length=60, default="", blank=True)
    is_bot = models.BooleanField(default=False)
    is_guest = models.BooleanField(default=False)
    # The production a preview account is bound to. A plain UUID, not a foreign
    # key: projects live in the productions app, one floor above people.
    preview_project_id = models.UUIDField(null=True, blank=True, unique=True)
    preview_opened_at = models.DateTimeField(null=True, blank=True)
    preview_open_until = models.DateTimeField(null=True, blank=True)
    jti = models.CharField(max_length=60, null=True, blank=True, unique=True)
    expiration_date = models.DateField(null=True, blank=True)
    is_generated_from_ldap = models.BooleanField(default=False)
    ldap_uid = models.CharField(max_length=60, null=True, blank=True, unique=True)
    oidc_issuer = models.TextField(null=True, blank=True)
    oidc_subject = models.CharField(max_length=255, null=True, blank=True)
    saml_issuer = models.TextField(null=True, blank=True)
    saml_subject = models.CharField(max_length=255, null=True, blank=True)
    # Person tokens issued before this instant are refused ("log out everywhere").
    tokens_revoked_at = models.DateTimeField(null=True, blank=True)
    departments = models.ManyToManyField(
        Department, blank=True, related_name="persons", db_table="department_link"
    )
    studio = models.ForeignKey(
        Studio, null=True, blank=True, on_delete=models.SET_NULL, related_name="persons"
    )

    SECRET_FIELDS = frozenset(
        {
            "password",
            "last_login",
            "login_failed_attemps",
            "last_login_failed",
            "totp_secret",
            "email_otp_secret",
            "fido_credentials",
            "otp_recovery_codes",
            "jti",
            "oidc_issuer",
            "oidc_subject",
            "saml_issuer",
            "saml_subject",
            "tokens_revoked_at",
        }
    )
    # The reduced form other people see (Zou's ``present_minimal``).
    MINIMAL_FIELDS = (
        "id",
        "first_name",
        "last_name",
        "has_avatar",
        "active",
        "studio_id",
        "role",
        "desktop_login",
        "is_bot",
    )

    objects = PersonManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name"]

    class Meta:
        db_table = "person"
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=Q(is_bot=False), name="only_one_email_by_person"
            ),
            models.UniqueConstraint(
                fields=["saml_issuer", "saml_subject"], name="person_saml_identity_uc"
            ),
            models.UniqueConstraint(
                fields=["oidc_issuer", "oidc_subject"], name="person_oidc_identity_uc"
            ),
        ]

    def __str__(self):
        return self.full_name or self.email or str(self.id)

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    # Django's user protocol, derived from Zou's columns.
    @property
    def is_active(self):
        return self.active

    @property
    def is_staff(self):
        return self.role == roles.ADMIN

    @property
    def is_superuser(self):
        return self.role == roles.ADMIN

    def has_perm(self, perm, obj=None):
        return self.active and self.is_superuser

    def has_perms(self, perm_list, obj=None):
        return self.active and self.is_superuser

    def has_module_perms(self, app_label):
        return self.active and self.is_superuser

    def check_password(self, raw_password):
        """Django hashes, and bcrypt hashes copied as-is from a Zou database."""
        encoded = self.password or ""
        if encoded.startswith("$2"):  # a bare Zou/flask-bcrypt hash
            encoded = "bcrypt$" + encoded

        def upgrade(password):
            self.set_password(password)
            self.save(update_fields=["password"])

        return django_check_password(raw_password, encoded, upgrade)


class DepartmentItemLink(BaseModel):
    """Base of the department ↔ hardware and software links."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE)

    class Meta:
        abstract = True


class HardwareItem(BaseModel):
    """A piece of hardware with its monthly cost and inventory, for budget forecasts."""

    name = models.CharField(max_length=40, unique=True)
    short_name = models.CharField(max_length=20)
    archived = models.BooleanField(default=False)
    monthly_cost = models.IntegerField(default=0)
    inventory_amount = models.IntegerField(default=0)

    class Meta:
        db_table = "hardware_item"
        ordering = ["name"]

    def __str__(self):
        return self.name


class HardwareItemDepartmentLink(DepartmentItemLink):
    hardware_item = models.ForeignKey(HardwareItem, on_delete=models.CASCADE)

    class Meta:
        db_table = "hardware_item_department_link"
        constraints = [
            models.UniqueConstraint(
                fields=["hardware_item", "department"], name="hardware_item_department_link_uc"
            )
        ]


class Software(BaseModel):
    """A DCC application: its file extensions, licence cost and inventory."""

    name = models.CharField(max_length=40, unique=True)
    short_name = models.CharField(max_length=20)
    archived = models.BooleanField(default=False)
    version = models.CharField(max_length=20, null=True, blank=True)
    file_extension = models.CharField(max_length=20)
    secondary_extensions = models.JSONField(null=True, blank=True)
    monthly_cost = models.IntegerField(default=0)
    inventory_amount = models.IntegerField(default=0)

    class Meta:
        db_table = "software"
        ordering = ["name"]

    def __str__(self):
        return self.name


class SoftwareDepartmentLink(DepartmentItemLink):
    software = models.ForeignKey(Software, on_delete=models.CASCADE)

    class Meta:
        db_table = "software_department_link"
        constraints = [
            models.UniqueConstraint(
                fields=["department", "software"], name="software_department_link_uc"
            )
        ]


class DayOff(BaseModel):
    """An absence of a person from ``date`` to ``end_date`` included."""

    date = models.DateField()
    end_date = models.DateField()
    description = models.TextField(null=True, blank=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="day_offs")

    class Meta:
        db_table = "day_off"
        constraints = [
            models.CheckConstraint(
                condition=Q(date__lte=models.F("end_date")), name="day_off_date_check"
            ),
            models.UniqueConstraint(fields=["person", "date"], name="day_off_uc"),
        ]

    def __str__(self):
        return f"{self.person} off {self.date} to {self.end_date}"


class SalaryScale(BaseModel):
    """Default daily salary per department, position and seniority (prefills budgets)."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE)
    position = models.CharField(max_length=255, choices=POSITIONS, default="artist")
    seniority = models.CharField(max_length=255, choices=SENIORITIES, default="mid")
    salary = models.IntegerField(default=0)

    class Meta:
        db_table = "salary_scale"

    def __str__(self):
        return f"{self.department} {self.position} {self.seniority}: {self.salary}"


class DesktopLoginLog(BaseModel):
    """A login reported by a desktop tool or DCC plug-in (presence reports)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    date = models.DateTimeField()

    class Meta:
        db_table = "desktop_login_log"

    def __str__(self):
        return f"{self.person} at {self.date}"


class LoginLog(BaseModel):
    """One successful login: who, from where, from the web UI or a script."""

    ORIGINS = [("web", "Web"), ("script", "Script")]

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    ip_address = models.CharField(max_length=50, null=True, blank=True)
    origin = models.CharField(max_length=255, choices=ORIGINS, null=True, blank=True)

    class Meta:
        db_table = "login_log"

    def __str__(self):
        return f"{self.person} from {self.ip_address} ({self.origin})"


class RevokedToken(models.Model):
    """A revoked JWT id, kept until the token would have expired anyway.

    The blocklist lives in Redis when ``REDIS_URL`` is set; this table is the
    fallback that keeps logout effective across every worker process.
    """

    jti = models.CharField(max_length=64, primary_key=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "revoked_token"

    def __str__(self):
        return self.jti


class AppLoginCode(models.Model):
    """A one-time code a logged-in browser hands to a desktop app (PKCE hand-off)."""

    code_hash = models.CharField(max_length=64, primary_key=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    code_challenge = models.CharField(max_length=128)
    code_challenge_method = models.CharField(max_length=10, default="S256")
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "app_login_code"

    def __str__(self):
        return f"app login code of {self.person}"
