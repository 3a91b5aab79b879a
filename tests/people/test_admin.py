"""The Django admin: who gets in, what the person pages show and what they hide."""

import pytest
from django.test import Client

from kitsu_backend.api.models import ApiEvent
from people.models import DayOff, Department, Person


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Full-strength PBKDF2 costs about half a second per person created.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff(admin):
    browser = Client()
    browser.force_login(admin)
    return browser


def test_admin_sees_the_person_changelist(staff, artist):
    response = staff.get("/admin/people/person/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Art Artist" in page
    assert artist.email in page


def test_artist_is_sent_to_the_login_page(artist):
    browser = Client()
    browser.force_login(artist)
    response = browser.get("/admin/people/person/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_anonymous_is_sent_to_the_login_page(db):
    response = Client().get("/admin/")
    assert response.status_code == 302


def test_admin_logs_in_with_email_and_password(admin):
    from tests.conftest import PASSWORD

    browser = Client()
    response = browser.post(
        "/admin/login/?next=/admin/", {"username": admin.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert browser.get("/admin/").status_code == 200


def test_change_page_hides_secrets_and_links_the_password_form(staff, artist):
    Person.objects.filter(pk=artist.pk).update(
        totp_secret="JBSWY3DPEHPK3PXP", otp_recovery_codes=["HASHEDCODE"]
    )
    artist.refresh_from_db()
    response = staff.get(f"/admin/people/person/{artist.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "JBSWY3DPEHPK3PXP" not in page
    assert "HASHEDCODE" not in page
    assert artist.password not in page
    assert "pbkdf2" not in page
    assert "md5$" not in page
    assert 'href="../password/"' in page
    assert 'name="departments"' in page


def test_secret_lookups_in_the_url_are_refused(admin, artist):
    Person.objects.filter(pk=artist.pk).update(totp_secret="JBSWY3DPEHPK3PXP")
    browser = Client(raise_request_exception=False)
    browser.force_login(admin)
    # Otherwise ?totp_secret__startswith=J, K, ... would reveal the secret letter by letter.
    assert browser.get("/admin/people/person/?totp_secret__startswith=J").status_code == 400
    assert browser.get("/admin/people/person/?password__contains=a").status_code == 400


def test_admin_changes_a_password_through_the_admin_form(staff, artist):
    response = staff.post(
        f"/admin/people/person/{artist.pk}/password/",
        {
            "password1": "brand-new-pass-9",
            "password2": "brand-new-pass-9",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    artist.refresh_from_db()
    assert artist.check_password("brand-new-pass-9")


def test_admin_creates_a_person(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            "/admin/people/person/add/",
            {
                "email": "new@example.com",
                "first_name": "New",
                "last_name": "Person",
                "role": "user",
                "usable_password": "true",
                "password1": "a-good-password-1",
                "password2": "a-good-password-1",
            },
        )
    assert response.status_code == 302
    person = Person.objects.get(email="new@example.com")
    assert person.check_password("a-good-password-1")
    assert ApiEvent.objects.get(name="person:new").data == {"person_id": str(person.pk)}


def test_admin_creation_refuses_a_duplicate_email(staff, artist):
    response = staff.post(
        "/admin/people/person/add/",
        {
            "email": artist.email.upper(),
            "first_name": "Copy",
            "role": "user",
            "usable_password": "false",
        },
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Person.objects.filter(first_name="Copy").count() == 0


def test_deactivating_in_the_admin_revokes_tokens(admin, artist, rf):
    from types import SimpleNamespace

    from django.contrib import admin as django_admin

    person_admin = django_admin.site._registry[Person]
    request = rf.post("/admin/")
    request.user = admin
    artist.active = False
    person_admin.save_model(request, artist, SimpleNamespace(changed_data=["active"]), True)
    artist.refresh_from_db()
    assert artist.active is False
    assert artist.tokens_revoked_at is not None


@pytest.mark.parametrize(
    "url",
    [
        "/admin/people/department/",
        "/admin/people/studio/",
        "/admin/people/organisation/",
        "/admin/people/dayoff/",
        "/admin/people/salaryscale/",
        "/admin/people/hardwareitem/",
        "/admin/people/software/",
        "/admin/people/hardwareitemdepartmentlink/",
        "/admin/people/softwaredepartmentlink/",
        "/admin/people/desktoploginlog/",
        "/admin/people/loginlog/",
        "/admin/people/revokedtoken/",
        "/admin/people/applogincode/",
        "/admin/api/apievent/",
    ],
)
def test_every_model_has_a_changelist(staff, url):
    assert staff.get(url).status_code == 200


def test_event_log_is_read_only_and_filterable(staff, admin):
    event = ApiEvent.objects.create(name="task:update", data={"task_id": "x"})
    ApiEvent.objects.create(name="person:new", data={})
    response = staff.get("/admin/api/apievent/?name=task:update")
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    assert staff.get("/admin/api/apievent/add/").status_code == 403
    assert staff.post(f"/admin/api/apievent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ApiEvent.objects.filter(pk=event.pk).exists()


def test_day_off_admin_refuses_overlaps(staff, artist):
    from datetime import date

    DayOff.objects.create(person=artist, date=date(2024, 3, 1), end_date=date(2024, 3, 3))
    response = staff.post(
        "/admin/people/dayoff/add/",
        {"person": str(artist.pk), "date": "2024-03-02", "end_date": "2024-03-05"},
    )
    assert response.status_code == 200
    assert "overlaps" in response.content.decode()
    assert DayOff.objects.count() == 1


def test_changelist_filters_by_department(staff, artist, manager):
    department = Department.objects.create(name="Anim", color="#000000")
    artist.departments.add(department)
    response = staff.get(f"/admin/people/person/?departments__id__exact={department.pk}")
    assert response.status_code == 200
    assert [person.pk for person in response.context["cl"].result_list] == [artist.pk]
