"""The admin pages of the production, task and breakdown models render for a studio admin."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from productions.models import Entity, EntityLink

APPS = {"productions", "tasks", "assets", "shots"}
REGISTERED = sorted(
    (model for model in admin.site._registry if model._meta.app_label in APPS),
    key=lambda model: model._meta.label,
)


@pytest.fixture
def browser(admin):
    client = Client()
    client.force_login(admin)
    return client


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_changelist_search_and_add_form_render_for_every_model(browser, shot, asset, task):
    # One test for all models: the set-up (people, breakdown, task) is the
    # slow part. Failures are collected so that one run names every page.
    EntityLink.objects.create(entity_in=shot, entity_out=asset)
    failures = []
    for model in REGISTERED:
        for view, query in (("changelist", {}), ("changelist", {"q": "SH0010"}), ("add", {})):
            status = browser.get(url(model, view), query).status_code
            if status != 200:
                failures.append((model._meta.label, view, query, status))
    assert len(REGISTERED) > 60
    assert failures == []


def test_every_model_of_the_apps_is_registered():
    models = {
        model
        for label in APPS
        for model in apps.get_app_config(label).get_models()
        if not model._meta.auto_created
    }
    assert models - set(REGISTERED) == set()


def test_entity_changelist_filters_by_kind(browser, shot, asset):
    page = browser.get(url(Entity, "changelist"), {"kind": "Asset"})
    names = [row.name for row in page.context["cl"].result_list]
    assert names == ["Hero"]


def test_shot_changelist_lists_only_shots(browser, shot, asset, sequence):
    page = browser.get(url(shot, "changelist"))
    assert [row.pk for row in page.context["cl"].result_list] == [shot.pk]


def test_shot_change_form_and_project_team_inline_render(browser, shot, project, make_person):
    project.team.add(make_person("user"))
    assert browser.get(url(shot, "change", shot.pk)).status_code == 200
    page = browser.get(url(project, "change", project.pk))
    assert page.status_code == 200
    assert b"team" in page.content.lower()
