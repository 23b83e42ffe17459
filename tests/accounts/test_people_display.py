"""People who use the system are shown by name and agency, not by email (issue 10 item 6)."""

from datetime import timedelta

from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from tests.factories import MembershipFactory


def _render(user):
    return Template("{% load people %}{{ user|name_and_agency }}").render(Context({"user": user}))


def test_name_and_agency_names_every_agency_the_person_works_in_now(world):
    chair = world.members[Role.CLINIC_CHAIR]
    assert _render(chair.user) == f"{chair.user.full_name} (health agency)"
    MembershipFactory(user=chair.user, agency=world.agencies["advocacy"], role=Role.MANAGER)
    fresh = type(chair.user).objects.get(pk=chair.user.pk)  # the names are kept per object
    assert _render(fresh) == f"{chair.user.full_name} (advocacy agency; health agency)"
    lapsed = world.members[Role.PARTNER]
    lapsed.vetting_expires_on = timezone.localdate() - timedelta(days=1)
    lapsed.save()
    assert _render(lapsed.user) == lapsed.user.full_name
    assert _render(None) == ""


def test_case_page_names_who_viewed_it_not_their_email(client, login, world):
    investigator = world.members[Role.INVESTIGATOR]
    supervisor = world.members[Role.POLICE_SUPERVISOR]
    login(supervisor)
    client.get(reverse("cases:detail", args=[world.own_case.pk]))
    login(investigator)
    html = client.get(reverse("cases:detail", args=[world.own_case.pk])).content.decode()
    assert supervisor.user.full_name in html
    assert supervisor.user.email not in html
    assert investigator.user.email not in html.split("<main", 1)[1]
