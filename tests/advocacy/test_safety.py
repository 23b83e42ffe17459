"""Safety plans and target hardening (issue 11 item 3): versions (each save a new one,
earlier ones kept and marked superseded, the current one the latest), field errors with
nothing half-saved, orders linked only from the episode's case, the measures' date rules,
the pages and API, the compartment (item 7) and the episode page's fixed query count."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from advocacy.models import (
    MeasureKind,
    MeasureState,
    PlanItemOwner,
    SafetyPlan,
    SafetyPlanItem,
    SafetyPlanOrder,
    TargetHardening,
)
from advocacy.selectors import safety as safety_selectors
from advocacy.services import episodes as episode_services
from advocacy.services import safety as safety_services
from audit.models import AccessEvent, Action
from audit.services import break_glass_open
from tests.factories import add_party, open_case
from tests.factories_advocacy import second_advocacy_agency, start_episode
from tests.factories_record import make_order

pytestmark = pytest.mark.django_db

PLAN_MARKER = "MARKER-plan-keep-spare-key-with-neighbour"
MEASURE_MARKER = "MARKER-provider-Northshire-Locksmiths"


def _today():
    return timezone.localdate()


def _d(day):
    return day.strftime("%d/%m/%Y")


def _item(text="Keep the phone charged", owner=PlanItemOwner.VICTIM, **kwargs):
    return {"text": text, "owner": owner, **kwargs}


@pytest.fixture
def advocate(world):
    return world.members[Role.ADVOCATE]


@pytest.fixture
def case(world):
    police = world.members[Role.INVESTIGATOR]
    agencies = [world.agencies[k] for k in ("health", "advocacy", "probation", "cps")]
    return open_case(police, shared_with=agencies)


@pytest.fixture
def episode(advocate, case):
    return start_episode(advocate, case, referred_on=_today() - timedelta(days=20))


def _save(advocate, episode, items=None, **kwargs):
    kwargs.setdefault("review_on", _today() + timedelta(days=14))
    return safety_services.safety_plan_save(
        actor=advocate.user,
        membership=advocate,
        episode=episode,
        items=items if items is not None else [_item()],
        **kwargs,
    )


def _measure(advocate, episode, **kwargs):
    kwargs.setdefault("kind", MeasureKind.LOCK_CHANGE)
    kwargs.setdefault("requested_on", _today() - timedelta(days=5))
    return safety_services.measure_record(
        actor=advocate.user, membership=advocate, episode=episode, **kwargs
    )


# Versions ------------------------------------------------------------------------------


def test_each_save_is_a_new_version_and_earlier_ones_are_kept(advocate, episode):
    first = _save(advocate, episode, [_item("First step"), _item("Tell police", "police")])
    second = _save(
        advocate,
        episode,
        [_item("Second plan step", PlanItemOwner.ADVOCATE)],
        review_on=_today() + timedelta(days=30),
    )
    third = _save(advocate, episode, [_item("Third plan step")])
    assert [first.version, second.version, third.version] == [1, 2, 3]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.superseded_at is not None and second.superseded_at is not None
    assert third.superseded_at is None and third.is_current
    current = safety_selectors.current_safety_plan(episode)
    assert current.pk == third.pk
    # Nothing copied implicitly; earlier versions keep their own items.
    assert [i.text for i in current.items.all()] == ["Third plan step"]
    assert [i.text for i in first.items.order_by("position")] == ["First step", "Tell police"]
    assert [p.version for p in safety_selectors.safety_plan_versions(episode)] == [3, 2, 1]
    rows = AccessEvent.objects.filter(action=Action.CREATE, object_type="advocacy.SafetyPlan")
    assert rows.count() == 3
    assert all(row.case_id == episode.case_id for row in rows)
    assert "step" not in str(list(rows.values_list("detail", "object_repr")))


def test_plan_errors_come_all_at_once_and_nothing_is_saved(advocate, episode, world):
    other_order = make_order(world.own_case)
    with pytest.raises(ValidationError) as refused:
        _save(
            advocate,
            episode,
            [
                _item(text="  ", owner="neighbour"),
                _item(due_on=episode.referred_on - timedelta(days=1)),
            ],
            review_on=_today() - timedelta(days=1),
            order_ids=[other_order.pk],
        )
    assert set(refused.value.message_dict) == {
        "review_on",
        "items-0-text",
        "items-0-owner",
        "items-1-due_on",
        "orders",
    }
    assert not SafetyPlan.objects.exists() and not SafetyPlanItem.objects.exists()
    assert not AccessEvent.objects.filter(object_type="advocacy.SafetyPlan").exists()


def test_a_plan_needs_an_item_and_a_review_date(advocate, episode):
    with pytest.raises(ValidationError) as refused:
        _save(advocate, episode, [], review_on=None)
    assert set(refused.value.message_dict) == {"items", "review_on"}


def test_a_failed_new_version_leaves_the_current_one_current(advocate, episode):
    first = _save(advocate, episode)
    with pytest.raises(ValidationError):
        _save(advocate, episode, [_item(owner="x")])
    first.refresh_from_db()
    assert first.superseded_at is None and SafetyPlan.objects.count() == 1


def test_orders_link_only_from_the_episodes_case(advocate, episode, world):
    own = make_order(episode.case)
    other = make_order(world.own_case)
    plan = _save(advocate, episode, order_ids=[own.pk])
    assert [link.order_id for link in plan.order_links.all()] == [own.pk]
    with pytest.raises(ValidationError) as refused:
        _save(advocate, episode, order_ids=[own.pk, other.pk])
    assert list(refused.value.message_dict) == ["orders"]
    # Refused at the field for any other writer too.
    with pytest.raises(ValidationError) as by_m2m, transaction.atomic():
        plan.orders.add(other)
    assert "orders" in by_m2m.value.message_dict
    with pytest.raises(ValidationError):
        SafetyPlanOrder(plan=plan, order=other).save()
    assert list(plan.orders.values_list("pk", flat=True)) == [own.pk]


def test_only_the_holding_agency_saves_a_plan(world, advocate, episode):
    from django.core.exceptions import PermissionDenied

    _, other = second_advocacy_agency(world.partnership)
    for member in (other, world.members[Role.INVESTIGATOR]):
        with pytest.raises(PermissionDenied):
            _save(member, episode)
    assert not SafetyPlan.objects.exists()


def test_a_closed_episode_takes_no_new_version_or_measure(advocate, episode):
    episode_services.episode_close(
        actor=advocate.user,
        membership=advocate,
        episode=episode,
        closed_on=_today(),
        closure_reason="support_complete",
        outcomes={},
    )
    with pytest.raises(ValidationError) as plan:
        _save(advocate, episode)
    assert "closed" in plan.value.message_dict["review_on"][0]
    with pytest.raises(ValidationError):
        _measure(advocate, episode)
    assert not SafetyPlan.objects.exists() and not TargetHardening.objects.exists()


# Target hardening ---------------------------------------------------------------------


def test_measure_state_follows_the_dates_and_history_is_kept(advocate, episode):
    measure = _measure(advocate, episode)
    assert measure.state == MeasureState.REQUESTED
    safety_services.measure_update(
        actor=advocate.user,
        membership=advocate,
        measure=measure,
        provided_on=_today(),
        provider="Northshire Locksmiths",
    )
    measure.refresh_from_db()
    assert measure.state == MeasureState.PROVIDED
    assert measure.history.count() == 2
    assert measure.history.earliest().provided_on is None
    row = AccessEvent.objects.filter(action=Action.UPDATE, object_type="advocacy.TargetHardening")
    assert row.get().detail["changed"] == ["provided_on", "provider"]
    declined = _measure(advocate, episode, kind=MeasureKind.CCTV, declined_on=_today())
    assert declined.state == MeasureState.DECLINED


def test_measure_dates_that_cannot_be_true_are_refused_all_at_once(advocate, episode):
    today = _today()
    with pytest.raises(ValidationError) as refused:
        _measure(
            advocate,
            episode,
            kind="moat",
            requested_on=today - timedelta(days=2),
            provided_on=today - timedelta(days=3),
            declined_on=today + timedelta(days=1),
        )
    # Provided (on a false date) without a provider: that too, in the same pass.
    assert set(refused.value.message_dict) == {"kind", "provided_on", "declined_on", "provider"}
    assert "before it was requested" in refused.value.message_dict["provided_on"][0]
    with pytest.raises(ValidationError) as future:
        _measure(advocate, episode, requested_on=today + timedelta(days=1))
    assert list(future.value.message_dict) == ["requested_on"]
    with pytest.raises(ValidationError) as both:
        _measure(advocate, episode, provided_on=today, declined_on=today, provider="X")
    assert list(both.value.message_dict) == ["declined_on"]
    with pytest.raises(ValidationError) as no_provider:
        _measure(advocate, episode, provided_on=today)
    assert list(no_provider.value.message_dict) == ["provider"]
    assert not TargetHardening.objects.exists()


def test_a_refused_measure_update_changes_nothing(advocate, episode):
    measure = _measure(advocate, episode)
    with pytest.raises(ValidationError):
        safety_services.measure_update(
            actor=advocate.user,
            membership=advocate,
            measure=measure,
            provided_on=measure.requested_on - timedelta(days=1),
            provider="Someone",
        )
    measure.refresh_from_db()
    assert measure.provided_on is None and measure.provider == ""
    assert measure.history.count() == 1


# Pages ---------------------------------------------------------------------------------


def test_a_closed_episodes_pages_show_the_plan_but_take_no_changes(
    advocate, episode, client, login
):
    _save(advocate, episode, [_item(PLAN_MARKER)])
    measure = _measure(advocate, episode)
    episode_services.episode_close(
        actor=advocate.user,
        membership=advocate,
        episode=episode,
        closed_on=_today(),
        closure_reason="support_complete",
        outcomes={},
    )
    login(advocate)
    page = client.get(reverse("advocacy:episode-detail", args=[episode.pk]))
    assert PLAN_MARKER in page.content.decode()
    assert page.context["plan_form"] is None and page.context["measure_form"] is None
    for url in (
        reverse("advocacy:safety-plan-new", args=[episode.pk]),
        reverse("advocacy:measure-new", args=[episode.pk]),
        reverse("advocacy:measure-edit", args=[episode.pk, measure.pk]),
    ):
        assert client.get(url).status_code == 302, url
        assert client.post(url, _plan_post()).status_code == 302, url
    assert SafetyPlan.objects.count() == 1


def test_episode_page_shows_the_current_plan_by_owner_and_the_measures(
    advocate, episode, client, login
):
    order = make_order(episode.case)
    _save(advocate, episode, [_item("Old step")])
    _save(
        advocate,
        episode,
        [_item("Carry the alarm"), _item("Patrol the street", PlanItemOwner.POLICE)],
        order_ids=[order.pk],
        review_on=_today() + timedelta(days=9),
    )
    _measure(advocate, episode, provided_on=_today(), provider=MEASURE_MARKER)
    login(advocate)
    page = client.get(reverse("advocacy:episode-detail", args=[episode.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Carry the alarm" in body and "Patrol the street" in body and "Old step" not in body
    assert body.index("Victim</h3>") < body.index("Police</h3>")
    assert (_today() + timedelta(days=9)).strftime("%-d %B %Y") in body
    assert "Stalking protection order" in body or order.get_kind_display() in body
    assert reverse("advocacy:safety-plan", args=[episode.pk]) in body
    assert "Earlier versions (1)" in body
    assert MEASURE_MARKER in body and "Provided" in body
    assert reverse("advocacy:measure-edit", args=[episode.pk, TargetHardening.objects.get().pk])
    # The new-version form starts from the current version, plus one empty row.
    form = page.context["plan_form"]
    assert form.initial["items-0-text"] == "Carry the alarm"
    assert form.initial["items-1-owner"] == PlanItemOwner.POLICE
    assert form.initial["orders"] == [order.pk] and form.row_count == 3


def test_version_history_page_shows_every_version(advocate, episode, client, login):
    _save(advocate, episode, [_item("Version one step")])
    _save(advocate, episode, [_item("Version two step")])
    login(advocate)
    body = client.get(reverse("advocacy:safety-plan", args=[episode.pk])).content.decode()
    assert "Version one step" in body and "Version two step" in body
    assert body.index("Version two step") < body.index("Version one step")
    assert "Superseded" in body and "Current" in body


def _plan_post(**extra):
    data = {
        "review_on": _d(_today() + timedelta(days=14)),
        "notes": "",
        "item_rows": "2",
        "items-0-text": "Keep the phone charged",
        "items-0-owner": "victim",
        "items-1-text": "",
    }
    data.update(extra)
    return data


def test_new_version_from_the_form(advocate, episode, client, login):
    login(advocate)
    url = reverse("advocacy:safety-plan-new", args=[episode.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        _plan_post(
            **{"items-1-text": "Fit the camera", "items-1-owner": "advocate", "items-1-done": "on"}
        ),
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#safety-plan")
    plan = SafetyPlan.objects.get()
    assert [(i.text, i.owner, i.done) for i in plan.items.order_by("position")] == [
        ("Keep the phone charged", "victim", False),
        ("Fit the camera", "advocate", True),
    ]


def test_add_another_item_redraws_the_form_and_saves_nothing(advocate, episode, client, login):
    login(advocate)
    url = reverse("advocacy:safety-plan-new", args=[episode.pk])
    response = client.post(url, _plan_post(add_item="1", review_on=""))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.row_count == 3 and not form.errors
    body = response.content.decode()
    assert 'name="items-2-text"' in body and "Keep the phone charged" in body
    assert "govuk-error-summary" not in body
    assert not SafetyPlan.objects.exists()


def test_the_plan_form_shows_every_error_at_once(advocate, episode, world, client, login):
    other = make_order(world.own_case)
    own = make_order(episode.case)
    login(advocate)
    response = client.post(
        reverse("advocacy:safety-plan-new", args=[episode.pk]),
        _plan_post(
            review_on=_d(_today() - timedelta(days=1)),
            **{
                "items-0-owner": "",
                "items-1-text": "",
                "items-1-owner": "police",
                "items-1-due_on": _d(_today()),
                "orders": [str(own.pk), str(other.pk)],
            },
        ),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert {"review_on", "items-0-owner", "items-1-text", "orders"} <= set(form.errors)
    assert "govuk-error-summary" in response.content.decode()
    assert not SafetyPlan.objects.exists()


def test_an_empty_plan_form_asks_for_an_item(advocate, episode, client, login):
    login(advocate)
    response = client.post(
        reverse("advocacy:safety-plan-new", args=[episode.pk]),
        _plan_post(**{"items-0-text": "", "items-0-owner": ""}),
    )
    assert response.status_code == 400
    assert "Add at least one item" in response.content.decode()


def test_clearing_an_items_text_leaves_it_out(advocate, episode, client, login):
    _save(advocate, episode, [_item("Keep"), _item("Drop me", PlanItemOwner.POLICE)])
    login(advocate)
    url = reverse("advocacy:safety-plan-new", args=[episode.pk])
    form = client.get(url).context["form"]
    data = {"review_on": _d(_today() + timedelta(days=14)), "item_rows": str(form.row_count)}
    for name in form.fields:
        if name.startswith("items-"):
            value = form.initial.get(name)
            if isinstance(value, bool):
                value = "on" if value else ""
            data[name] = value or ""
    data["items-1-text"] = ""  # the police item's owner stays chosen
    assert client.post(url, data).status_code == 302
    current = safety_selectors.current_safety_plan(episode)
    assert [(i.text, i.owner) for i in current.items.all()] == [("Keep", "victim")]


def test_record_and_change_a_measure_from_the_pages(advocate, episode, client, login):
    login(advocate)
    new = reverse("advocacy:measure-new", args=[episode.pk])
    response = client.post(
        new, {"kind": "personal_alarm", "requested_on": _d(_today() - timedelta(days=3))}
    )
    assert response.status_code == 302 and response["Location"].endswith("#target-hardening")
    measure = TargetHardening.objects.get()
    edit = reverse("advocacy:measure-edit", args=[episode.pk, measure.pk])
    page = client.get(edit)
    assert page.status_code == 200 and page.context["form"].initial["kind"] == "personal_alarm"
    bad = client.post(
        edit,
        {
            "kind": "personal_alarm",
            "requested_on": _d(_today() - timedelta(days=3)),
            "provided_on": _d(_today() - timedelta(days=4)),
            "declined_on": _d(_today() + timedelta(days=1)),
        },
    )
    assert bad.status_code == 400
    assert {"provided_on", "declined_on", "provider"} <= set(bad.context["form"].errors)
    assert "govuk-error-summary" in bad.content.decode()
    measure.refresh_from_db()
    assert measure.provided_on is None
    good = client.post(
        edit,
        {
            "kind": "personal_alarm",
            "requested_on": _d(_today() - timedelta(days=3)),
            "provided_on": _d(_today()),
            "provider": "Police alarm scheme",
        },
    )
    assert good.status_code == 302
    measure.refresh_from_db()
    assert measure.state == MeasureState.PROVIDED


def test_the_measure_form_shows_every_error_at_once(advocate, episode, client, login):
    login(advocate)
    response = client.post(
        reverse("advocacy:measure-new", args=[episode.pk]),
        {"kind": "", "requested_on": "", "provided_on": _d(_today()), "declined_on": "31/2/2025"},
    )
    assert response.status_code == 400
    assert {"kind", "requested_on", "declined_on", "provider"} <= set(
        response.context["form"].errors
    )
    assert not TargetHardening.objects.exists()


# API -----------------------------------------------------------------------------------


def test_api_lists_and_creates_plan_versions(advocate, episode, world, client, login):
    own = make_order(episode.case)
    other = make_order(world.own_case)
    login(advocate)
    url = reverse("api:advocacy-safety-plan-list", kwargs={"episode_pk": episode.pk})
    body = {
        "review_on": (_today() + timedelta(days=7)).isoformat(),
        "orders": [own.pk],
        "items": [{"text": "Change the locks", "owner": "advocate", "due_on": None}],
    }
    created = client.post(url, body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["version"] == 1 and created.json()["orders"] == [own.pk]
    again = client.post(url, body, content_type="application/json")
    assert again.json()["version"] == 2 and again.json()["is_current"]
    listed = client.get(url).json()
    assert [(p["version"], p["is_current"]) for p in listed] == [(2, True), (1, False)]
    assert listed[1]["superseded_at"] is not None and listed[0]["superseded_at"] is None
    assert listed[0]["items"][0] == {
        "position": 1,
        "text": "Change the locks",
        "owner": "advocate",
        "due_on": None,
        "done": False,
    }
    bad = client.post(
        url,
        {
            "review_on": (_today() - timedelta(days=1)).isoformat(),
            "orders": [other.pk],
            "items": [{"text": "", "owner": "victim"}],
        },
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert {"review_on", "orders", "items-0-text"} <= set(bad.json()["errors"])
    assert SafetyPlan.objects.count() == 2


def test_api_lists_creates_and_updates_measures(advocate, episode, client, login):
    login(advocate)
    url = reverse("api:advocacy-measure-list", kwargs={"episode_pk": episode.pk})
    created = client.post(
        url,
        {"kind": "doorbell_camera", "requested_on": (_today() - timedelta(days=2)).isoformat()},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["state"] == "requested" and data["provided_on"] is None
    detail = reverse(
        "api:advocacy-measure-detail", kwargs={"episode_pk": episode.pk, "pk": data["id"]}
    )
    bad = client.patch(
        detail,
        {"provided_on": (_today() + timedelta(days=1)).isoformat()},
        content_type="application/json",
    )
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"provided_on", "provider"}
    good = client.patch(
        detail,
        {"provided_on": _today().isoformat(), "provider": "Ring via police"},
        content_type="application/json",
    )
    assert good.status_code == 200 and good.json()["state"] == "provided"
    assert client.get(detail).json()["provider"] == "Ring via police"
    assert [m["kind"] for m in client.get(url).json()] == ["doorbell_camera"]
    future = client.post(
        url,
        {"kind": "cctv", "requested_on": (_today() + timedelta(days=1)).isoformat()},
        content_type="application/json",
    )
    assert future.status_code == 400 and list(future.json()["errors"]) == ["requested_on"]


# The compartment -----------------------------------------------------------------------


@pytest.fixture
def held(advocate, episode):
    _save(advocate, episode, [_item("Earlier plan step")])
    _save(advocate, episode, [_item(PLAN_MARKER)])
    measure = _measure(advocate, episode, provided_on=_today(), provider=MEASURE_MARKER)
    return episode, measure


def _urls(episode, measure):
    plans = {"episode_pk": episode.pk}
    one = {"episode_pk": episode.pk, "pk": measure.pk}
    return [
        reverse("advocacy:episode-detail", args=[episode.pk]),
        reverse("advocacy:safety-plan", args=[episode.pk]),
        reverse("advocacy:safety-plan-new", args=[episode.pk]),
        reverse("advocacy:measure-new", args=[episode.pk]),
        reverse("advocacy:measure-edit", kwargs=one),
        reverse("api:advocacy-safety-plan-list", kwargs=plans),
        reverse("api:advocacy-measure-list", kwargs=plans),
        reverse("api:advocacy-measure-detail", kwargs=one),
    ]


def _has_marker(response):
    body = response.content.decode()
    return PLAN_MARKER in body or MEASURE_MARKER in body


def test_the_holding_agency_reads_the_plan_everywhere(advocate, held, client, login):
    login(advocate)
    urls = _urls(*held)
    answers = {url: client.get(url) for url in urls}
    assert {url: r.status_code for url, r in answers.items()} == dict.fromkeys(urls, 200)
    for url in urls[:3] + urls[4:]:
        assert _has_marker(answers[url]), url


OUTSIDERS = [r for r in Role.values if r != Role.ADVOCATE]


@pytest.mark.parametrize("role", OUTSIDERS)
def test_other_roles_get_none_of_the_plan(world, held, client, login, role):
    login(world.members[role])
    episode, measure = held
    for url in _urls(*held):
        response = client.get(url)
        assert response.status_code == 403, url
        assert not _has_marker(response), url
    posts = [
        (reverse("advocacy:safety-plan-new", args=[episode.pk]), {}),
        (reverse("api:advocacy-safety-plan-list", kwargs={"episode_pk": episode.pk}), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403
    case_page = client.get(reverse("cases:detail", args=[episode.case_id]))
    assert not _has_marker(case_page)
    assert SafetyPlan.objects.count() == 2


def test_break_glass_gets_none_of_the_plan(world, advocate, client, login):
    investigator = world.members[Role.INVESTIGATOR]
    advocacy_case = world.advocacy_case  # not shared with police
    episode = start_episode(advocate, advocacy_case, victim=add_party(advocacy_case))
    _save(advocate, episode, [_item(PLAN_MARKER)])
    measure = _measure(advocate, episode, provided_on=_today(), provider=MEASURE_MARKER)
    break_glass_open(
        actor=investigator.user,
        membership=investigator,
        case=advocacy_case,
        reason="Urgent safeguarding check out of hours",
    )
    login(investigator)
    case_page = client.get(reverse("cases:detail", args=[advocacy_case.pk]))
    assert case_page.status_code == 200 and not _has_marker(case_page)
    for url in _urls(episode, measure):
        response = client.get(url)
        assert response.status_code == 403, url
        assert not _has_marker(response), url


def test_another_advocacy_agency_gets_404_and_one_denial_row(world, held, client, login):
    _, other_advocate = second_advocacy_agency(world.partnership)
    login(other_advocate)
    episode, measure = held
    for url in _urls(*held):
        before = AccessEvent.objects.filter(action=Action.DENIAL).count()
        response = client.get(url)
        assert response.status_code == 404, url
        assert not _has_marker(response), url
        assert AccessEvent.objects.filter(action=Action.DENIAL).count() == before + 1, url
    for url, data in (
        (reverse("advocacy:safety-plan-new", args=[episode.pk]), _plan_post()),
        (
            reverse(
                "api:advocacy-measure-detail", kwargs={"episode_pk": episode.pk, "pk": measure.pk}
            ),
            {"provider": "Changed"},
        ),
    ):
        method = client.patch if "api" in url else client.post
        kwargs = {"content_type": "application/json"} if "api" in url else {}
        assert method(url, data, **kwargs).status_code == 404
    assert SafetyPlan.objects.count() == 2
    measure.refresh_from_db()
    assert measure.provider == MEASURE_MARKER


def test_a_measure_of_another_episode_is_not_reached_through_ones_own(
    world, advocate, held, case, client, login
):
    """The measure id is looked up within the episode named in the URL."""
    _, measure = held
    mine = start_episode(advocate, case)
    login(advocate)
    before = AccessEvent.objects.filter(action=Action.DENIAL).count()
    url = reverse("advocacy:measure-edit", kwargs={"episode_pk": mine.pk, "pk": measure.pk})
    assert client.get(url).status_code == 404
    assert AccessEvent.objects.filter(action=Action.DENIAL).count() == before + 1


def test_every_read_of_a_plan_page_is_audited(advocate, held, client, login):
    login(advocate)
    episode, measure = held
    for url in _urls(*held):
        if "target-hardening/new" in url:
            continue  # an empty form: nothing of the plan is read
        before = AccessEvent.objects.filter(action=Action.VIEW).count()
        assert client.get(url).status_code == 200
        rows = AccessEvent.objects.filter(action=Action.VIEW).order_by("-id")
        assert rows.count() == before + 1, url
        row = rows.first()
        assert row.object_type == "advocacy.SupportEpisode" and row.object_id == str(episode.pk)
        assert row.case_id == episode.case_id
        assert PLAN_MARKER not in str(row.detail) + row.object_repr


# Query count ----------------------------------------------------------------------------


def _episode_page_queries(client, episode):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("advocacy:episode-detail", args=[episode.pk]))
    assert response.status_code == 200
    return len(queries)


def test_episode_page_query_count_is_fixed_whatever_the_versions_and_measures(
    advocate, episode, client, login
):
    order = make_order(episode.case)
    for n in range(2):
        _save(
            advocate, episode, [_item(f"Step {n}"), _item("Police", "police")], order_ids=[order.pk]
        )
        _measure(advocate, episode, kind=MeasureKind.values[n])
    login(advocate)
    few = _episode_page_queries(client, episode)
    for n in range(2, 7):
        _save(
            advocate,
            episode,
            [_item(f"Step {n}"), _item("Police", "police"), _item("Me", "advocate")],
            order_ids=[order.pk, make_order(episode.case).pk],
        )
        _measure(advocate, episode, kind=MeasureKind.values[n])
    many = _episode_page_queries(client, episode)
    assert few == many
    assert many <= 30


# Demo ----------------------------------------------------------------------------------


def test_demo_gives_the_engaged_episode_two_versions_and_two_measures_once(world):
    from advocacy import demo
    from advocacy.models import EpisodeStatus, SupportEpisode

    police = world.members[Role.INVESTIGATOR]
    for _ in range(3):
        add_party(open_case(police, shared_with=[world.agencies["advocacy"]]))
    agencies = list(world.agencies.values())
    for _ in range(2):
        demo.seed(partnership=world.partnership, agencies=agencies, members=world.members)
    engaged = next(e for e in SupportEpisode.objects.all() if e.status == EpisodeStatus.ENGAGED)
    versions = safety_selectors.safety_plan_versions(engaged)
    assert [(p.version, p.is_current) for p in versions] == [(2, True), (1, False)]
    assert {i.owner for i in versions[0].items.all()} == set(PlanItemOwner.values)
    assert sorted(m.state for m in safety_selectors.episode_measures(engaged)) == [
        MeasureState.PROVIDED,
        MeasureState.REQUESTED,
    ]
    assert SafetyPlan.objects.count() == 2 and TargetHardening.objects.count() == 2
